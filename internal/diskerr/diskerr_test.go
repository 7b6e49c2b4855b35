package diskerr

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

// Ensure that Of tells each refusal of the disk, wrapped, bare, or
// flattened to text by bbolt's growth of its file, and nothing else.
func TestOf(t *testing.T) {
	// bbolt's DB.grow: fmt.Errorf("file resize error: %s", err).
	grow := func(words, op string, errno syscall.Errno) error {
		return fmt.Errorf("issue: commit to store /s.db: %s", fmt.Sprintf(words+"%s", &fs.PathError{Op: op, Path: "/s.db", Err: errno}))
	}
	for _, c := range []struct {
		err  error
		want Kind
	}{
		{nil, None},
		{errors.New("sealed record does not open"), None},
		{fmt.Errorf("commit: %w", &fs.PathError{Op: "write", Path: "/s.db", Err: syscall.ENOSPC}), Full},
		{syscall.EDQUOT, Quota},
		{&fs.PathError{Op: "write", Path: "/s.db", Err: syscall.EFBIG}, TooLarge},
		{fmt.Errorf("open: %w", syscall.EROFS), ReadOnly},
		{&fs.PathError{Op: "open", Path: "/s.db", Err: syscall.EACCES}, Denied},
		{fs.ErrPermission, Denied},
		{grow("file resize error: ", "truncate", syscall.EFBIG), TooLarge},
		{grow("file resize error: ", "truncate", syscall.EPERM), Denied},
		{grow("file sync error: ", "sync", syscall.ENOSPC), Full},
		{grow("file sync error: ", "sync", syscall.EDQUOT), Quota},
		{grow("file resize error: ", "truncate", syscall.EIO), Failing},
		{fmt.Errorf("commit: %w", &fs.PathError{Op: "write", Path: "/s.db", Err: syscall.EIO}), Failing},
		{grow("file resize error: ", "truncate", syscall.EINVAL), None},
		// bbolt's DB.allocate: fmt.Errorf("mmap allocate error: %s", err).
		{fmt.Errorf("commit to store /s.db: store not written: %s", "mmap allocate error: "+syscall.EIO.Error()), Failing},
		// The same words from elsewhere, without them, are not a refusal.
		{errors.New("centrale: 403: file too large"), None},
	} {
		if got := Of(c.err); got != c.want {
			t.Errorf("Of(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
