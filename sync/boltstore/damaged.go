package boltstore

import (
	"errors"
	"fmt"

	"github.com/pinsede/pinsede/internal/boltsafe"
)

// Open opens (creating it if needed) the store at path. A store bbolt
// finds damaged as it opens it and brings it up to date (a page zeroed
// or overwritten on disk, which bbolt panics on) is an error wrapping
// boltsafe.ErrDamaged that says how to restore it; the file is left as it
// is, and held until the process ends.
func Open(path string) (*Store, error) {
	var s *Store
	err := boltsafe.Do(func() error {
		var err error
		s, err = openStore(path)
		return err
	})
	if errors.Is(err, boltsafe.ErrDamaged) {
		return nil, fmt.Errorf("open central store %s: %w; "+
			"stop centrale and put in its place the newest copy of -backup-dir (or of centrale backup), keeping this file aside", path, err)
	}
	return s, err
}
