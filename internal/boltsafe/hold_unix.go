//go:build !windows

package boltsafe

import (
	"errors"
	"os"
	"syscall"
)

// lock takes bbolt's lock on f, an exclusive flock, or returns errHeld.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errHeld
	}
	return err
}

// unlock lets go of bbolt's lock on f. Closing f alone would not while
// bbolt's memory map of the file holds its open file description.
func unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
