// Package boltstore is the central records in an embedded bbolt file: the
// default for a single machine and for `make run`.
//
// # Basics
//
// One bbolt write transaction applies a whole push, so the rules of
// [central.Apply] hold without further locking. Values are JSON. The
// counts of PIN checks made at once, and their records of right PINs,
// share one transaction and its commit (group.go): each is answered once
// on disk, counted in turn as if committed alone.
//
// # Schema
//
// The file records its SchemaVersion and stamps each write with its
// transaction id (schema.go): a newer schema is refused, and a file
// written since by a centrale of before the stamp, which keeps only the
// indexes it knows, has every index built again when it opens.
//
// # Caveats
//
// bbolt runs one writer at a time: pushes from many sedi queue behind each
// other. Production uses sync/pgstore. Only one program may open the file;
// a second gets ErrAlreadyOpen after a second.
package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var _ central.Store = (*Store)(nil)

// ErrAlreadyOpen is returned by Open when another program holds the file.
var ErrAlreadyOpen = errors.New("central store already open in another program")

// The buckets.
var (
	// bucketEvents: sede ‖ 0 ‖ event id -> JSON central.AppliedEvent. Event ids
	// are unique per sede only.
	bucketEvents = []byte("sede_events")
	// bucketEventsByID: event id -> JSON central.AppliedEvent, the events before
	// ids were per sede; Open moves them to bucketEvents.
	bucketEventsByID = []byte("events")
	// bucketCreds: credential id -> JSON central.Record.
	bucketCreds = []byte("credentials")
	// bucketActive: slot key (central.Slot.Key) -> id of its active
	// credential.
	bucketActive = []byte("active")
	// bucketLatest: slot key -> id of its credential accepted last.
	bucketLatest = []byte("latest")
	// bucketCredsByCF: codice fiscale ‖ 0 ‖ credential id -> empty, for
	// every credential, whatever its status (Credentials, Unlock).
	bucketCredsByCF = []byte("credentials_by_cf")
	// bucketNewest: slot key -> id of its credential issued last
	// (central.IssuedLater), whatever its status (Tx.Newest).
	bucketNewest = []byte("newest")
	// bucketChanges: sede ‖ 0 ‖ seq (big-endian) -> JSON wire.Change. The
	// bucket's sequence numbers the changes. The event of a
	// ChangeSedeEvent is kept in bucketEvents only: the change keeps its
	// id and kind.
	bucketChanges = []byte("changes")
	// bucketForms: credential id ‖ 0 ‖ form kind -> JSON storedForm.
	bucketForms = []byte("forms")
	// bucketDelegations: delegation id -> JSON central.DelegationRecord.
	bucketDelegations = []byte("delegations")
	// bucketDelegationsBy: codice fiscale ‖ 0 ‖ delegation id -> empty,
	// for each active delegation, under its delegante and its delegato.
	bucketDelegationsBy = []byte("delegations_by_cf")
)

// storedForm is an archived form as kept.
type storedForm struct {
	Form pinsede.ArchivedForm `json:"form"`
	At   time.Time            `json:"at"`
}

// Store is the central records in a bbolt file.
type Store struct {
	db   file
	path string
	// logins commits the counts of PIN checks and the records of right
	// PINs of concurrent checks together (Attempt, Succeed).
	logins group
	// limits bound the events Apply accepts (SetLimits).
	limits atomic.Pointer[central.Limits]
	// auditRead counts the audit entries SearchAudit read, for the
	// tests of what a search costs (export_test.go).
	auditRead atomic.Int64
	// credsRead counts the credential records Credentials and Unlock
	// read, for the tests of what a lookup costs (export_test.go).
	credsRead atomic.Int64
	// rebuilt says whether the open built the indexes of an existing
	// file again (Rebuilt).
	rebuilt bool
}

// openStore is Open but for the damage bbolt panics on (damaged.go).
func openStore(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, OpenFile: openRegular})
	if errors.Is(err, berrors.ErrTimeout) {
		err = ErrAlreadyOpen
	}
	if err != nil {
		return nil, fmt.Errorf("open central store %s: %w", path, err)
	}
	f := file{db}
	var rebuilt bool
	err = f.Update(func(tx *bolt.Tx) error {
		existed := tx.Bucket(bucketEvents) != nil
		stale, err := openSchema(tx) // schema.go
		rebuilt = stale && existed
		if err != nil {
			return err
		}
		for _, b := range [][]byte{bucketEvents, bucketCreds, bucketActive, bucketLatest, bucketChanges, bucketForms, bucketDelegations, bucketDelegationsBy} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := migrateEventKeys(tx); err != nil {
			return err
		}
		if err := migrateAuditIndexes(tx, stale); err != nil { // auditentries.go
			return err
		}
		if err := openEpoch(tx); err != nil { // epoch.go
			return err
		}
		if !stale {
			return nil
		}
		if err := rebuildCredentialIndexes(tx); err != nil { // schema.go
			return err
		}
		return retally(tx) // overview.go
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open central store %s: %w", path, err)
	}
	s := &Store{db: f, path: path, logins: group{db: f}, rebuilt: rebuilt}
	s.SetLimits(central.DefaultLimits())
	return s, nil
}

// Rebuilt reports whether Open built the store's indexes again: at the
// first start of a release that stamps its writes, or after a centrale
// of before wrote the file (a rollback). It reads the whole store (11 to
// 17 s at 200,000 credentials), which the operator is told at start.
func (s *Store) Rebuilt() bool { return s.rebuilt }

// openRegular opens the store's file for bbolt, refusing a pipe, a
// device or a folder named in its place, which bbolt would write its
// pages to.
func openRegular(path string, flag int, perm os.FileMode) (*os.File, error) {
	return smallfile.OpenFileRegular(path, "central store", flag, perm)
}

// SetLimits sets the bounds Apply holds pushed events to.
func (s *Store) SetLimits(l central.Limits) {
	l = l.WithDefaults()
	s.limits.Store(&l)
}

// eventKey is the key of an event of sede in bucketEvents.
func eventKey(sede, id string) []byte { return append(append([]byte(sede), 0), id...) }

// migrateEventKeys moves the events of a file written before event ids
// were per sede from bucketEventsByID to bucketEvents, under their sede,
// and drops the old bucket.
func migrateEventKeys(btx *bolt.Tx) error {
	old := btx.Bucket(bucketEventsByID)
	if old == nil {
		return nil
	}
	events := btx.Bucket(bucketEvents)
	err := old.ForEach(func(k, v []byte) error {
		var e central.AppliedEvent
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("event %q: %w", k, err)
		}
		return events.Put(eventKey(e.Event.Sede, string(k)), v)
	})
	if err != nil {
		return fmt.Errorf("move events under their sede: %w", err)
	}
	return btx.DeleteBucket(bucketEventsByID)
}

// Ping answers nil while the file is open.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.View(func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("ping central store %s: %w", s.path, err)
	}
	return nil
}

// Kind returns "bolt".
func (s *Store) Kind() string { return "bolt" }

// Close closes the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close central store %s: %w", s.path, err)
	}
	return nil
}

// Apply applies a push in one write transaction. The events are screened
// (a form's SHA-256, the bounds) before it, outside bbolt's one writer.
func (s *Store) Apply(ctx context.Context, sede string, events []pinsede.Event, at time.Time) ([]wire.Result, error) {
	reasons := central.ScreenAll(*s.limits.Load(), sede, events, at)
	var out []wire.Result
	err := s.db.Update(func(btx *bolt.Tx) (err error) {
		out, err = apply(btx, sede, events, reasons, at)
		return err
	})
	return out, err
}

// apply applies events, screened with reasons, in the write transaction
// btx, and tallies them for the status page.
func apply(btx *bolt.Tx, sede string, events []pinsede.Event, reasons []string, at time.Time) ([]wire.Result, error) {
	out, err := central.Apply(&tx{btx}, sede, events, reasons, at)
	if err != nil {
		return nil, err
	}
	return out, tally(btx, central.TallyPush(sede, events, out, at)) // overview.go
}

// Push judges and keeps the audit head h, as PutAuditHead does, and
// applies the events, as Apply does, in one write transaction: a push
// that fails halfway (a crash, a record that does not read) keeps
// neither its head nor its events. A head refused is recorded as a fork
// and returned as a *central.ForkError, with no event applied. A push
// whose ctx has ended by the time it has bbolt's one writer (waiting
// behind others' pushes) gives up with ctx's error, nothing kept; once
// begun, the transaction runs to its end.
func (s *Store) Push(ctx context.Context, sede string, h wire.AuditHead, events []pinsede.Event, at time.Time) ([]wire.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("push of %s: %w", sede, err)
	}
	reasons := central.ScreenAll(*s.limits.Load(), sede, events, at)
	var out []wire.Result
	var fork *central.ForkError
	err := s.db.Update(func(btx *bolt.Tx) (err error) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if fork, err = keepHead(btx, sede, h, at); err != nil {
			return fmt.Errorf("audit head %d: %w", h.Seq, err)
		}
		if fork != nil {
			return nil // the fork is kept; nothing is applied
		}
		out, err = apply(btx, sede, events, reasons, at)
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("push of %s: %w", sede, err)
	case fork != nil:
		return nil, fork
	}
	return out, nil
}

// Changes returns the changes for sede after a cursor that f lets
// through, the cursor past those it looked at, and the number of the
// sede's newest change, in one read transaction: the newest is the last
// key under the sede's prefix. A change f leaves out costs its decoding
// only: its event is not read. A pull whose ctx has ended gives up with
// its error before the transaction; once begun, it runs to its end.
func (s *Store) Changes(ctx context.Context, sede string, after uint64, limit int, f *central.ChangeFilter) ([]wire.Change, uint64, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("changes of %s: %w", sede, err)
	}
	prefix := append([]byte(sede), 0)
	var out []wire.Change
	next, latest := after, uint64(0)
	err := s.db.View(func(btx *bolt.Tx) error {
		c := btx.Bucket(bucketChanges).Cursor()
		end := append([]byte(sede), 1) // the first key after the sede's ("sede\x00" + seq)
		k, _ := c.Seek(end)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		if len(k) == len(prefix)+8 && bytes.HasPrefix(k, prefix) {
			latest = binary.BigEndian.Uint64(k[len(prefix):])
		}
		looked := 0
		for k, v := c.Seek(binary.BigEndian.AppendUint64(bytes.Clone(prefix), after+1)); k != nil && bytes.HasPrefix(k, prefix) && looked < limit; k, v = c.Next() {
			looked++
			next = binary.BigEndian.Uint64(k[len(prefix):])
			var ch wire.Change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("change %x: %w", k, err)
			}
			if !f.Takes(ch) {
				continue
			}
			if ch.Event != nil { // by reference (AddChange)
				var e central.AppliedEvent
				if err := json.Unmarshal(btx.Bucket(bucketEvents).Get(eventKey(sede, ch.Event.ID)), &e); err != nil {
					return fmt.Errorf("event %s of change %d: %w", ch.Event.ID, ch.Seq, err)
				}
				ch.Event = &e.Event
			}
			out = append(out, ch)
		}
		return nil
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("changes of %s: %w", sede, err)
	}
	return out, next, latest, nil
}

// Current returns the credential a login with cf checks.
func (s *Store) Current(ctx context.Context, cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	var r central.Record
	key := []byte(slot.Key(cf))
	err := s.db.View(func(btx *bolt.Tx) error {
		id := btx.Bucket(bucketActive).Get(key)
		if id == nil {
			id = btx.Bucket(bucketLatest).Get(key)
		}
		if id == nil {
			return central.ErrNotFound
		}
		var err error
		r, err = (&tx{btx}).Record(string(id))
		return err
	})
	return r, err
}

// update changes a credential's record in a write transaction.
func (s *Store) update(id string, fn func(t *tx, r *central.Record) error) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		t := &tx{btx}
		r, err := t.Record(id)
		if err != nil {
			return err
		}
		if err := fn(t, &r); err != nil {
			return err
		}
		return t.PutRecord(r)
	})
}

// Attempt reserves a PIN check on the credential a login with cf checks,
// in a write transaction: bbolt runs one at a time, and the checks a
// transaction holds run one after the other in it, so checks sent at once
// are counted one after the other. The counts of concurrent checks share
// one commit (group), and each is answered once its count is on disk. The
// transaction commits even when it writes nothing (cf unknown, or the
// credential locked), so that every answer costs a commit.
func (s *Store) Attempt(ctx context.Context, cf pinsede.CodiceFiscale, slot central.Slot, p central.LockPolicy, at time.Time) (central.Record, bool, error) {
	var r central.Record
	var open, found bool
	key := []byte(slot.Key(cf))
	err := s.logins.update(func(btx *bolt.Tx) error {
		r, open, found = central.Record{}, false, false // afresh: run again if its group rolls back
		id := btx.Bucket(bucketActive).Get(key)
		if id == nil {
			id = btx.Bucket(bucketLatest).Get(key)
		}
		if id == nil {
			return nil
		}
		t := &tx{btx}
		var err error
		if r, err = t.Record(string(id)); err != nil {
			return err
		}
		found = true
		if open = central.ReserveAttempt(&r, p, at); !open {
			return nil
		}
		return t.PutRecord(r)
	})
	if err != nil {
		return central.Record{}, false, fmt.Errorf("count PIN check of %s: %w", cf.Redacted(), err)
	}
	if !found {
		return central.Record{}, false, fmt.Errorf("count PIN check of %s: %w", cf.Redacted(), central.ErrNotFound)
	}
	return r, open, nil
}

// Succeed records a right PIN: the wrong PINs and the lock are cleared,
// and a replacement PIN recorded, in a write transaction shared with
// those of concurrent checks (group), as Attempt.
func (s *Store) Succeed(ctx context.Context, id, newPINHash string) error {
	var refused error // SucceedRecord's, which writes nothing
	err := s.logins.update(func(btx *bolt.Tx) error {
		t := &tx{btx}
		r, err := t.Record(id)
		if err != nil {
			return err
		}
		if refused = central.SucceedRecord(&r, newPINHash); refused != nil {
			return nil // nothing written: the others in the group commit
		}
		return t.PutRecord(r)
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return fmt.Errorf("record login of %s: %w", id, err)
	}
	return nil
}

// Unlock lifts the lock of every credential of cf, in one write
// transaction, reading cf's credentials only (bucketCredsByCF).
func (s *Store) Unlock(ctx context.Context, cf pinsede.CodiceFiscale, by string, at time.Time) ([]central.Record, error) {
	var out []central.Record
	found := false
	err := s.db.Update(func(btx *bolt.Tx) error {
		t := &tx{btx}
		out, found = nil, false
		recs, err := s.credentialsOf(t, cf)
		if err != nil {
			return err
		}
		found = len(recs) > 0
		for _, r := range recs {
			before := r
			if !central.UnlockRecord(&r, by, at) {
				continue
			}
			if err := t.PutRecord(r); err != nil {
				return err
			}
			out = append(out, before)
		}
		return nil
	})
	if err == nil && !found {
		err = central.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("unlock %s: %w", cf.Redacted(), err)
	}
	return out, nil
}

// Revoke revokes an active credential by an operator of centrale.
func (s *Store) Revoke(ctx context.Context, id, by, reason string, at time.Time) (central.Record, error) {
	var out central.Record
	err := s.update(id, func(t *tx, r *central.Record) error {
		c, err := central.RevokeRecord(r, by, reason, at)
		if err != nil {
			return err
		}
		out = *r
		return t.AddChange(c)
	})
	if err != nil {
		return central.Record{}, fmt.Errorf("revoke %s: %w", id, err)
	}
	return out, nil
}

// Form returns the archived form of kind of a credential.
func (s *Store) Form(ctx context.Context, id, kind string) (pinsede.ArchivedForm, error) {
	var f storedForm
	err := s.db.View(func(btx *bolt.Tx) error {
		v := btx.Bucket(bucketForms).Get(formKey(id, kind))
		if v == nil {
			return central.ErrNotFound
		}
		return json.Unmarshal(v, &f)
	})
	if err != nil {
		return pinsede.ArchivedForm{}, fmt.Errorf("form %s of %s: %w", kind, id, err)
	}
	return f.Form, nil
}

// Delegation returns a delegation.
func (s *Store) Delegation(ctx context.Context, id string) (central.DelegationRecord, error) {
	var r central.DelegationRecord
	err := s.db.View(func(btx *bolt.Tx) error {
		var err error
		r, err = (&tx{btx}).Delegation(id)
		return err
	})
	return r, err
}

// Events counts the events held.
func (s *Store) Events(ctx context.Context) (int, error) {
	var n int
	err := s.db.View(func(btx *bolt.Tx) error {
		n = btx.Bucket(bucketEvents).Stats().KeyN
		return nil
	})
	return n, err
}

// Event returns an event of sede as applied.
func (s *Store) Event(ctx context.Context, sede, id string) (central.AppliedEvent, error) {
	var e central.AppliedEvent
	err := s.db.View(func(btx *bolt.Tx) error {
		v := btx.Bucket(bucketEvents).Get(eventKey(sede, id))
		if v == nil {
			return central.ErrNotFound
		}
		return json.Unmarshal(v, &e)
	})
	if err != nil {
		return central.AppliedEvent{}, fmt.Errorf("event %s of %s: %w", id, sede, err)
	}
	return e, nil
}

// tx is a central.Tx on a bbolt write transaction.
type tx struct{ btx *bolt.Tx }

func (t *tx) Seen(sede, id string) (wire.Verdict, error) {
	v := t.btx.Bucket(bucketEvents).Get(eventKey(sede, id))
	if v == nil {
		return "", nil
	}
	var e struct{ Verdict wire.Verdict }
	if err := json.Unmarshal(v, &e); err != nil {
		return "", fmt.Errorf("event %s of %s: %w", id, sede, err)
	}
	return e.Verdict, nil
}

func (t *tx) PutEvent(ev pinsede.Event, v wire.Verdict, at time.Time) error {
	b, err := json.Marshal(central.AppliedEvent{Event: ev, Verdict: v, At: at})
	if err != nil {
		return err
	}
	return t.btx.Bucket(bucketEvents).Put(eventKey(ev.Sede, ev.ID), b)
}

func (t *tx) Record(id string) (central.Record, error) {
	var r central.Record
	v := t.btx.Bucket(bucketCreds).Get([]byte(id))
	if v == nil {
		return r, central.ErrNotFound
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return r, fmt.Errorf("credential %s: %w", id, err)
	}
	return r, nil
}

func (t *tx) Active(cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	return t.bySlot(bucketActive, cf, slot)
}

func (t *tx) Newest(cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	return t.bySlot(bucketNewest, cf, slot)
}

// bySlot returns the credential that bucket, keyed by slot key, names
// for cf in slot; ErrNotFound when none.
func (t *tx) bySlot(bucket []byte, cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	id := t.btx.Bucket(bucket).Get([]byte(slot.Key(cf)))
	if id == nil {
		return central.Record{}, central.ErrNotFound
	}
	return t.Record(string(id))
}

func (t *tx) PutRecord(r central.Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	id, cf := []byte(r.Credential.ID), []byte(central.SlotOf(r.Credential.Type).Key(r.Credential.CodiceFiscale))
	if err := t.btx.Bucket(bucketCreds).Put(id, b); err != nil {
		return err
	}
	if err := t.btx.Bucket(bucketCredsByCF).Put(credByCFKey(r.Credential.CodiceFiscale, r.Credential.ID), []byte{}); err != nil {
		return err
	}
	if err := indexLock(t.btx, r); err != nil { // overview.go
		return err
	}
	if err := t.indexNewest(r); err != nil { // credentials.go
		return err
	}
	active := t.btx.Bucket(bucketActive)
	switch {
	case r.Status == central.StatusActive:
		if err := active.Put(cf, id); err != nil {
			return err
		}
	case bytes.Equal(active.Get(cf), id):
		if err := active.Delete(cf); err != nil {
			return err
		}
	}
	latest := t.btx.Bucket(bucketLatest)
	if cur := latest.Get(cf); cur == nil || r.Status == central.StatusActive {
		return latest.Put(cf, id)
	}
	return nil
}

func (t *tx) AddChange(c wire.Change) error {
	b := t.btx.Bucket(bucketChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	c.Seq = seq
	if c.Event != nil { // kept by reference: PutEvent keeps it whole
		c.Event = &pinsede.Event{ID: c.Event.ID, Kind: c.Event.Kind}
	}
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(append([]byte(c.Sede), 0), seq), v)
}

// formKey is the key of a credential's form of kind.
func formKey(id, kind string) []byte {
	return append(append([]byte(id), 0), kind...)
}

func (t *tx) PutForm(id string, f pinsede.ArchivedForm, at time.Time) error {
	b, err := json.Marshal(storedForm{Form: f, At: at})
	if err != nil {
		return err
	}
	return t.btx.Bucket(bucketForms).Put(formKey(id, f.Kind), b)
}

func (t *tx) Delegation(id string) (central.DelegationRecord, error) {
	var r central.DelegationRecord
	v := t.btx.Bucket(bucketDelegations).Get([]byte(id))
	if v == nil {
		return r, central.ErrNotFound
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return r, fmt.Errorf("delegation %s: %w", id, err)
	}
	return r, nil
}

func (t *tx) ActiveDelegations(cf pinsede.CodiceFiscale) ([]central.DelegationRecord, error) {
	prefix := append([]byte(cf), 0)
	var out []central.DelegationRecord
	c := t.btx.Bucket(bucketDelegationsBy).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		r, err := t.Delegation(string(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (t *tx) PutDelegation(r central.DelegationRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	d := r.Delegation
	if err := t.btx.Bucket(bucketDelegations).Put([]byte(d.ID), b); err != nil {
		return err
	}
	by := t.btx.Bucket(bucketDelegationsBy)
	for _, cf := range []pinsede.CodiceFiscale{d.Delegante.CodiceFiscale, d.Delegato.CodiceFiscale} {
		k := append(append([]byte(cf), 0), d.ID...)
		if r.Status == central.DelegationActive {
			err = by.Put(k, []byte{})
		} else {
			err = by.Delete(k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
