//go:build linux

// Package testdisk gives tests a real file system that fills up: a tmpfs
// of a given size mounted for the test ([Small]), and a file that takes
// what space is left ([Fill]), as another program would; a file the
// system no longer lets anyone change, open or not ([Immutable]), as an
// administrator's chattr +i does; a disk that fails ([Failing]): an
// ext4 file system its kernel shuts down, as after its disk's errors;
// and a disk that does not answer ([Hung]): an ext4 file system frozen,
// every write waiting. All need root: a test that asks for them skips
// itself otherwise.
package testdisk

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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
	unmountAtEnd(t, dir)
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

// ext4IOCShutdown is ext4's ioctl that shuts its file system down
// (linux/ext4.h EXT4_IOC_SHUTDOWN, _IOR('X', 125, __u32)), and
// ext4GoingNoLogFlush its way of doing it without writing its journal
// (EXT4_GOING_FLAGS_NOLOGFLUSH), as a disk that stops answering does.
const (
	ext4IOCShutdown     = 0x8004587D
	ext4GoingNoLogFlush = 2
)

// Failing mounts a new ext4 file system of 64 MiB (an image file on a
// loop device) on a new folder of the system's temporary folder and
// returns its path, and fail, which makes its disk fail: the kernel shuts
// the file system down, as ext4 does after its disk's errors, and from
// then on every write and sync in it fails with EIO (an input/output
// error), through a file open already too. The heal fail returns mounts
// it again, its disk well, once no file in it is open (as the system's
// start after a repair): call it before t.TempDir's folders on it are
// removed. The test's end unmounts it. It skips t unless it may: root,
// mkfs.ext4 and mount's loop devices.
func Failing(t testing.TB) (dir string, fail func() (heal func())) {
	t.Helper()
	dir, mount := ext4(t)
	fail = func() (heal func()) {
		t.Helper()
		f, err := os.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := unix.IoctlSetPointerInt(int(f.Fd()), ext4IOCShutdown, ext4GoingNoLogFlush); err != nil {
			t.Fatalf("shut down the file system on %s: %v", dir, err)
		}
		return func() {
			if err := syscall.Unmount(dir, 0); err != nil {
				t.Errorf("unmount the failed %s: %v", dir, err)
				return
			}
			if err := mount(); err != nil {
				t.Error(err)
			}
		}
	}
	return dir, fail
}

// fiFreeze and fiThaw are the ioctls that freeze a file system and thaw
// it (linux/fs.h FIFREEZE, _IOWR('X', 119, int), and FITHAW, 120).
const (
	fiFreeze = 0xC0045877
	fiThaw   = 0xC0045878
)

// Hung mounts a new ext4 file system as [Failing] does and returns its
// path, and hang, which makes its disk stop answering: the file system
// is frozen (FIFREEZE, as fsfreeze does), and from then on every write
// in it waits, through a file open already too, its sync with it, as on
// a disk that no longer answers, until resume, which thaws it (FITHAW).
// The test's end thaws it, if need be, and unmounts it. It skips t
// unless it may.
func Hung(t testing.TB) (dir string, hang func() (resume func())) {
	t.Helper()
	dir, _ = ext4(t)
	ioctl := func(req uint) error { // the file system's, through its root
		f, err := os.Open(dir)
		if err != nil {
			return err
		}
		defer f.Close()
		return unix.IoctlSetInt(int(f.Fd()), req, 0)
	}
	hang = func() (resume func()) {
		t.Helper()
		if err := ioctl(fiFreeze); err != nil {
			t.Fatalf("freeze the file system on %s: %v", dir, err)
		}
		var once sync.Once
		resume = func() {
			once.Do(func() {
				if err := ioctl(fiThaw); err != nil {
					t.Errorf("thaw the file system on %s: %v", dir, err)
				}
			})
		}
		t.Cleanup(resume) // before the unmount, registered earlier
		return resume
	}
	return dir, hang
}

// ext4 mounts a new ext4 file system of 64 MiB (an image file on a loop
// device) on a new folder of the system's temporary folder, and returns
// its path and mount, which mounts it there again once unmounted. The
// test's end unmounts it. It skips t unless it may: root, mkfs.ext4 and
// mount's loop devices.
func ext4(t testing.TB) (dir string, mount func() error) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount an ext4 image")
	}
	// Not in t.TempDir: its first call fixes the folder of the test's
	// others, which a test may want on the file system mounted here.
	f, err := os.CreateTemp("", "pinsede-disco-*.img")
	if err != nil {
		t.Fatal(err)
	}
	img := f.Name()
	t.Cleanup(func() { os.Remove(img) })
	err = f.Truncate(64 << 20)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		t.Skipf("cannot make an ext4 image: %v: %s", err, out)
	}
	dir, err = os.MkdirTemp("", "pinsede-disk-")
	if err != nil {
		t.Fatal(err)
	}
	mount = func() error {
		if out, err := exec.Command("mount", "-o", "loop", img, dir).CombinedOutput(); err != nil {
			return fmt.Errorf("mount %s on %s: %w: %s", img, dir, err, out)
		}
		return nil
	}
	if err := mount(); err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount an ext4 image: %v", err)
	}
	unmountAtEnd(t, dir)
	return dir, mount
}

// unmountAtEnd has the test's end unmount the file system mounted on
// dir, and remove dir.
func unmountAtEnd(t testing.TB, dir string) {
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
			return
		}
		os.Remove(dir)
	})
}
