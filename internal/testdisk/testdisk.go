//go:build linux

// Package testdisk gives tests a real file system that fills up: a tmpfs
// of a given size mounted for the test ([Small]), and a file that takes
// what space is left ([Fill]), as another program would. Mounting needs
// root: a test that asks for a disk skips itself otherwise.
package testdisk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Small mounts a tmpfs of size (as mount's option size=: "2m", "256k")
// on a new folder of the system's temporary folder and returns its path;
// the test's end unmounts it. It skips t unless it may mount.
func Small(t testing.TB, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount a small tmpfs")
	}
	dir, err := os.MkdirTemp("", "pinsede-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
			return
		}
		os.Remove(dir)
	})
	return dir
}

// Fill writes a file in dir until its file system has no space left, and
// returns its path: removing it gives the space back.
func Fill(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "altro-programma.tmp")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v, want the disk full", dir, err)
			}
			return path
		}
	}
}
