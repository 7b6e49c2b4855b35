// Package diskerr tells why a write failed when the cause is the disk's,
// not the program's: the disk full, the user's quota used up, a file past
// the largest the file system takes, a file system mounted read-only (as
// Linux remounts one after disk errors), no permission to write, the disk
// failing (an input/output error). Each
// program says it to its user in its own words, with what to do: pinctl
// to an administrator, naming its flags; the desk to a clerk, whose form
// stays filled; the kiosk to the sede's staff. [Of] says which it is.
package diskerr

import (
	"errors"
	"io/fs"
	"strings"
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
	// Failing is a disk that did not carry out the write (EIO): it is
	// failing, or its file system was shut down after its errors. Copy
	// what it holds while it still reads, and have it checked.
	Failing
)

// Of returns the kind of err, a write's error (wrapped or not, an
// *fs.PathError or a bare errno), or None when the disk did not refuse it.
// bbolt writes some errors of its file into its own as text, their errno
// lost (see flattened): Of reads those back.
func Of(err error) Kind {
	if err == nil {
		return None
	}
	for _, r := range refusals {
		if errors.Is(err, r.errno) {
			return r.kind
		}
	}
	if errors.Is(err, fs.ErrPermission) {
		return Denied
	}
	return flattenedKind(err.Error())
}

// refusals are the errnos of the disk's refusals, by kind.
var refusals = []struct {
	errno syscall.Errno
	kind  Kind
}{
	{syscall.ENOSPC, Full},
	{syscall.EDQUOT, Quota},
	{syscall.EFBIG, TooLarge},
	{syscall.EROFS, ReadOnly},
	{syscall.EACCES, Denied},
	{syscall.EPERM, Denied},
	{syscall.EIO, Failing},
}

// flattened are the words bbolt (go.etcd.io/bbolt 1.5) puts before an
// error of its file that it formats as text (%s), not wrapped: those of
// the Truncate and the Sync that grow the file at a commit (DB.grow:
// "file resize error: truncate PATH: file too large"), and of the mmap
// of the file grown (DB.allocate: "mmap allocate error: input/output
// error"). A commit past a file size limit, or to a file made immutable,
// fails there, before any write; one on a failing disk there or at its
// writes.
var flattened = []string{"file resize error: ", "file sync error: ", "mmap allocate error: "}

// flattenedKind returns the kind of the refusal that msg, an error's
// text, ends with after one of bbolt's flattened words, or None.
func flattenedKind(msg string) Kind {
	for _, words := range flattened {
		i := strings.LastIndex(msg, words)
		if i < 0 {
			continue
		}
		tail := msg[i+len(words):]
		for _, r := range refusals {
			if text := r.errno.Error(); tail == text || strings.HasSuffix(tail, ": "+text) {
				return r.kind
			}
		}
	}
	return None
}
