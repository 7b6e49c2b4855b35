//go:build unix

package smallfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// Ensure that ReadRegular reads a regular file up to its bound, empty
// included, and refuses at once, without reading it, what is not one: a
// named pipe that no program writes to (where an open for reading
// waits), one that a program fills without end, a symbolic link to a
// pipe, a device that does not end, and a directory; and a file over the
// bound. Each error names the file and says what to fix.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	if err := os.WriteFile(file, []byte("0123"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := smallfile.ReadRegular(file, "key", 4); err != nil || string(b) != "0123" {
		t.Errorf("ReadRegular of a file at its bound = %q, %v", b, err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := smallfile.ReadRegular(empty, "key", 4); err != nil || len(b) != 0 {
		t.Errorf("ReadRegular of an empty file = %q, %v; want it, empty", b, err)
	}
	silent := filepath.Join(dir, "silent")
	if err := syscall.Mkfifo(silent, 0o600); err != nil {
		t.Skip(err)
	}
	endless := filepath.Join(dir, "endless")
	if err := syscall.Mkfifo(endless, 0o600); err != nil {
		t.Fatal(err)
	}
	// A writer that fills the pipe for as long as the test lasts.
	w, err := os.OpenFile(endless, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	go func() {
		for {
			if _, err := w.Write(make([]byte, 4096)); err != nil {
				return
			}
		}
	}()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(silent, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		kind       error
		says       string
	}{
		{"a pipe no one writes to", silent, smallfile.ErrNotRegular, "is not a regular file but a pipe: put the key file there"},
		{"a pipe filled without end", endless, smallfile.ErrNotRegular, "is not a regular file but a pipe"},
		{"a link to a pipe", link, smallfile.ErrNotRegular, "is not a regular file but a pipe"},
		{"a device", "/dev/zero", smallfile.ErrNotRegular, "is not a regular file but a device"},
		{"a directory", dir, smallfile.ErrNotRegular, "is a directory: name the file in it"},
		{"over the bound", file, smallfile.ErrTooLarge, "has more than 3 bytes, more than a key holds"},
		{"missing", filepath.Join(dir, "missing"), fs.ErrNotExist, "does not exist: check the path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := smallfile.ReadRegular(tc.path, "key", 3)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute): // a safety net for a hang, not a window
				t.Fatalf("ReadRegular(%s) has not returned in a minute", tc.path)
			}
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "key file "+tc.path) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v, want an error of kind %v: key file %s ... %s", err, tc.kind, tc.path, tc.says)
			}
		})
	}
}
