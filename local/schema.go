package local

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout of the store this code reads and writes.
// Open brings an older store up to it with the migrations, and refuses a
// newer one with ErrSchemaTooNew.
const SchemaVersion = 10

// The buckets. Keys marked tag() are keyed hashes (see keys.tag); values
// marked sealed are encrypted and bound to their bucket and key.
var (
	// bucketMeta holds the schema version (clear, 8 bytes big-endian), the
	// key check, the sede, the desk's settings, the head of the audit
	// chain and the slips being printed (sealed).
	bucketMeta = []byte("meta")
	// bucketOperators: tag(id) -> sealed Operator.
	bucketOperators = []byte("operators")
	// bucketCitizens: tag(canonical codice fiscale) -> sealed Citizen.
	bucketCitizens = []byte("citizens")
	// bucketNames: tag(cognome, nome normalised) ‖ citizen key -> empty.
	bucketNames = []byte("names")
	// bucketCredentials: credential id -> sealed Credential.
	bucketCredentials = []byte("credentials")
	// bucketCredsByCF: citizen key ‖ issue time (ns, big-endian) ‖ id -> empty.
	bucketCredsByCF = []byte("creds_by_cf")
	// bucketIssuedByDay: issue day yyyymmdd (local time) ‖ id -> empty.
	bucketIssuedByDay = []byte("issued_by_day")
	// bucketAudit: seq (big-endian) -> sealed AuditEntry.
	bucketAudit = []byte("audit")
	// bucketAuditBySubject: citizen key ‖ seq -> empty.
	bucketAuditBySubject = []byte("audit_by_subject")
	// bucketOutbox: seq (big-endian) -> sealed Event.
	bucketOutbox = []byte("outbox")
	// bucketOutboxForms: seq (big-endian) -> sealed PDF, the bytes of the
	// archived form of the outbox event of the same seq, kept as they are
	// (not in the event's JSON: a PDF would grow by a third in base64)
	// (version 6).
	bucketOutboxForms = []byte("outbox_forms")
	// bucketScans: credential id -> sealed Scan.
	bucketScans = []byte("scans")
	// bucketDocuments: credential id ‖ "/" ‖ kind -> sealed PDF (version 2).
	bucketDocuments = []byte("documents")
	// bucketExpiresByDay: expiry day yyyymmdd (local time) ‖ id -> empty
	// (version 3).
	bucketExpiresByDay = []byte("expires_by_day")
	// bucketDelegations: delegation id -> sealed Delegation (version 4).
	bucketDelegations = []byte("delegations")
	// bucketDelegsByDelegante: tag(delegante's codice fiscale) ‖ id ->
	// empty (version 4).
	bucketDelegsByDelegante = []byte("delegations_by_delegante")
	// bucketDelegsByDelegato: tag(delegato's codice fiscale) ‖ id -> empty
	// (version 4).
	bucketDelegsByDelegato = []byte("delegations_by_delegato")
	// bucketAuditByDay: day yyyymmdd (local time) ‖ seq -> empty
	// (version 5).
	bucketAuditByDay = []byte("audit_by_day")
	// bucketAuditByAtDay: day yyyymmdd (local time) of At ‖ seq -> empty,
	// for the entries of another desk's act, pulled (At set): the
	// reconciliation of the sede reads the acts of a day there, whatever
	// day they were pulled (version 9).
	bucketAuditByAtDay = []byte("audit_by_at_day")
	// bucketDrafts: tag(operator id) -> the operator's request in
	// progress, sealed (version 7).
	bucketDrafts = []byte("drafts")
)

// Keys of the meta bucket.
var (
	metaSchema    = []byte("schema")
	metaKeyCheck  = []byte("keycheck")
	metaSede      = []byte("sede")
	metaAuditHead = []byte("audit_head")
	metaSettings  = []byte("settings")
	// metaPrinting: the slips being printed, sealed (printing.go); absent
	// when there are none. No migration: a store without it has none.
	metaPrinting = []byte("printing")
	// metaRevokedSlips: the envelopes printed here whose PIN was revoked
	// elsewhere, until a clerk acknowledges them, sealed
	// (revokedslip.go); absent when there are none. No migration: a
	// store without it has none.
	metaRevokedSlips = []byte("revoked-slips")
	// metaClosedCopy marks a copy BackupStore made of a store not in
	// use: its slips kept as printing were cut short (no desk ran to
	// finish them), and Restore leaves them so. Present only in such a
	// copy until it is restored.
	metaClosedCopy = []byte("closed-copy")
	// metaRecoverOwn marks a store restored from a copy (Restore) whose
	// own events newer than the copy, which the central records hold,
	// have not come back yet (tx.RecoveringOwn), clear. No migration: a
	// store without it recovers nothing.
	metaRecoverOwn = []byte("recover-own")
	// metaCentraleEpoch: the epoch of centrale's store last seen
	// (pinsede.Desk.FollowEpoch), in clear: it names no one.
	metaCentraleEpoch = []byte("centrale-epoch")
	// metaSentPruned marks a store that pruned events sent (sent.go).
	metaSentPruned = []byte("sent-pruned")
	// metaOrphansChecked marks a store whose PINs left with no print
	// recorded by a desk of before the slips were kept as printing were
	// looked for (pinsede.Desk.RecoverPrints), clear. No migration: a
	// store without it has them looked for once.
	metaOrphansChecked = []byte("orphans-checked")
)

// keyCheckText is sealed into the meta bucket when the store is made: a key
// that opens it is the store's key.
var keyCheckText = []byte("pinsede local store key check")

// A migration brings the store from the previous schema version to the
// next, inside the transaction that then records the new version.
type migration struct {
	name  string
	apply func(tx *bolt.Tx, k *keys) error
}

// migrations[i] brings a store from version i to version i+1. Create runs
// them all on an empty file; Open runs those the store has not had.
var migrations = [SchemaVersion]migration{
	{"first schema: buckets and key check", func(tx *bolt.Tx, k *keys) error {
		for _, name := range [][]byte{
			bucketMeta, bucketOperators, bucketCitizens, bucketNames, bucketCredentials, bucketCredsByCF,
			bucketIssuedByDay, bucketAudit, bucketAuditBySubject, bucketOutbox, bucketScans,
		} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(metaKeyCheck, k.seal(bucketMeta, metaKeyCheck, keyCheckText))
	}},
	{"archived documents (the MV35 of each credential)", func(tx *bolt.Tx, _ *keys) error {
		if _, err := tx.CreateBucketIfNotExists(bucketDocuments); err != nil {
			return fmt.Errorf("bucket %s: %w", bucketDocuments, err)
		}
		return nil
	}},
	{"credentials indexed by expiry day", func(tx *bolt.Tx, k *keys) error {
		idx, err := tx.CreateBucketIfNotExists(bucketExpiresByDay)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", bucketExpiresByDay, err)
		}
		return tx.Bucket(bucketCredentials).ForEach(func(key, sealed []byte) error {
			plain, err := k.open(bucketCredentials, key, sealed)
			if err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketCredentials, key, ErrCorrupt, err)
			}
			defer clear(plain)
			var c pinsede.Credential
			if err := json.Unmarshal(plain, &c); err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketCredentials, key, ErrCorrupt, err)
			}
			return idx.Put(expiryKey(c), nil)
		})
	}},
	{"delegations of the digital identity, indexed by delegante and delegato", func(tx *bolt.Tx, _ *keys) error {
		for _, name := range [][]byte{bucketDelegations, bucketDelegsByDelegante, bucketDelegsByDelegato} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return nil
	}},
	{"audit entries indexed by day", func(tx *bolt.Tx, k *keys) error {
		idx, err := tx.CreateBucketIfNotExists(bucketAuditByDay)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", bucketAuditByDay, err)
		}
		return tx.Bucket(bucketAudit).ForEach(func(key, sealed []byte) error {
			plain, err := k.open(bucketAudit, key, sealed)
			if err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketAudit, key, ErrCorrupt, err)
			}
			defer clear(plain)
			var e pinsede.AuditEntry
			if err := json.Unmarshal(plain, &e); err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketAudit, key, ErrCorrupt, err)
			}
			return idx.Put(auditDayKey(e.Time, key), nil)
		})
	}},
	{"archived forms of the outbox out of the events' JSON", func(btx *bolt.Tx, k *keys) error {
		if _, err := btx.CreateBucketIfNotExists(bucketOutboxForms); err != nil {
			return fmt.Errorf("bucket %s: %w", bucketOutboxForms, err)
		}
		t := &tx{btx: btx, k: k}
		items, err := t.outboxItems()
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.Event.Form != nil && it.Event.Form.PDF != nil {
				if err := t.putOutbox(it.Seq, it.Event); err != nil {
					return err
				}
			}
		}
		return nil
	}},
	{"requests in progress (drafts)", func(tx *bolt.Tx, _ *keys) error {
		if _, err := tx.CreateBucketIfNotExists(bucketDrafts); err != nil {
			return fmt.Errorf("bucket %s: %w", bucketDrafts, err)
		}
		return nil
	}},
	// A push sends each event's JSON as the outbox keeps it
	// (Store.OutboxEntries): the events of earlier versions are written
	// again as this version writes them (a credential's zero value left
	// out, for one).
	{"outbox events in the JSON a push sends", func(btx *bolt.Tx, k *keys) error {
		t := &tx{btx: btx, k: k}
		items, err := t.outboxItems()
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := t.putOutbox(it.Seq, it.Event); err != nil {
				return err
			}
		}
		return nil
	}},
	{"pulled audit entries indexed by the day of the act", func(tx *bolt.Tx, k *keys) error {
		idx, err := tx.CreateBucketIfNotExists(bucketAuditByAtDay)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", bucketAuditByAtDay, err)
		}
		return tx.Bucket(bucketAudit).ForEach(func(key, sealed []byte) error {
			plain, err := k.open(bucketAudit, key, sealed)
			if err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketAudit, key, ErrCorrupt, err)
			}
			defer clear(plain)
			var e struct {
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(plain, &e); err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketAudit, key, ErrCorrupt, err)
			}
			if e.At.IsZero() {
				return nil
			}
			return idx.Put(auditDayKey(e.At, key), nil)
		})
	}},
	// Every change pulled was kept, for good, for the dedupe that the
	// pull cursor, kept in the same transaction, gives (329 bytes a
	// change, about 400 a day from each other desk of the sede): they
	// go. The bucket's other records (the cursor, the tickets waiting,
	// the events not accepted, the policy: a few) are taken out as they
	// are sealed (bound to the bucket's name and their key, both kept),
	// the bucket deleted, which frees its pages without reading the
	// changes, and made again with them.
	{"the changes pulled are no longer kept", func(btx *bolt.Tx, _ *keys) error {
		b := btx.Bucket(bucketSync)
		if b == nil {
			return nil
		}
		var rest [][2][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() { // read in place: nothing opened
			if !bytes.HasPrefix(k, syncChange) || len(k) != len(syncChange)+8 {
				rest = append(rest, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
			}
		}
		if err := btx.DeleteBucket(bucketSync); err != nil {
			return err
		}
		b, err := btx.CreateBucket(bucketSync)
		if err != nil {
			return err
		}
		for _, kv := range rest {
			if err := b.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	}},
}

// outboxItems returns the whole outbox's events, without their forms:
// for a migration, which writes them back once it has read them all (a
// bucket is not written while it is walked).
func (t *tx) outboxItems() ([]pinsede.OutboxItem, error) {
	var items []pinsede.OutboxItem
	err := t.btx.Bucket(bucketOutbox).ForEach(func(key, sealed []byte) error {
		if len(key) != 8 {
			return fmt.Errorf("outbox key %x: %w", key, ErrCorrupt)
		}
		it := pinsede.OutboxItem{Seq: binary.BigEndian.Uint64(key)}
		if err := t.decode(bucketOutbox, key, sealed, &it.Event); err != nil {
			return err
		}
		items = append(items, it)
		return nil
	})
	return items, err
}

// migrate applies the migrations after version from and records the
// current version.
func migrate(tx *bolt.Tx, k *keys, from uint64) error {
	for v := from; v < SchemaVersion; v++ {
		if err := migrations[v].apply(tx, k); err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", v+1, migrations[v].name, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(metaSchema, binary.BigEndian.AppendUint64(nil, SchemaVersion))
}

// schemaOf reads the schema version of a store, and checks that it is one
// this code can read.
func schemaOf(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, fmt.Errorf("no %s bucket, not a pinsede store: %w", bucketMeta, ErrCorrupt)
	}
	b := meta.Get(metaSchema)
	if len(b) != 8 {
		return 0, fmt.Errorf("schema version unreadable: %w", ErrCorrupt)
	}
	v := binary.BigEndian.Uint64(b)
	if v > SchemaVersion {
		return v, fmt.Errorf("schema version %d, this version of pinsede reads up to %d: %w", v, SchemaVersion, ErrSchemaTooNew)
	}
	return v, nil
}

// checkKey reports ErrWrongKey unless k opens the store's key check.
func checkKey(tx *bolt.Tx, k *keys) error {
	sealed := tx.Bucket(bucketMeta).Get(metaKeyCheck)
	if sealed == nil {
		return fmt.Errorf("no key check: %w", ErrCorrupt)
	}
	plain, err := k.open(bucketMeta, metaKeyCheck, sealed)
	if err != nil || !bytes.Equal(plain, keyCheckText) {
		return ErrWrongKey
	}
	return nil
}
