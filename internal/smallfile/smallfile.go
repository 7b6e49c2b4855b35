// Package smallfile reads the small files an administrator names to a
// program: a policy, a secret, a certificate, a revocation list. It reads
// one whole, up to a bound the caller sets for what the file holds, and
// says what is wrong with it, naming it: missing, unreadable, a
// directory, or larger than what it should hold can be (the wrong file
// named: a log, a disk image, /dev/zero).
//
// # Caveats
//
// A file may be a pipe (-secret-file <(pass show pinsede)): it is read
// as any other, up to the bound, and its size is not asked beforehand.
// Whether an empty file is an error is the caller's to say.
package smallfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Read returns the contents of the file at path, which holds a what
// ("policy", "secret"...: the errors name it so), at most limit bytes.
func Read(path, what string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s file %s does not exist: check the path", what, path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s file %s cannot be read: permission denied; let the program's user read it", what, path)
	case err != nil:
		return nil, fmt.Errorf("%s file: %w", what, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s file %s is a directory: name the file in it", what, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s file %s: %w", what, path, err)
	case int64(len(b)) > limit:
		return nil, fmt.Errorf("%s file %s has more than %d bytes, more than a %s holds: check that it is the right file", what, path, limit, what)
	}
	return b, nil
}
