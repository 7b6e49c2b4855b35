package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout of the store this code reads and writes.
// Open refuses a store of a newer one with ErrSchemaTooNew. Version 1 is
// the first recorded: a store with no version is of a centrale of before
// it, whose layout version 1 reads.
const SchemaVersion = 1

// The store's own record of who wrote it, in bucketMeta.
var (
	// bucketMeta holds metaSchema and metaWritten.
	bucketMeta = []byte("meta")
	// metaSchema: the SchemaVersion of the newest centrale that opened the
	// file (8 bytes, big-endian).
	metaSchema = []byte("schema")
	// metaWritten: the bbolt transaction id of the last write
	// transaction of a centrale that keeps the indexes (8 bytes,
	// big-endian), written in that transaction (file.Update). When the
	// file's last transaction is another, a centrale of before the
	// stamp wrote after it (a rollback), keeping only the indexes it
	// knew: Open builds them again.
	metaWritten = []byte("written")
)

// ErrSchemaTooNew is Open's error for a store a newer centrale has
// written: this one would keep its indexes as it knows them, not as the
// newer one reads them. The file is left as it was.
var ErrSchemaTooNew = errors.New("this store was written by a newer centrale")

// file is the store's bbolt file: every write transaction run through
// its Update is stamped with its id (metaWritten).
type file struct{ *bolt.DB }

// Update runs fn in a write transaction, and stamps it in bucketMeta
// unless fn fails.
func (f file) Update(fn func(*bolt.Tx) error) error {
	return f.DB.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		m, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return m.Put(metaWritten, binary.BigEndian.AppendUint64(nil, uint64(tx.ID())))
	})
}

// openSchema refuses a store of a newer schema, records this one's, and
// reports whether the store was written since its last stamp by a
// centrale that does not stamp it (one of before, or a store of before
// never stamped): its indexes are to be built again.
func openSchema(btx *bolt.Tx) (stale bool, err error) {
	m := btx.Bucket(bucketMeta)
	if m == nil {
		m, err = btx.CreateBucket(bucketMeta)
		if err != nil {
			return false, err
		}
		stale = true
	} else {
		if v := m.Get(metaSchema); len(v) == 8 && binary.BigEndian.Uint64(v) > SchemaVersion {
			return false, fmt.Errorf("%w, schema %d; this release reads up to %d: upgrade centrale",
				ErrSchemaTooNew, binary.BigEndian.Uint64(v), SchemaVersion)
		}
		v := m.Get(metaWritten)
		// btx is a write transaction: the file's last is the one before.
		stale = len(v) != 8 || binary.BigEndian.Uint64(v) != uint64(btx.ID())-1
	}
	return stale, m.Put(metaSchema, binary.BigEndian.AppendUint64(nil, SchemaVersion))
}

// slimRecord is what rebuildCredentialIndexes reads of a credential.
type slimRecord struct {
	Credential struct {
		ID            string                 `json:"id"`
		CodiceFiscale pinsede.CodiceFiscale  `json:"codice_fiscale"`
		Type          pinsede.CredentialType `json:"type"`
		IssuedAt      time.Time              `json:"issued_at"`
	} `json:"credential"`
	Lock       central.Lock `json:"lock"`
	AcceptedAt time.Time    `json:"accepted_at"`
}

// record is the central.Record of what s holds, enough for
// central.IssuedLater and central.LockEnd.
func (s slimRecord) record() central.Record {
	return central.Record{Credential: pinsede.Credential{ID: s.Credential.ID, CodiceFiscale: s.Credential.CodiceFiscale, Type: s.Credential.Type, IssuedAt: s.Credential.IssuedAt},
		Lock: s.Lock, AcceptedAt: s.AcceptedAt}
}

// rebuildCredentialIndexes builds again, from the credentials, every
// bucket derived from them that a centrale of before may have left
// short or wrong: bucketCredsByCF, bucketNewest, bucketLockEnds and
// bucketLocked. One pass, each record read once; the keys of each
// bucket go in in their order (see putSorted).
func rebuildCredentialIndexes(btx *bolt.Tx) error {
	var byCF, lockEnds, locked []kv
	newest := map[string]central.Record{}
	err := btx.Bucket(bucketCreds).ForEach(func(k, v []byte) error {
		var s slimRecord
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("credential %s: %w", k, err)
		}
		r := s.record()
		byCF = append(byCF, kv{credByCFKey(r.Credential.CodiceFiscale, string(k)), []byte{}})
		slot := central.SlotOf(r.Credential.Type).Key(r.Credential.CodiceFiscale)
		if cur, ok := newest[slot]; !ok || central.IssuedLater(r, cur) {
			newest[slot] = r
		}
		if end, ok := central.LockEnd(r.Lock); ok {
			key := lockKey(end, string(k))
			lockEnds = append(lockEnds, kv{bytes.Clone(k), key[:8]})
			locked = append(locked, kv{key, nil})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index the credentials: %w", err)
	}
	var slots []kv
	for slot, r := range newest {
		slots = append(slots, kv{[]byte(slot), []byte(r.Credential.ID)})
	}
	for _, b := range []struct {
		name []byte
		kvs  []kv
	}{{bucketCredsByCF, byCF}, {bucketNewest, slots}, {bucketLockEnds, lockEnds}, {bucketLocked, locked}} {
		if err := putSorted(btx, b.name, b.kvs); err != nil {
			return fmt.Errorf("index the credentials: %w", err)
		}
	}
	return nil
}

// kv is a key and its value.
type kv struct{ k, v []byte }

// putSorted makes the bucket name afresh, holding kvs. The keys go in
// in their order: bbolt splits a bucket's pages at the commit only, and
// keys put out of order into one page make it quadratic (credentials by
// codice fiscale at 200,000 credentials: 1 min 46 s, 6.7 s in order).
func putSorted(btx *bolt.Tx, name []byte, kvs []kv) error {
	if err := btx.DeleteBucket(name); err != nil && btx.Bucket(name) != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	b, err := btx.CreateBucket(name)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", name, err)
	}
	slices.SortFunc(kvs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	for _, e := range kvs {
		if err := b.Put(e.k, e.v); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	return nil
}

// keyCount is the number of keys of bucket name, 0 when it does not
// exist: bbolt counts them from its pages, decoding no value.
func keyCount(btx *bolt.Tx, name []byte) int {
	if b := btx.Bucket(name); b != nil {
		return b.Stats().KeyN
	}
	return 0
}
