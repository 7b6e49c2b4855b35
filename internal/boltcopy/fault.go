package boltcopy

import (
	"errors"
	"io/fs"
	"slices"

	"github.com/pinsede/pinsede/internal/boltsafe"
	"syscall"
)

// Fault is why a copy could not be written, in the terms of what the
// operator does about it.
type Fault int

const (
	// FaultOther is any other reason: the detail is in the log.
	FaultOther Fault = iota
	// FaultNoSpace is a full disk, or a quota used up: free some space.
	FaultNoSpace
	// FaultNotWritable is a folder that cannot be made or written to
	// (permissions, a read-only disk, a file in the way): give the
	// program the right to write there, or choose another folder.
	FaultNotWritable
	// FaultDamaged is a copy found damaged once written
	// (boltsafe.ErrDamaged): the store copied is damaged, to be restored
	// from a copy of before, which are kept.
	FaultDamaged
)

// String names the fault, for the log and the metrics.
func (f Fault) String() string {
	switch f {
	case FaultNoSpace:
		return "no_space"
	case FaultNotWritable:
		return "not_writable"
	case FaultDamaged:
		return "damaged"
	}
	return "other"
}

// FaultOf returns why err, from ToFile, Prune, the making of the copies'
// folder or the check of the copy written, kept the copy from being
// written or counted.
func FaultOf(err error) Fault {
	switch {
	case errors.Is(err, boltsafe.ErrDamaged):
		return FaultDamaged
	case slices.ContainsFunc(noSpace, func(e error) bool { return errors.Is(err, e) }):
		return FaultNoSpace
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.ENOTDIR):
		return FaultNotWritable
	}
	return FaultOther
}
