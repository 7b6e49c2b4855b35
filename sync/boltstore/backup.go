package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/pinsede/pinsede/internal/boltcopy"
	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store file to w, as of the
// moment it starts, while centrale goes on serving: it runs in one bbolt
// read transaction (Tx.WriteTo), so a push is in the copy whole or not at
// all. It returns the number of bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	n, err := boltcopy.WriteTo(s.db.DB, w)
	if err != nil {
		return n, fmt.Errorf("back up central store %s: %w", s.path, err)
	}
	return n, nil
}

// ErrExists is returned by BackupFile when the copy's file exists.
var ErrExists = boltcopy.ErrExists

// BackupFile writes a copy of the store (see Backup) to a new file at
// path, readable by the user only; it refuses with ErrExists when path
// exists. The copy is written beside path, given an epoch of its own
// from its newest change (what NewEpoch, `centrale restore`, would give
// it; the store keeps its own), synced and renamed into place when
// complete (boltcopy.ToFileEdit): a copy at path is always whole, with
// its epoch, and put back with a plain cp it is a new epoch to every
// desk. Backup's stream keeps the store's epoch.
func (s *Store) BackupFile(path string) (int64, error) {
	n, err := boltcopy.ToFileEdit(context.Background(), s.db.DB, path, freshEpoch)
	if err != nil {
		return 0, fmt.Errorf("back up central store %s to %s: %w", s.path, path, err)
	}
	return n, nil
}

// Counts returns the number of records in each bucket of the store, by
// bucket name (events, credentials, changes, forms, delegations...), for a
// check of a copy.
func (s *Store) Counts() (map[string]int, error) {
	counts := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			switch {
			case bytes.Equal(name, bucketEventsByID):
				return nil // the old layout, emptied into bucketEvents at Open
			case bytes.Equal(name, bucketEvents):
				name = []byte("events") // what it holds, whatever its layout
			}
			counts[string(name)] = b.Stats().KeyN
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("count central store %s: %w", s.path, err)
	}
	return counts, nil
}
