package smallfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// Ensure that Read returns a file up to its bound, and refuses one over
// it, a directory, a missing file and one it may not read with an error
// that names the file and says what to fix.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exact := write("exact", []byte(strings.Repeat("x", 64)))
	if b, err := smallfile.Read(exact, "policy", 64); err != nil || len(b) != 64 {
		t.Errorf("Read of a file at the bound = %d bytes, %v", len(b), err)
	}
	if b, err := smallfile.Read(write("empty", nil), "policy", 64); err != nil || len(b) != 0 {
		t.Errorf("Read of an empty file = %q, %v; want it, empty", b, err)
	}
	locked := write("locked", []byte("x"))
	os.Chmod(locked, 0)
	for _, tc := range []struct{ name, path, says string }{
		{"over the bound", write("large", []byte(strings.Repeat("x", 65))), "has more than 64 bytes, more than a policy holds: check that it is the right file"},
		{"a directory", dir, "is a directory: name the file in it"},
		{"missing", filepath.Join(dir, "missing"), "does not exist: check the path"},
		{"not readable", locked, "permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "not readable" && os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			_, err := smallfile.Read(tc.path, "policy", 64)
			if err == nil || !strings.Contains(err.Error(), "policy file "+tc.path) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v, want policy file %s ... %s", err, tc.path, tc.says)
			}
		})
	}
}

// Ensure that a file that is not a regular one, as a pipe, is read up to
// the bound: /dev/zero does not end.
func TestReadEndless(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip(err)
	}
	if _, err := smallfile.Read("/dev/zero", "secret", 4096); err == nil || !strings.Contains(err.Error(), "more than 4096 bytes") {
		t.Errorf("err = %v, want more than 4096 bytes", err)
	}
}

// Ensure that errors.Is tells the kind of each error of Read.
func TestReadKinds(t *testing.T) {
	dir := t.TempDir()
	large := filepath.Join(dir, "large")
	if err := os.WriteFile(large, []byte("xx"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		kind error
	}{{large, smallfile.ErrTooLarge}, {dir, smallfile.ErrNotRegular}, {filepath.Join(dir, "missing"), fs.ErrNotExist}} {
		if _, err := smallfile.Read(tc.path, "key", 1); !errors.Is(err, tc.kind) {
			t.Errorf("Read(%s) = %v, want an error of kind %v", tc.path, err, tc.kind)
		}
	}
}
