// Package diskerr tells why a write failed when the cause is the disk's,
// not the program's: the disk full, the user's quota used up, a file past
// the largest the file system takes, a file system mounted read-only (as
// Linux remounts one after disk errors), no permission to write. Each
// program says it to its user in its own words, with what to do: pinctl
// to an administrator, naming its flags; the desk to a clerk, whose form
// stays filled; the kiosk to the sede's staff. [Of] says which it is.
package diskerr

import (
	"errors"
	"io/fs"
	"syscall"
)

// Kind is why the disk refused a write, as its user can act on it.
type Kind int

// The kinds of refusal. A refusal of none of them is None.
const (
	// None is an error that is not the disk's.
	None Kind = iota
	// Full is a disk with no space left (ENOSPC): free some.
	Full
	// Quota is the user's disk quota used up (EDQUOT): free some of
	// the user's files.
	Quota
	// TooLarge is a file past the largest its file system takes
	// (EFBIG): write it on another disk.
	TooLarge
	// ReadOnly is a file system mounted read-only (EROFS): Linux
	// remounts a disk so after errors, which want a technician.
	ReadOnly
	// Denied is a file or a folder the program's user may not write
	// (EACCES, EPERM): give the user the permission.
	Denied
)

// Of returns the kind of err, a write's error (wrapped or not, an
// *fs.PathError or a bare errno), or None when the disk did not refuse it.
func Of(err error) Kind {
	switch {
	case err == nil:
		return None
	case errors.Is(err, syscall.ENOSPC):
		return Full
	case errors.Is(err, syscall.EDQUOT):
		return Quota
	case errors.Is(err, syscall.EFBIG):
		return TooLarge
	case errors.Is(err, syscall.EROFS):
		return ReadOnly
	case errors.Is(err, fs.ErrPermission):
		return Denied
	}
	return None
}
