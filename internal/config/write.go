package config

import (
	"bytes"
	"errors"
	"fmt"
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
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename, nothing
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
