package local

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// Test helpers: they reach inside the store the way someone holding the
// key could, to damage it on purpose.

// ResealAudit opens the audit entry at seq, lets change alter it, and seals
// it back in place, leaving its Hash as it was.
func (s *Store) ResealAudit(seq uint64, change func(*pinsede.AuditEntry)) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k}
		var e pinsede.AuditEntry
		if err := t.get(bucketAudit, seqKey(seq), &e); err != nil {
			return err
		}
		change(&e)
		return t.put(bucketAudit, seqKey(seq), e)
	})
}

// SwapAudit exchanges the audit entries at a and b: sealed again for their
// new positions when reseal is true, moved as they are otherwise.
func (s *Store) SwapAudit(a, b uint64, reseal bool) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k}
		bk := btx.Bucket(bucketAudit)
		va, vb := bytes.Clone(bk.Get(seqKey(a))), bytes.Clone(bk.Get(seqKey(b)))
		if va == nil || vb == nil {
			return fmt.Errorf("swap audit %d, %d: %w", a, b, pinsede.ErrNotFound)
		}
		if reseal {
			var ea, eb pinsede.AuditEntry
			if err := t.decode(bucketAudit, seqKey(a), va, &ea); err != nil {
				return err
			}
			if err := t.decode(bucketAudit, seqKey(b), vb, &eb); err != nil {
				return err
			}
			if err := t.put(bucketAudit, seqKey(a), eb); err != nil {
				return err
			}
			return t.put(bucketAudit, seqKey(b), ea)
		}
		if err := bk.Put(seqKey(a), vb); err != nil {
			return err
		}
		return bk.Put(seqKey(b), va)
	})
}

// DeleteAudit removes the audit entry at seq.
func (s *Store) DeleteAudit(seq uint64) error {
	return s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketAudit).Delete(seqKey(seq)) })
}

// SealAudit seals plain, whatever it is, as the audit entry at seq.
func (s *Store) SealAudit(seq uint64, plain []byte) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketAudit).Put(seqKey(seq), s.k.seal(bucketAudit, seqKey(seq), plain))
	})
}

// SetSchemaVersion writes v as the schema version of the closed store at
// path.
func SetSchemaVersion(path string, v uint64) error {
	db, err := bolt.Open(path, 0o600, boltOptions())
	if err != nil {
		return err
	}
	err = db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketMeta).Put(metaSchema, binary.BigEndian.AppendUint64(nil, v))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// BulkPutCitizens writes the citizens gen(0) ... gen(n-1) straight into
// the store, a batch of records per transaction, in key order and with
// full pages: how a benchmark builds a large store quickly. gen must give
// the same citizen for the same i every time it is called.
func (s *Store) BulkPutCitizens(n, batch int, gen func(i int) pinsede.Citizen) error {
	type entry struct {
		key []byte
		i   int
	}
	var cits, names []entry
	err := s.View(func(ptx pinsede.Tx) error {
		t := ptx.(*tx)
		for i := range n {
			c := gen(i)
			key := t.citizenKey(c.CF())
			cits = append(cits, entry{key, i})
			names = append(names, entry{append(t.nameKey(c.Request.Cognome, c.Request.Nome), key...), i})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// One sync at the end instead of one per batch: if the load is
	// interrupted, the benchmark builds its store again anyway.
	s.db.NoSync = true
	defer func() { s.db.NoSync = false }()
	byKey := func(a, b entry) int { return bytes.Compare(a.key, b.key) }
	slices.SortFunc(cits, byKey)
	slices.SortFunc(names, byKey)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := s.db.Update(func(btx *bolt.Tx) error {
			cb, nb := btx.Bucket(bucketCitizens), btx.Bucket(bucketNames)
			cb.FillPercent, nb.FillPercent = 1, 1
			for _, e := range cits[lo:hi] {
				plain, err := json.Marshal(gen(e.i))
				if err != nil {
					return err
				}
				if err := cb.Put(e.key, s.k.seal(bucketCitizens, e.key, plain)); err != nil {
					return err
				}
			}
			for _, e := range names[lo:hi] {
				if err := nb.Put(e.key, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.db.Sync()
}

// FlipAudit changes one byte of the sealed value of the audit entry at seq.
func (s *Store) FlipAudit(seq uint64) error { return s.flip(bucketAudit, seq) }

// flip changes one byte of the sealed value at seq in bucket.
func (s *Store) flip(bucket []byte, seq uint64) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucket)
		v := bytes.Clone(b.Get(seqKey(seq)))
		v[len(v)/2] ^= 1
		return b.Put(seqKey(seq), v)
	})
}

// CommitSealed writes one value, sealed, in its own transaction: the bare
// cost of a commit.
func (s *Store) CommitSealed(key, plain []byte) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketScans).Put(key, s.k.seal(bucketScans, key, plain))
	})
}

// DeleteAuditHead removes the record of the end of the audit chain.
func (s *Store) DeleteAuditHead() error {
	return s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketMeta).Delete(metaAuditHead) })
}

// MakeV1 turns the closed current store at path into one as schema
// version 1 made it: no documents, expires_by_day, delegations or
// audit_by_day buckets, version 1.
func MakeV1(path string) error {
	return makeVersion(path, 1, bucketDocuments, bucketExpiresByDay, bucketDelegations, bucketDelegsByDelegante, bucketDelegsByDelegato, bucketAuditByDay, bucketOutboxForms)
}

// MakeV2 turns the closed current store at path into one as schema
// version 2 made it: no expires_by_day, delegations or audit_by_day
// buckets, version 2.
func MakeV2(path string) error {
	return makeVersion(path, 2, bucketExpiresByDay, bucketDelegations, bucketDelegsByDelegante, bucketDelegsByDelegato, bucketAuditByDay, bucketOutboxForms)
}

// MakeV3 turns the closed current store at path into one as schema
// version 3 made it: no delegations or audit_by_day buckets, version 3.
func MakeV3(path string) error {
	return makeVersion(path, 3, bucketDelegations, bucketDelegsByDelegante, bucketDelegsByDelegato, bucketAuditByDay, bucketOutboxForms)
}

// MakeV4 turns the closed current store at path into one as schema
// version 4 made it: no audit_by_day or outbox_forms bucket, version 4.
func MakeV4(path string) error {
	return makeVersion(path, 4, bucketAuditByDay, bucketOutboxForms)
}

// MakeV5 turns the closed current store at path into one as schema
// version 5 made it (keyPath is its key), with ev at the end of its outbox as version 5 kept
// it: the form's PDF inside the event's JSON, in base64. No outbox_forms
// bucket, version 5.
func MakeV5(path, keyPath string, ev pinsede.Event) error {
	plain, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return makeVersionWithEvent(path, keyPath, 5, plain, bucketOutboxForms)
}

// MakeV7 turns the closed current store at path into one as schema
// version 7 made it (keyPath is its key), with plain, an event's JSON as
// an earlier version wrote it, at the end of its outbox.
func MakeV7(path, keyPath string, plain []byte) error {
	return makeVersionWithEvent(path, keyPath, 7, plain)
}

// MakeV8 turns the closed current store at path into one as schema
// version 8 made it: no audit_by_at_day bucket, version 8.
func MakeV8(path string) error {
	return makeVersion(path, 8, bucketAuditByAtDay)
}

// makeVersionWithEvent seals plain at the end of the outbox of the closed
// store at path (keyPath is its key), deletes its buckets and records
// version v.
func makeVersionWithEvent(path, keyPath string, v uint64, plain []byte, buckets ...[]byte) error {
	return updateClosed(path, keyPath, func(btx *bolt.Tx, k *keys) error {
		b := btx.Bucket(bucketOutbox)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(seqKey(seq), k.seal(bucketOutbox, seqKey(seq), plain)); err != nil {
			return err
		}
		for _, name := range buckets {
			if err := btx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(metaSchema, binary.BigEndian.AppendUint64(nil, v))
	})
}

// updateClosed runs fn in a write transaction of the closed store at path,
// with its keys (keyPath is its key).
func updateClosed(path, keyPath string, fn func(btx *bolt.Tx, k *keys) error) error {
	master, err := readKey(keyPath)
	if err != nil {
		return err
	}
	k, err := deriveKeys(master)
	if err != nil {
		return err
	}
	db, err := bolt.Open(path, 0o600, boltOptions())
	if err != nil {
		return err
	}
	err = db.Update(func(btx *bolt.Tx) error { return fn(btx, k) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// OutboxForms counts the forms kept beside the outbox's events.
func (s *Store) OutboxForms() (n int, err error) {
	err = s.db.View(func(btx *bolt.Tx) error { n = btx.Bucket(bucketOutboxForms).Stats().KeyN; return nil })
	return n, err
}

// FlipOutbox changes one byte of the sealed value of the outbox event at
// seq: it no longer opens.
func (s *Store) FlipOutbox(seq uint64) error { return s.flip(bucketOutbox, seq) }

// makeVersion deletes the buckets of the closed store at path and records
// version v.
func makeVersion(path string, v uint64, buckets ...[]byte) error {
	db, err := bolt.Open(path, 0o600, boltOptions())
	if err != nil {
		return err
	}
	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range buckets {
			if err := btx.DeleteBucket(name); err != nil {
				return fmt.Errorf("delete bucket %s: %w", name, err)
			}
		}
		return btx.Bucket(bucketMeta).Put(metaSchema, binary.BigEndian.AppendUint64(nil, v))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// StoredSchema returns the schema version recorded in the closed store at
// path.
func StoredSchema(path string) (uint64, error) {
	db, err := bolt.Open(path, 0o600, boltOptions())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var v uint64
	err = db.View(func(btx *bolt.Tx) (err error) { v, err = schemaOf(btx); return err })
	return v, err
}

// RewriteAudit rewrites the audit chain from entry from on, as someone
// with the key could: change alters each entry, and every entry from
// there is linked and hashed again, with the recorded end, so that
// VerifyAudit finds the chain whole.
func (s *Store) RewriteAudit(from uint64, change func(*pinsede.AuditEntry)) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k}
		head, err := t.auditHead()
		if err != nil {
			return err
		}
		var prev []byte
		if from > 1 {
			var e pinsede.AuditEntry
			if err := t.get(bucketAudit, seqKey(from-1), &e); err != nil {
				return err
			}
			prev = e.Hash
		}
		for seq := from; seq <= head.Seq; seq++ {
			var e pinsede.AuditEntry
			if err := t.get(bucketAudit, seqKey(seq), &e); err != nil {
				return err
			}
			change(&e)
			e.Prev, e.Hash = prev, nil
			e.Hash = e.ChainHash()
			if err := t.put(bucketAudit, seqKey(seq), e); err != nil {
				return err
			}
			prev = e.Hash
		}
		return t.put(bucketMeta, metaAuditHead, auditHead{Seq: head.Seq, Hash: prev})
	})
}

// Scan returns the scan archived for a credential, of either layout.
func (s *Store) Scan(credentialID string) (sc pinsede.Scan, err error) {
	err = s.db.View(func(btx *bolt.Tx) error {
		sc, err = (&tx{btx: btx, k: s.k}).scan(credentialID)
		return err
	})
	return sc, err
}

// PutScanJSON archives a scan as versions before 2026-12 did: its JSON,
// the data in base64.
func (s *Store) PutScanJSON(credentialID string, sc pinsede.Scan) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		return (&tx{btx: btx, k: s.k}).put(bucketScans, []byte(credentialID), sc)
	})
}

// KeepChangesV8 seals changes in the sync bucket of the closed store at
// path (keyPath is its key) as versions of schema 8 kept every change
// pulled, and records version 8.
func KeepChangesV8(path, keyPath string, changes []pinsede.Change) error {
	return updateClosed(path, keyPath, func(btx *bolt.Tx, k *keys) error {
		b, err := btx.CreateBucketIfNotExists(bucketSync)
		if err != nil {
			return err
		}
		for _, c := range changes {
			key := binary.BigEndian.AppendUint64(bytes.Clone(syncChange), c.Seq)
			plain, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if err := b.Put(key, k.seal(bucketSync, key, plain)); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(metaSchema, binary.BigEndian.AppendUint64(nil, 8))
	})
}

// KeepSent lowers SentKeep to n until the test ends.
func KeepSent(t testing.TB, n int) {
	old := sentKeep
	sentKeep = n
	t.Cleanup(func() { sentKeep = old })
}
