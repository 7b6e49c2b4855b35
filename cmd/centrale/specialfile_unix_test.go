//go:build unix

package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ensure that centrale, given a named pipe where it reads a file (its
// config file, its policy, the CA's certificate, the revocation list,
// its certificate and key), or a device or a folder as its config file,
// ends at once with an error that names the file and what is there,
// rather than wait at the open for a writer that never comes.
func TestSpecialFiles(t *testing.T) {
	dir, _ := serverPKI(t) // observe_test.go
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { // releases a reader stuck opening it
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	base := []string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "", "-bolt", filepath.Join(t.TempDir(), "c.db")}
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"config", []string{"-config", fifo}, "config file " + fifo + " is not a regular file but a pipe"},
		{"config a device", []string{"-config", "/dev/null"}, "config file /dev/null is not a regular file but a device"},
		{"config a folder", []string{"-config", dir}, "config file " + dir + " is a directory"},
		{"policy", []string{"-policy", fifo}, "policy file " + fifo + " is not a regular file but a pipe"},
		{"ca", []string{"-ca", fifo}, fifo + " is not a regular file but a pipe"},
		{"crl", []string{"-crl", fifo}, fifo + " is not a regular file but a pipe"},
		{"cert", []string{"-cert", fifo}, fifo + " is not a regular file but a pipe"},
		{"key", []string{"-key", fifo}, fifo + " is not a regular file but a pipe"},
		{"bolt", []string{"-bolt", fifo}, "central store file " + fifo + " is not a regular file but a pipe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				c, err := parse(append(base, tc.args...), io.Discard)
				if err == nil {
					err = serve(context.Background(), c, slog.New(slog.DiscardHandler), nil)
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute): // a safety net for a hang, not a window
				t.Fatalf("centrale %s has not ended in a minute", strings.Join(tc.args, " "))
			}
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("centrale %s: %v, want %q", strings.Join(tc.args, " "), err, tc.says)
			}
		})
	}
}
