package boltsafe

import (
	"errors"
	"fmt"
	"os"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// errHeld is what lock returns while another open file holds the lock.
var errHeld = errors.New("held")

// holdPoll is how often Hold tries the lock: bbolt's flockRetryTimeout.
const holdPoll = 50 * time.Millisecond

// Hold takes the lock bbolt takes on a file it opens to write, on the
// bbolt file at path, without reading a page of it: a file bbolt panics
// on at open (its freelist page damaged) is held as a whole one is, and
// no program opens it with bbolt, to write or to read, until release. It
// waits at most timeout (polling as bbolt does) for a program that holds
// the file, then fails with bbolt's berrors.ErrTimeout.
func Hold(path string, timeout time.Duration) (release func() error, err error) {
	f, err := HoldFile(path, timeout)
	if err != nil {
		return nil, err
	}
	return f.Close, nil // closing the file lets go of its lock
}

// HoldFile is Hold, and returns the file held, opened read-only: closing
// it lets go of the lock. It tells which file was held when path may name
// another by then (os.SameFile of its Stat and path's).
func HoldFile(path string, timeout time.Duration) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hold %s: %w", path, err)
	}
	for waited := time.Duration(0); ; waited += holdPoll {
		err = lock(f)
		if !errors.Is(err, errHeld) {
			break
		}
		if waited >= timeout {
			err = berrors.ErrTimeout
			break
		}
		time.Sleep(holdPoll)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("hold %s: %w", path, err)
	}
	return f, nil
}
