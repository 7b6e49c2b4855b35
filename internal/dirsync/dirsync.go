// Package dirsync flushes a folder's entries to disk: what makes a file
// just created, renamed or linked into it survive a power cut. It links
// nothing else, so that the kiosk, which must not link the stores, can
// use it.
package dirsync

import (
	"os"
	"runtime"
)

// Sync flushes the entries of the folder dir, so that a file just
// created or renamed in it survives a crash. Windows has no such call:
// there it does nothing.
func Sync(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
