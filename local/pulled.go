package local

import (
	"errors"

	"github.com/pinsede/pinsede"
)

// SyncCursor returns the cursor kept by SetSyncCursor; 0 before the
// first pull.
func (t *tx) SyncCursor() (uint64, error) {
	b, err := t.syncBucket()
	if err != nil || b == nil {
		return 0, err
	}
	var cur uint64
	if err := t.decode(bucketSync, syncCursor, b.Get(syncCursor), &cur); err != nil && !errors.Is(err, pinsede.ErrNotFound) {
		return 0, err
	}
	return cur, nil
}

// SetSyncCursor keeps the cursor to pull after next time.
func (t *tx) SetSyncCursor(cursor uint64) error {
	if _, err := t.syncBucket(); err != nil {
		return err
	}
	return t.put(bucketSync, syncCursor, cursor)
}

// RecoveringOwn reports whether the store was restored from a copy
// (Restore) and has not got back yet its own events newer than the copy
// (SetRecoveringOwn).
func (t *tx) RecoveringOwn() (bool, error) {
	return t.btx.Bucket(bucketMeta).Get(metaRecoverOwn) != nil, nil
}

// SetRecoveringOwn marks the store to get back its own events, or clears
// the mark.
func (t *tx) SetRecoveringOwn(on bool) error {
	if on {
		return t.btx.Bucket(bucketMeta).Put(metaRecoverOwn, []byte{1})
	}
	return t.btx.Bucket(bucketMeta).Delete(metaRecoverOwn)
}

// LastPull returns the record PutLastPull kept; pinsede.ErrNotFound
// before the first pull.
func (t *tx) LastPull() (pinsede.LastPull, error) {
	var lp pinsede.LastPull
	b, err := t.syncBucket()
	if err != nil {
		return lp, err
	}
	if b == nil {
		return lp, pinsede.ErrNotFound
	}
	return lp, t.decode(bucketSync, syncLastPull, b.Get(syncLastPull), &lp)
}

// PutLastPull keeps the time of the last pull and the latest event pulled
// of each other desk of the sede.
func (t *tx) PutLastPull(lp pinsede.LastPull) error {
	if _, err := t.syncBucket(); err != nil {
		return err
	}
	return t.put(bucketSync, syncLastPull, lp)
}
