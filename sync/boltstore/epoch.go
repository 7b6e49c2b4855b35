package boltstore

import (
	"context"
	"fmt"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// metaEpoch: the store's epoch (wire.Epoch), as its String writes it, in
// bucketMeta. A copy BackupFile writes has an epoch of its own (freshEpoch),
// which a file put back from it with cp keeps until NewEpoch (`centrale
// restore`); a copy of the file made otherwise has the store's.
var metaEpoch = []byte("epoch")

// openEpoch gives a store of before epochs one, from its newest change.
func openEpoch(btx *bolt.Tx) error {
	if btx.Bucket(bucketMeta).Get(metaEpoch) != nil {
		return nil
	}
	return freshEpoch(btx)
}

// freshEpoch gives the store of btx a new epoch, from its newest change:
// a store of before epochs at its first open, and each copy BackupFile
// writes, that a copy put back with cp is a new epoch to every desk.
func freshEpoch(btx *bolt.Tx) error {
	id, err := central.NewEpochID()
	if err != nil {
		return err
	}
	_, err = putEpoch(btx, id)
	return err
}

// putEpoch records the epoch named id, from the newest change of the
// store, and returns it.
func putEpoch(btx *bolt.Tx, id string) (wire.Epoch, error) {
	e := wire.Epoch{ID: id, From: btx.Bucket(bucketChanges).Sequence()}
	return e, btx.Bucket(bucketMeta).Put(metaEpoch, []byte(e.String()))
}

// Epoch returns the store's epoch.
func (s *Store) Epoch(ctx context.Context) (wire.Epoch, error) {
	var e wire.Epoch
	err := s.db.View(func(btx *bolt.Tx) (err error) {
		e, err = wire.ParseEpoch(string(btx.Bucket(bucketMeta).Get(metaEpoch)))
		return err
	})
	if err != nil {
		return wire.Epoch{}, fmt.Errorf("epoch of %s: %w", s.path, err)
	}
	return e, nil
}

// NewEpoch gives the store the epoch named id, from its newest change.
func (s *Store) NewEpoch(ctx context.Context, id string) (wire.Epoch, error) {
	var e wire.Epoch
	err := s.db.Update(func(btx *bolt.Tx) (err error) {
		e, err = putEpoch(btx, id)
		return err
	})
	if err != nil {
		return wire.Epoch{}, fmt.Errorf("new epoch of %s: %w", s.path, err)
	}
	return e, nil
}
