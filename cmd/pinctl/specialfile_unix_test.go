//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe at path that no program writes to, and, at
// the end of the test, opens it for writing, which releases a reader
// stuck opening it.
func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	return path
}

// Ensure that pinctl, given a named pipe, a device or a folder where it
// reads a file (its config file, its store, a certificate, a file of the
// CA), ends at once with a message in Italian that names the path and
// what is there, rather than wait at the open for a writer that never
// comes.
func TestSpecialFiles(t *testing.T) {
	sb := setUp(t)
	dir := t.TempDir()
	fifo := mkfifo(t, filepath.Join(dir, "fifo"))
	caDir := filepath.Join(dir, "ca")
	if err := os.Mkdir(caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, filepath.Join(caDir, "ca.crt"))
	if err := os.WriteFile(filepath.Join(caDir, "ca.key"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		code int
		says string
		args []string
	}{
		{"a pipe as config file", exitUsage, "file di configurazione: " + fifo + " non è un file ma una pipe (FIFO): non è stato letto nulla",
			[]string{"-config", fifo, "operator", "list"}},
		{"a folder as config file", exitUsage, dir + " non è un file ma una cartella", []string{"-config", dir, "operator", "list"}},
		{"a device as config file", exitUsage, "/dev/null non è un file ma un dispositivo", []string{"-config", "/dev/null", "operator", "list"}},
		{"a pipe as store", exitFail, fifo + " non è un file ma una pipe (FIFO)", []string{"-store", fifo, "operator", "list"}},
		{"a pipe as certificate", exitFail, fifo + " non è un file ma una pipe (FIFO)",
			[]string{"audit", "verify", "-centrale", "https://127.0.0.1:1", "-ca", fifo, "-cert", fifo, "-certkey", fifo}},
		{"a pipe as the CA's certificate", exitFail, filepath.Join(caDir, "ca.crt") + " non è un file ma una pipe (FIFO)",
			[]string{"ca", "issue", "-dir", caDir, "-role", "sede", "-code", "ROMA01", "-out", filepath.Join(dir, "roma01")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan result, 1)
			go func() { done <- sb.run(t, "", tc.args...) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(time.Minute): // a safety net for a hang, not a window
				t.Fatalf("pinctl %s has not ended in a minute", strings.Join(tc.args, " "))
			}
			if r.code != tc.code || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("pinctl %s: exit %d, %q; want exit %d, %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.code, tc.says)
			}
		})
	}
}
