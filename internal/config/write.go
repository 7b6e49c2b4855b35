package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
	"github.com/pinsede/pinsede/internal/smallfile"
)

// SetKeys sets keys in the TOML file at path, creating it (and its
// folder) when missing, and keeps its other keys. A file that does not
// exist yet starts from seed's keys, when seed names one that exists:
// the user's file then stands in for the machine's (DefaultFiles reads
// only the first that exists) without losing what the machine's set.
// The file is replaced at once (a temporary file renamed over it), with
// mode perm. Comments of the file are not kept.
func SetKeys(path string, keys map[string]string, seed string, perm fs.FileMode) error {
	doc := map[string]any{}
	from := path
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && seed != "" && seed != path {
		from = seed
	}
	data, err := smallfile.ReadRegular(from, "config", MaxFileBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err // it names the file
	default:
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return fmt.Errorf("config file %s: %w", from, err)
		}
	}
	for k, v := range keys {
		doc[k] = v
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return WriteFile(path, b.Bytes(), perm)
}

// WriteFile writes data to path through a temporary file of mode perm in
// the same folder, renamed over path: a reader sees the old file or the
// new one, never half of it, and a secret is never readable by others,
// not even while it is written.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return writeTemp(path, perm, nil, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, os.Rename)
}

// ReplaceFile is WriteFile for a file its administrator may have given a
// group, as centrale's server key is given centrale's (0640
// root:pinsede, packaging/README.centrale): the regular file at path, if
// any, passes its owner and group to the new one before it takes its
// place, and its group's permission bits when it gives others none (a
// file others could read was not made for a group: a key written over it
// stays its owner's). Others get no more than perm. Written 0600 of the
// user who renewed it, a server key was unreadable to centrale, which
// refused the pair and did not start again. On a system without file
// owners, it is WriteFile.
func ReplaceFile(path string, data []byte, perm fs.FileMode) error {
	var prepare func(*os.File) error
	if old, err := os.Stat(path); err == nil && old.Mode().IsRegular() {
		if old.Mode().Perm()&0o007 == 0 {
			perm |= old.Mode().Perm() & 0o070
		}
		prepare = func(f *os.File) error { return sameOwner(f, old) }
	}
	return writeTemp(path, perm, prepare, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, os.Rename)
}

// WriteNew makes the file path, which must not exist, of mode perm, with
// what write writes, whole or not at all: under a temporary name in its
// folder, synced, then linked to path. On error, write's or the disk's
// (full, or over a size limit), nothing is left: no path, no temporary
// file. A path that exists is an error of kind fs.ErrExist, and is left
// as it was.
func WriteNew(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return writeTemp(path, perm, nil, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}, os.Link)
}

// writeTemp writes, with write, a temporary file of mode perm in path's
// folder, syncs it, and puts it at path with place (os.Rename, os.Link);
// the temporary file is removed in any case. prepare, when not nil, acts
// on the temporary file before its mode is set (sameOwner).
func writeTemp(path string, perm fs.FileMode, prepare func(*os.File) error, write func(io.Writer) error, place func(tmp, path string) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a rename, nothing; after a link, the temporary name
	if prepare != nil {
		err = prepare(f)
	}
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = write(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return place(f.Name(), path)
}
