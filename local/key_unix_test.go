//go:build unix

package local_test

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede/local"
)

// Ensure that Open refuses at once, without reading it whole, what is in
// the key file's place and is no key: a folder, a named pipe no program
// writes to (an open for reading would wait for one for ever), /dev/zero
// (a read would never end), a file of 2 GB (sparse: it takes no disk)
// and an empty file; each with its error, naming the key file, and the
// store left as it was.
func TestOpenKeyNotAKey(t *testing.T) {
	for _, tc := range []struct {
		name  string
		place func(t *testing.T, key string)
		want  error
	}{
		{"a folder", func(t *testing.T, key string) { os.Mkdir(key, 0o700) }, local.ErrKeyNotFile},
		{"a pipe", func(t *testing.T, key string) {
			if err := syscall.Mkfifo(key, 0o600); err != nil {
				t.Skip(err)
			}
		}, local.ErrKeyNotFile},
		{"a device", func(t *testing.T, key string) { os.Symlink("/dev/zero", key) }, local.ErrKeyNotFile},
		{"2 GB", func(t *testing.T, key string) {
			f, err := os.OpenFile(key, os.O_CREATE|os.O_WRONLY, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			f.Truncate(2 << 30)
			f.Close()
		}, local.ErrWrongKey},
		{"empty", func(t *testing.T, key string) { os.WriteFile(key, nil, 0o600) }, local.ErrWrongKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, key := created(t)
			if err := os.Remove(key); err != nil {
				t.Fatal(err)
			}
			tc.place(t, key)
			before := fileHash(t, store)
			done := make(chan error, 1)
			go func() {
				s, err := local.Open(store, key)
				if err == nil {
					s.Close()
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute): // a safety net for a hang, not a window
				t.Fatal("Open has not returned in a minute")
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), key) {
				t.Errorf("Open: %v, want %v naming %s", err, tc.want, key)
			}
			if fileHash(t, store) != before {
				t.Error("Open changed the store file")
			}
		})
	}
}
