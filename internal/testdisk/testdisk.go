//go:build linux

// Package testdisk gives tests a real file system that fills up: a tmpfs
// of a given size mounted for the test ([Small]), and a file that takes
// what space is left ([Fill]), as another program would; and a file the
// system no longer lets anyone change, open or not ([Immutable]), as an
// administrator's chattr +i does. Both need root: a test that asks for
// them skips itself otherwise.
package testdisk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
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

// fsImmutableFL is the file attribute immutable (linux/fs.h
// FS_IMMUTABLE_FL): no write, even through a file already open.
const fsImmutableFL = 0x10

// Immutable makes the file at path immutable, as chattr +i does: every
// write to it, through a file already open too, fails (EPERM), root's
// included. The returned function, also run at the test's end, makes it
// writable again. It skips t unless the file's system and user allow it.
func Immutable(t testing.TB, path string) (undo func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to make a file immutable")
	}
	setFlags := func(set bool) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
		if err != nil {
			return err
		}
		if set {
			flags |= fsImmutableFL
		} else {
			flags &^= fsImmutableFL
		}
		return unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags))
	}
	if err := setFlags(true); err != nil {
		t.Skipf("cannot make %s immutable: %v", path, err)
	}
	done := false
	undo = func() {
		if done {
			return
		}
		done = true
		if err := setFlags(false); err != nil {
			t.Errorf("make %s writable again: %v", path, err)
		}
	}
	t.Cleanup(undo)
	return undo
}
