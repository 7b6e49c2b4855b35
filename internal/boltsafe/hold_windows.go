package boltsafe

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lock takes bbolt's lock on f, an exclusive lock of the byte range
// -1..0, or returns errHeld.
func lock(f *os.File) error {
	const m1 = 1<<32 - 1 // -1 in a uint32
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
		&windows.Overlapped{Offset: m1, OffsetHigh: m1})
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errHeld
	}
	return err
}

// unlock lets go of bbolt's lock on f, the byte range lock takes.
func unlock(f *os.File) error {
	const m1 = 1<<32 - 1 // -1 in a uint32
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &windows.Overlapped{Offset: m1, OffsetHigh: m1})
}
