// Package smallfile reads the small files an administrator names to a
// program: a policy, a secret, a certificate, a revocation list. It reads
// one whole, up to a bound the caller sets for what the file holds, and
// says what is wrong with it, naming it: missing, unreadable, a
// directory, or larger than what it should hold can be (the wrong file
// named: a log, a disk image, /dev/zero).
//
// [ReadRegular] reads a file that only a program writes, in a folder
// others may write to (a kiosk's spool on a share), or a key: it must be
// a regular file, and a pipe, a device or a socket put in its place is
// refused without a read, so that it can neither hang the reader nor
// feed it without end.
//
// The errors name the file and say what to fix; errors.Is tells their
// kind: [fs.ErrNotExist], [fs.ErrPermission], [ErrTooLarge],
// [ErrNotRegular].
//
// # Caveats
//
// A file given to [Read] may be a pipe (-secret-file <(pass show
// pinsede)): it is read as any other, up to the bound, and its size is
// not asked beforehand; a named pipe that no program writes to blocks
// Read at its open, as it would any reader. Whether an empty file is an
// error is the caller's to say.
package smallfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge is the kind of error of a file larger than its bound.
var ErrTooLarge = errors.New("file larger than it should be")

// ErrNotRegular is the kind of error of a directory, and for
// ReadRegular of a pipe, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// fileError is an error that names a file and says what to fix, of a
// kind errors.Is tells.
type fileError struct {
	msg  string
	kind error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.kind }

// failf returns a fileError of kind.
func failf(kind error, format string, args ...any) error {
	return &fileError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// Read returns the contents of the file at path, which holds a what
// ("policy", "secret"...: the errors name it so), at most limit bytes.
func Read(path, what string, limit int64) ([]byte, error) {
	return read(path, what, limit, false)
}

// ReadRegular is Read for a file that must be a regular file: a pipe
// (named or not), a device or a socket at path is refused, and it is
// opened without blocking, so that a named pipe no program writes to
// does not hang the caller.
func ReadRegular(path, what string, limit int64) ([]byte, error) {
	return read(path, what, limit, true)
}

// read is Read, and ReadRegular when regular is set.
func read(path, what string, limit int64, regular bool) ([]byte, error) {
	flag := os.O_RDONLY
	if regular {
		flag |= nonBlock // smallfile_unix.go
	}
	f, err := os.OpenFile(path, flag, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, failf(fs.ErrNotExist, "%s file %s does not exist: check the path", what, path)
	case errors.Is(err, fs.ErrPermission):
		return nil, failf(fs.ErrPermission, "%s file %s cannot be read: permission denied; let the program's user read it", what, path)
	case err != nil:
		return nil, fmt.Errorf("%s file: %w", what, err)
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err == nil && st.IsDir():
		return nil, failf(ErrNotRegular, "%s file %s is a directory: name the file in it", what, path)
	case regular && err != nil:
		return nil, fmt.Errorf("%s file %s: %w", what, path, err)
	case regular && !st.Mode().IsRegular():
		return nil, failf(ErrNotRegular, "%s file %s is not a regular file but a %s: put the %s file there", what, path, kind(st.Mode()), what)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s file %s: %w", what, path, err)
	case int64(len(b)) > limit:
		return nil, failf(ErrTooLarge, "%s file %s has more than %d bytes, more than a %s holds: check that it is the right file", what, path, limit, what)
	}
	return b, nil
}

// kind names the type of a file that is neither regular nor a
// directory.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
