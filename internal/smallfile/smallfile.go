// Package smallfile reads the small files an administrator names to a
// program: a policy, a secret, a certificate, a revocation list. It reads
// one whole, up to a bound the caller sets for what the file holds, and
// says what is wrong with it, naming it: missing, unreadable, a
// directory, or larger than what it should hold can be (the wrong file
// named: a log, a disk image, /dev/zero).
//
// [ReadRegular] reads a file that must be a regular one: a file an
// administrator names (a config file, a certificate, a key, a revocation
// list, a policy), a file that only a program writes in a folder others
// may write to (a kiosk's spool on a share). A pipe, a device or a
// socket put in its place is refused without a read, so that it can
// neither hang the reader nor feed it without end; [OpenRegular] opens
// one so, for a reader of its own.
//
// The errors are an [*Error], which names the file and says what to fix;
// errors.Is tells their kind: [fs.ErrNotExist], [fs.ErrPermission],
// [ErrTooLarge], [ErrNotRegular].
//
// # Caveats
//
// A file given to [Read] may be a pipe (-secret-file <(pass show
// pinsede)): it is read as any other, up to the bound, and its size is
// not asked beforehand; a named pipe that no program writes to blocks
// Read at its open, as it would any reader. Only a secret is read so.
// Whether an empty file is an error is the caller's to say.
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

// Error is an error of a file named to a program: its message names the
// file and says what to fix, in English, and its fields let a program
// say it in the user's language. errors.Is tells its Kind.
type Error struct {
	// Path is the file's path, as it was given.
	Path string
	// Kind is one of fs.ErrNotExist, fs.ErrPermission, ErrTooLarge and
	// ErrNotRegular.
	Kind error
	// Type is, for ErrNotRegular, the type of what is at Path: one of
	// fs.ModeDir, fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice, or
	// another of fs.ModeType's bits.
	Type fs.FileMode
	msg  string
}

// Error returns the message, in English.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the Kind.
func (e *Error) Unwrap() error { return e.Kind }

// failf returns an Error of kind about the file at path.
func failf(kind error, path string, format string, args ...any) *Error {
	return &Error{Path: path, Kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Read returns the contents of the file at path, which holds a what
// ("policy", "secret"...: the errors name it so), at most limit bytes.
func Read(path, what string, limit int64) ([]byte, error) {
	return read(path, what, limit, false)
}

// ReadRegular is Read for a file that must be a regular file: a pipe
// (named or not), a device or a socket at path is refused, never read,
// as OpenRegular does, so that a named pipe no program writes to does
// not hang the caller.
func ReadRegular(path, what string, limit int64) ([]byte, error) {
	return read(path, what, limit, true)
}

// OpenRegular opens the file at path, which holds a what, for reading,
// when it is a regular file; a directory, a pipe, a device or a socket
// is refused with an error that names it (of kind ErrNotRegular). It
// looks before it opens, so that a device is never opened; opens without
// blocking, so that a named pipe put there meanwhile does not hang the
// open; and looks again at what it opened, which is what is read.
func OpenRegular(path, what string) (*os.File, error) {
	return OpenFileRegular(path, what, os.O_RDONLY, 0)
}

// OpenFileRegular is os.OpenFile for a file that must be a regular one,
// as OpenRegular opens it: a file that a program writes too, such as a
// database (bbolt's Options.OpenFile), whose writes would otherwise go
// to a pipe or a disk named in its place. A file missing is created when
// flag says so (os.O_CREATE).
func OpenFileRegular(path, what string, flag int, perm fs.FileMode) (*os.File, error) {
	st, err := os.Stat(path)
	switch {
	case err == nil:
		if err := regularFile(st, path, what); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrNotExist) || flag&os.O_CREATE == 0:
		return nil, openError(err, path, what, flag)
	}
	f, err := os.OpenFile(path, flag|nonBlock, perm) // nonBlock: smallfile_unix.go
	if err != nil {
		return nil, openError(err, path, what, flag)
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s file %s: %w", what, path, err)
	}
	if err := regularFile(st, path, what); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// regularFile refuses st, of the file at path, unless it is a regular
// file.
func regularFile(st fs.FileInfo, path, what string) error {
	switch {
	case st.IsDir():
		e := failf(ErrNotRegular, path, "%s file %s is a directory: name the file in it", what, path)
		e.Type = fs.ModeDir
		return e
	case !st.Mode().IsRegular():
		e := failf(ErrNotRegular, path, "%s file %s is not a regular file but a %s: put the %s file there", what, path, kind(st.Mode()), what)
		e.Type = st.Mode().Type()
		return e
	}
	return nil
}

// openError says what is wrong with the file at path that could not be
// opened with flag, or looked at, for err: a permission denied to a
// file opened to write is one to write it, not to read it.
func openError(err error, path, what string, flag int) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return failf(fs.ErrNotExist, path, "%s file %s does not exist: check the path", what, path)
	case errors.Is(err, fs.ErrPermission) && flag&(os.O_WRONLY|os.O_RDWR) != 0:
		return failf(fs.ErrPermission, path, "%s file %s cannot be written: permission denied; let the program's user write it", what, path)
	case errors.Is(err, fs.ErrPermission):
		return failf(fs.ErrPermission, path, "%s file %s cannot be read: permission denied; let the program's user read it", what, path)
	}
	return fmt.Errorf("%s file %s: %w", what, path, err)
}

// read is Read, and ReadRegular when regular is set.
func read(path, what string, limit int64, regular bool) ([]byte, error) {
	var f *os.File
	var err error
	if regular {
		f, err = OpenRegular(path, what)
	} else if f, err = os.Open(path); err != nil {
		err = openError(err, path, what, os.O_RDONLY)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, regularFile(st, path, what)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s file %s: %w", what, path, err)
	case int64(len(b)) > limit:
		return nil, failf(ErrTooLarge, path, "%s file %s has more than %d bytes, more than a %s holds: check that it is the right file", what, path, limit, what)
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
