package boltstore_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// pushAt opens the store at path, applies ev pushed by its sede at
// storetest.T0, and closes it, returning the result.
func pushAt(t *testing.T, path string, ev pinsede.Event) wire.Result {
	t.Helper()
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	res, err := s.Apply(context.Background(), ev.Sede, []pinsede.Event{ev}, storetest.T0)
	if err != nil || len(res) != 1 {
		t.Fatalf("push of %s = %+v, %v", ev.ID, res, err)
	}
	return res[0]
}

// pushedByOlder applies ev as a centrale of before an index applied it:
// what this one writes, less what that one did not write (undo), undone
// in a write of its own, which stamps nothing, as that centrale's. That
// release's PutRecord was this one's without the index's Put: its apply
// left each bucket as this leaves it (shown against the release's build
// with the reviewer's probe).
func pushedByOlder(t *testing.T, path string, ev pinsede.Event, undo func(tx *bolt.Tx) error) wire.Result {
	t.Helper()
	res := pushAt(t, path, ev)
	writtenByOlder(t, path, undo)
	return res
}

// writtenByOlder runs fn in a write transaction on the closed store at
// path, with bbolt alone: a write of a centrale of before the stamp.
func writtenByOlder(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// noCFKey is an undo of pushedByOlder: cred of cf out of
// credentials_by_cf, as a centrale of before the index (22ed7c3) left it.
func noCFKey(cf pinsede.CodiceFiscale, cred string) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("credentials_by_cf")).Delete(append(append([]byte(cf), 0), cred...))
	}
}

// issuedBefore is storetest.Issued of cred at sede, issued minutes
// before storetest.T0.
func issuedBefore(minutes int, sede string, cf pinsede.CodiceFiscale, id, cred string) pinsede.Event {
	ev := storetest.Issued(sede, cf, id, cred, storetest.FakeHash(pinsede.DefaultPINParams))
	ev.Credential.IssuedAt = storetest.T0.Add(-time.Duration(minutes) * time.Minute)
	ev.Credential.ExpiresAt = pinsede.Expiry(ev.Credential.IssuedAt)
	ev.Credential.SlipSerial = sede + "-" + cred
	return ev
}

// Ensure that a credential a centrale of before credentials_by_cf
// stored, rolled back to on a file of this one, is found again once this
// one opens the file: the lookup (a desk's search, `centrale
// credentials`) and the unlock found no credential, for good: the index
// was built only when missing (a reviewer's probe, boltidx/run.sh).
func TestRolledBackCredentialFound(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	pushAt(t, path, issuedBefore(0, "00100", storetest.CF(1), "ev-a", "cred-a"))
	pushedByOlder(t, path, issuedBefore(0, "00100", storetest.CF(2), "ev-b", "cred-b"), noCFKey(storetest.CF(2), "cred-b"))

	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Rebuilt() {
		t.Error("Rebuilt() = false after an older centrale wrote the file: centrale's start would not say why it took long")
	}
	for cf, want := range map[pinsede.CodiceFiscale]string{storetest.CF(1): "cred-a", storetest.CF(2): "cred-b"} {
		recs, err := s.Credentials(ctx, cf)
		if err != nil || len(recs) != 1 || recs[0].Credential.ID != want {
			t.Errorf("Credentials(%s) = %d records, %v; want %s", cf, len(recs), err, want)
		}
		if _, err := s.Unlock(ctx, cf, "centrale:rossi", storetest.T0); err != nil {
			t.Errorf("Unlock(%s): %v", cf, err)
		}
	}
}

// Ensure that a citizen's newest PIN, issued while centrale ran a
// release of before its index of the newest (6d3e810), stays active when
// an older offline issue comes after the upgrade: the index still named
// the PIN before it, and the offline issue superseded the newest
// (reviewer's probe boltidx/newest.sh: C0 of 07:00 active, C2 of 08:00
// superseded).
func TestRolledBackNewestKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	cf := storetest.CF(3)
	pushAt(t, path, issuedBefore(180, "00100", cf, "ev-1", "C1"))
	pushedByOlder(t, path, issuedBefore(60, "00200", cf, "ev-2", "C2"), func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte("newest")).Put([]byte(cf), []byte("C1")); err != nil {
			return err
		}
		return noCFKey(cf, "C2")(tx)
	})
	res := pushAt(t, path, issuedBefore(120, "00300", cf, "ev-0", "C0"))
	if want := string(pinsede.RefusedSuperseded) + " C2"; res.Verdict != wire.Superseded || res.Reason != want {
		t.Errorf("the offline issue of 2 hours before: %s %q; want superseded, %q", res.Verdict, res.Reason, want)
	}
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs, err := s.Credentials(ctx, cf)
	if err != nil {
		t.Fatal(err)
	}
	var active []string
	for _, r := range recs {
		if r.Status == central.StatusActive {
			active = append(active, r.Credential.ID)
		}
	}
	if len(recs) != 3 || !slices.Equal(active, []string{"C2"}) {
		t.Errorf("%d credentials, active %v; want 3, C2 active", len(recs), active)
	}
}

// Ensure that a lock a centrale of before the overview's lock index
// recorded is listed on the status page once this one opens the file.
func TestRolledBackLockListed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	pushAt(t, path, issuedBefore(0, "00100", storetest.CF(1), "ev-a", "cred-a"))
	kept := snapshot(t, path, "lock_ends", "locked_by_end")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := central.LockPolicy{After: 1, For: time.Hour, MaxTemporary: 5, ResetAfter: 24 * time.Hour}
	if _, _, err := s.Attempt(ctx, storetest.CF(1), central.SlotPIN, p, storetest.T0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	writtenByOlder(t, path, restore(kept)) // the lock as that centrale kept it: not in the indexes
	if s, err = boltstore.Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.Overview(ctx, storetest.T0, 1)
	if err != nil || o.LockedTemporary != 1 || len(o.LockedList) != 1 || o.LockedList[0].CredentialID != "cred-a" {
		t.Errorf("Overview: %d locked, %+v, %v; want cred-a's lock", o.LockedTemporary, o.LockedList, err)
	}
}

// Ensure that a store a newer centrale wrote (a schema above this one's)
// is refused with what to do, and left as it was; the desk's store does
// the same (local.ErrSchemaTooNew). An older centrale cannot be made to
// refuse: those already shipped read no schema.
func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	pushAt(t, path, issuedBefore(0, "00100", storetest.CF(1), "ev-a", "cred-a"))
	newer := boltstore.SchemaVersion + 1
	writtenByOlder(t, path, func(tx *bolt.Tx) error { // as a newer centrale would
		m, err := tx.CreateBucketIfNotExists([]byte("meta"))
		if err != nil {
			return err
		}
		return m.Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, uint64(newer)))
	})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := boltstore.Open(path)
	if err == nil {
		s.Close()
	}
	want := fmt.Sprintf("this store was written by a newer centrale, schema %d; this release reads up to %d: upgrade centrale", newer, boltstore.SchemaVersion)
	if !errors.Is(err, boltstore.ErrSchemaTooNew) || !strings.Contains(err.Error(), want) {
		t.Errorf("Open of a store of schema %d = %v; want ErrSchemaTooNew, %q", newer, err, want)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the refused store changed (%v)", err)
	}
}

// Ensure that audit entries a centrale of before the audit's indexes
// stored, after this one stored others, are found by the searches once
// this one opens the file: the indexes were built only when missing.
func TestRolledBackAuditFound(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	es := rareChain(4000)
	var kept map[string][]kv // the indexes after the first half
	for half := range 2 {
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := half * 2000; i < (half+1)*2000; i += wire.MaxAuditEntries { // one chain, es[0]'s
			if _, err := s.PutAuditEntries(ctx, "ROMA01", "01", es[0].Hash, es[i:i+wire.MaxAuditEntries], storetest.T0); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		if half == 0 {
			kept = snapshot(t, path, "audit_entries_by_time", "audit_entries_by_filter")
		}
	}
	writtenByOlder(t, path, restore(kept)) // the second half as that centrale stored it: in no index
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range rareSearches(es) {
		if tc.want != len(es)/2000 {
			continue // no entry, or the days' first page
		}
		got, err := s.SearchAudit(ctx, "ROMA01", tc.f, wire.AuditCursor{}, 100, wire.MaxAuditSearchBytes)
		if err != nil || len(got) != tc.want {
			t.Errorf("by %s: %d entries, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
}

// kv is a key and its value.
type kv struct{ k, v []byte }

// snapshot returns what the buckets names of the closed store at path
// hold.
func snapshot(t *testing.T, path string, names ...string) map[string][]kv {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	snap := map[string][]kv{}
	err = db.View(func(tx *bolt.Tx) error {
		for _, name := range names {
			snap[name] = nil
			err := tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				snap[name] = append(snap[name], kv{bytes.Clone(k), bytes.Clone(v)})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// restore puts back the buckets of snap as they were: what a centrale
// that does not keep them leaves of them.
func restore(snap map[string][]kv) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		for name, kvs := range snap {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for _, e := range kvs {
				if err := b.Put(e.k, e.v); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// Ensure that the PINs a centrale of before the overview issued are
// counted on the status page once this one opens the file, and that the
// desk's pull recorded before stays as it was.
func TestRolledBackIssuesCounted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits)
	first := storetest.AtDesk(issuedBefore(60, "00100", storetest.CF(1), "ev-a", "cred-a"), "03")
	first.Time = first.Credential.IssuedAt
	if _, err := s.Apply(ctx, "00100", []pinsede.Event{first}, first.Time.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	pulled := storetest.T0.Add(-30 * time.Minute)
	if err := s.Pulled(ctx, "00100", "03", 7, pulled); err != nil {
		t.Fatal(err)
	}
	s.Close()
	kept := snapshot(t, path, "desk_activity", "issued_daily")
	pushAt(t, path, storetest.AtDesk(issuedBefore(0, "00100", storetest.CF(2), "ev-b", "cred-b"), "03"))
	writtenByOlder(t, path, restore(kept)) // pushed as that centrale pushed: not counted

	if s, err = boltstore.Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.Overview(ctx, storetest.T0, 2) // an hour apart: today, or yesterday and today
	if err != nil {
		t.Fatal(err)
	}
	issued := 0
	for _, d := range o.Issued {
		issued += d.Issued
	}
	if issued != 2 {
		t.Errorf("PINs issued: %+v; want 2", o.Issued)
	}
	if len(o.Desks) != 1 || !o.Desks[0].LastPush.Equal(storetest.T0) || !o.Desks[0].LastPull.Equal(pulled) || o.Desks[0].Cursor != 7 {
		t.Errorf("desks: %+v; want 03, its last push at %s, its pull of before kept (%s, cursor 7)", o.Desks, storetest.T0, pulled)
	}
}

// Ensure that only a file an older centrale wrote is said rebuilt: a new
// file, or one this centrale stamped, opens without the start's line
// about building the indexes again.
func TestRebuiltOnlyAfterOlder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	for i, what := range []string{"a new file", "a file this centrale wrote"} {
		if i == 1 {
			pushAt(t, path, issuedBefore(0, "00100", storetest.CF(1), "ev-a", "cred-a"))
		}
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if s.Rebuilt() {
			t.Errorf("Rebuilt() = true for %s", what)
		}
		s.Close()
	}
}
