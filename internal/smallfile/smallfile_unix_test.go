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

// Ensure that OpenFileRegular opens a regular file for writing, creates
// a missing one when told to, and refuses at once, without opening it, a
// named pipe and a device: what a database writes its pages to.
func TestOpenFileRegular(t *testing.T) {
	dir := t.TempDir()
	created := filepath.Join(dir, "store.db")
	f, err := smallfile.OpenFileRegular(created, "store", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatalf("OpenFileRegular of a missing file, O_CREATE: %v", err)
	}
	if _, err := f.Write([]byte("page")); err != nil {
		t.Errorf("write: %v", err)
	}
	f.Close()
	if _, err := smallfile.OpenFileRegular(filepath.Join(dir, "missing"), "store", os.O_RDWR, 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenFileRegular of a missing file: %v, want fs.ErrNotExist", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, path := range []string{fifo, "/dev/null"} {
		if _, err := smallfile.OpenFileRegular(path, "store", os.O_RDWR|os.O_CREATE, 0o600); !errors.Is(err, smallfile.ErrNotRegular) ||
			!strings.Contains(err.Error(), "store file "+path+" is not a regular file") {
			t.Errorf("OpenFileRegular(%s) = %v, want it refused as not a regular file", path, err)
		}
	}
}
