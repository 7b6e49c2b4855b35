package local

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// bucketSync holds what the sync keeps (sealed): the pull cursor, the
// events the central records did not accept, the kiosk's tickets waiting
// (tickets.go) and the eligibility policy. It is made on first use; the next schema migration
// should make it with the others.
//
//	"cursor"                       -> sealed uint64
//	"change" ‖ seq (big-endian)    -> sealed pinsede.Change, kept until
//	                                  schema 10, which dropped them
//	"refused" ‖ outbox seq         -> sealed pinsede.NotAccepted
//	"policy"                       -> sealed pinsede.Policy
//	"pulled"                       -> sealed pinsede.LastPull
var bucketSync = []byte("sync")

var (
	syncCursor   = []byte("cursor")
	syncChange   = []byte("change")
	syncRefused  = []byte("refused")
	syncPolicy   = []byte("policy")
	syncLastPull = []byte("pulled") // no other key starts with it
)

// syncBucket returns the sync bucket, making it in a write transaction;
// nil in a read transaction before it is made.
func (t *tx) syncBucket() (*bolt.Bucket, error) {
	if t.btx == nil {
		return nil, errTxDone
	}
	if !t.btx.Writable() {
		return t.btx.Bucket(bucketSync), nil
	}
	return t.btx.CreateBucketIfNotExists(bucketSync)
}

// eachSync calls fn on each record of the sync bucket whose key starts
// with prefix, in key order; none before the bucket is made.
func (t *tx) eachSync(prefix []byte, fn func(k, v []byte) error) error {
	b, err := t.syncBucket()
	if err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// syncUpdate runs fn on the sync bucket in a write transaction, making the
// bucket if needed.
func (s *Store) syncUpdate(fn func(t *tx) error) error {
	return s.update(func(btx *bolt.Tx) error {
		if _, err := btx.CreateBucketIfNotExists(bucketSync); err != nil {
			return err
		}
		return fn(&tx{btx: btx, k: s.k, desk: s.desk})
	})
}

// syncView runs fn in a read transaction; has reports whether the sync
// bucket exists yet.
func (s *Store) syncView(fn func(t *tx, has bool) error) error {
	return s.view(func(btx *bolt.Tx) error {
		return fn(&tx{btx: btx, k: s.k}, btx.Bucket(bucketSync) != nil)
	})
}

// OutboxLen counts the events waiting in the outbox.
func (s *Store) OutboxLen() (int, error) {
	var n int
	err := s.View(func(t pinsede.Tx) (err error) { n, err = t.Pending(); return err })
	return n, err
}

// AckOutbox removes from the outbox the events of taken and refused,
// keeping those of taken as sent; those no longer there are ignored.
func (t *tx) AckOutbox(taken, refused []uint64) error { return t.ackOutbox(taken, refused) }

// PutNotAccepted keeps an event the central records did not accept, under
// its outbox seq.
func (t *tx) PutNotAccepted(r pinsede.NotAccepted) error {
	if _, err := t.syncBucket(); err != nil {
		return err
	}
	return t.put(bucketSync, append(append([]byte{}, syncRefused...), seqKey(r.Seq)...), r)
}

// NotAccepted returns the events the central records did not accept,
// oldest first.
func (t *tx) NotAccepted() ([]pinsede.NotAccepted, error) {
	var out []pinsede.NotAccepted
	err := t.eachSync(syncRefused, func(k, v []byte) error {
		var r pinsede.NotAccepted
		if err := t.decode(bucketSync, k, v, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// SyncCursor returns the cursor of the last pull; 0 before the first.
func (s *Store) SyncCursor() (uint64, error) {
	var cur uint64
	err := s.view(func(btx *bolt.Tx) (err error) {
		cur, err = (&tx{btx: btx, k: s.k}).SyncCursor()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sync cursor of %s: %w", s.path, err)
	}
	return cur, nil
}

// RecoveringOwn reports whether the store was restored from a copy
// (Restore) and has not got back yet its own events newer than the
// copy, which the central records hold (pinsede.Desk.RecoverOwn).
func (s *Store) RecoveringOwn() (bool, error) {
	var on bool
	err := s.view(func(btx *bolt.Tx) (err error) {
		on, err = (&tx{btx: btx, k: s.k}).RecoveringOwn()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("recovery mark of %s: %w", s.path, err)
	}
	return on, nil
}

// SavePolicy keeps p, the eligibility policy the central records
// distribute, unless a policy of the same or a higher version is kept
// already: the newest version stays. It reports whether it kept p.
func (s *Store) SavePolicy(p pinsede.Policy) (bool, error) {
	if err := p.Validate(); err != nil {
		return false, fmt.Errorf("save policy in %s: %w", s.path, err)
	}
	kept := false
	err := s.syncUpdate(func(t *tx) error {
		var cur pinsede.Policy
		switch err := t.get(bucketSync, syncPolicy, &cur); {
		case err == nil && cur.Version >= p.Version:
			return nil
		case err != nil && !errors.Is(err, pinsede.ErrNotFound):
			return err
		}
		kept = true
		return t.put(bucketSync, syncPolicy, p)
	})
	if err != nil {
		return false, fmt.Errorf("save policy in %s: %w", s.path, err)
	}
	return kept, nil
}

// CachedPolicy returns the policy of the central records kept by
// SavePolicy; ok is false when none is kept yet.
func (s *Store) CachedPolicy() (p pinsede.Policy, ok bool, err error) {
	err = s.syncView(func(t *tx, has bool) error {
		if !has {
			return nil
		}
		err := t.get(bucketSync, syncPolicy, &p)
		if errors.Is(err, pinsede.ErrNotFound) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return pinsede.Policy{}, false, fmt.Errorf("cached policy in %s: %w", s.path, err)
	}
	return p, ok, nil
}
