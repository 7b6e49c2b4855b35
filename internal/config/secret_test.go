package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that Secret takes the first line of its file, or else the
// environment, and refuses a file over MaxSecretBytes, empty, with an
// empty first line, a directory or missing, with an error that names the
// file, says what to fix and does not tell the secret.
func TestSecret(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PINSEDE_TEST_SECRET", "from-env")
	for _, tc := range []struct{ file, want string }{
		{write(t, "s3cret\r\nmore\n"), "s3cret"},
		{write(t, "s3cret"), "s3cret"},
		{write(t, "s3cret\n"+strings.Repeat("x", MaxSecretBytes-7)), "s3cret"},
		{"", "from-env"},
	} {
		if got, given, err := Secret(tc.file, "PINSEDE_TEST_SECRET"); err != nil || !given || got != tc.want {
			t.Errorf("Secret(%q) = %q, %v, %v; want %q", tc.file, got, given, err, tc.want)
		}
	}
	for _, tc := range []struct{ name, file, says string }{
		{"over MaxSecretBytes", write(t, "s3cret\n"+strings.Repeat("x", MaxSecretBytes)), fmt.Sprintf("has more than %d bytes, more than a secret holds", MaxSecretBytes)},
		{"empty", write(t, ""), "has nothing on its first line: write the secret there"},
		{"an empty first line", write(t, "\ns3cret\n"), "has nothing on its first line"},
		{"a directory", dir, "is a directory: name the file in it"},
		{"missing", filepath.Join(dir, "missing"), "does not exist: check the path"},
	} {
		_, given, err := Secret(tc.file, "PINSEDE_TEST_SECRET")
		if err == nil || given || !strings.Contains(err.Error(), "secret file "+tc.file) || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v, %v; want secret file %s ... %s", tc.name, given, err, tc.file, tc.says)
		}
	}
}
