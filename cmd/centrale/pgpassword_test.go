package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testlog"
)

// Ensure that centrale warns, before it connects to PostgreSQL, that its
// -pg-password-file can be read by other users, naming the file and its
// mode, and says nothing of a file of mode 0600: README asks for 0600,
// and a 0644 file was taken without a word. (The database here is none,
// on loopback: serve stops at the connection, after the warning.)
func TestPGPasswordFileReadableWarned(t *testing.T) {
	dir, _ := serverPKI(t)
	pw := filepath.Join(t.TempDir(), "pg-password")
	if err := os.WriteFile(pw, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o600} {
		if err := os.Chmod(pw, mode); err != nil {
			t.Fatal(err)
		}
		c, err := parse([]string{"-pki", dir, "-postgres", "postgres://pinsede@127.0.0.1:1/pinsede?connect_timeout=5", "-pg-password-file", pw,
			"-listen", "127.0.0.1:0", "-manage", "", "-admin", ""}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		logs := &testlog.Buffer{}
		if err := serve(context.Background(), c, slog.New(slog.NewTextHandler(logs, nil)), nil); err == nil {
			t.Fatal("centrale served with no database")
		}
		warned := strings.Contains(logs.String(), "password file can be read by other users") && strings.Contains(logs.String(), pw)
		if want := mode == 0o644; warned != want || want && !strings.Contains(logs.String(), "mode=0644") {
			t.Errorf("password file of mode %04o: warned %v, want %v; log:\n%s", mode, warned, want, logs.String())
		}
	}
}
