package boltstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// Ensure that the bbolt store passes the conformance suite, and that
// each of its writes is stamped as this centrale's: one that is not
// would make the next open take the file for a rolled back one and
// build its indexes again.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store {
		path := filepath.Join(t.TempDir(), "centrale.db")
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			s.Close()
			if ok, err := boltstore.Stamped(path); err != nil || !ok {
				t.Errorf("the store's last write is not stamped as this centrale's (%v): a write went around file.Update", err)
			}
		})
		return s
	})
}

// Ensure that a second open of the same file gives up with ErrAlreadyOpen.
func TestAlreadyOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := boltstore.Open(path); !errors.Is(err, boltstore.ErrAlreadyOpen) {
		t.Errorf("second Open: %v, want ErrAlreadyOpen", err)
	}
}

// Ensure that a file written when event ids were global is opened with
// its events moved under their sede: a replay is still a duplicate, and
// another sede's event of the same id is applied.
func TestEventKeysMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	roma := storetest.Issued("ROMA01", storetest.CF(1), "e1", "cr", h)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("events"))
		if err != nil {
			return err
		}
		v, err := json.Marshal(map[string]any{"event": roma, "verdict": wire.Accepted, "at": storetest.T0})
		if err != nil {
			return err
		}
		return b.Put([]byte(roma.ID), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	ctx := context.Background()
	if n, err := s.Events(ctx); err != nil || n != 1 {
		t.Errorf("Events() = %d, %v after the move; want 1", n, err)
	}
	mila := storetest.Issued("MILA01", storetest.CF(2), "e1", "cm", h)
	for _, tc := range []struct {
		sede string
		ev   pinsede.Event
		want wire.Verdict
	}{{"ROMA01", roma, wire.Duplicate}, {"MILA01", mila, wire.Accepted}} {
		res, err := s.Apply(ctx, tc.sede, []pinsede.Event{tc.ev}, storetest.T0)
		if err != nil || res[0].Verdict != tc.want {
			t.Errorf("%s's e1: %+v, %v; want %s", tc.sede, res, err, tc.want)
		}
	}
}

// Ensure that a push whose events fail to apply (a stored credential
// that no longer reads, as a damaged file gives) keeps nothing of it,
// its audit head neither: the head and the events are one transaction,
// as in PostgreSQL (TestApplyFailsWhole there); and that once the
// credential reads again the same push is kept whole.
func TestPushFailsWhole(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "centrale.db")
	open := func() *boltstore.Store {
		t.Helper()
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s.SetLimits(storetest.Limits)
		return s
	}
	s := open()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	head := func(seq uint64) wire.AuditHead { return storetest.Head("A", "", 0, seq) }
	if res, err := s.Push(ctx, "ROMA01", head(1), []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", h)}, storetest.T0); err != nil || res[0].Verdict != wire.Accepted {
		t.Fatalf("first push = %+v, %v", res, err)
	}
	s.Close()
	var kept []byte
	damage := func(v func() []byte) { // a disk's, not an older centrale's: the file's own stamp
		t.Helper()
		if err := boltstore.UpdateStamped(path, func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("credentials"))
			if kept == nil {
				kept = bytes.Clone(b.Get([]byte("c1")))
			}
			return b.Put([]byte("c1"), v())
		}); err != nil {
			t.Fatal(err)
		}
	}
	damage(func() []byte { return []byte("{not json") })
	s = open()
	// e2 supersedes c1, which Apply reads.
	push := []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(1), "e2", "c2", h)}
	if res, err := s.Push(ctx, "ROMA01", head(2), push, storetest.T0); err == nil {
		t.Fatalf("Push over a credential that does not read = %+v; want an error", res)
	} else if !strings.Contains(err.Error(), "push of ROMA01: apply event e2: credential c1") {
		t.Errorf("Push over a credential that does not read: %v; want an error naming the push, the event and the credential", err)
	}
	if got := storetest.Heads(t, s, "ROMA01", head); !slices.Equal(got, []uint64{1}) {
		t.Errorf("audit heads after the failed push: %v, want 1 alone", got)
	}
	if _, err := s.Event(ctx, "ROMA01", "e2"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("event of the failed push: %v, want it not kept", err)
	}
	s.Close()

	damage(func() []byte { return kept })
	s = open()
	defer s.Close()
	if res, err := s.Push(ctx, "ROMA01", head(2), push, storetest.T0); err != nil || len(res) != 1 || res[0].Verdict != wire.Accepted {
		t.Fatalf("the same push again = %+v, %v; want it accepted", res, err)
	}
	if got := storetest.Heads(t, s, "ROMA01", head); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("audit heads: %v, want 1, 2", got)
	}
}

// Ensure that a file written before centrale kept each person's newest
// credential learns it when it opens: an issue older than a revoked one
// the file holds is kept superseded by it, and one of a person whose
// only credential is older becomes active.
func TestNewestMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits)
	newer := storetest.Issued("MILA01", storetest.CF(1), "m1", "cm", h)
	other := storetest.IssuedOn(2, "MILA01", storetest.CF(2), "m3", "co", h)
	if _, err := s.Apply(context.Background(), "MILA01", []pinsede.Event{newer, storetest.Follow(newer, "m2", pinsede.EventRevoked), other}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The file as an older centrale left it: no bucket of the newest.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("newest")) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	older := []pinsede.Event{storetest.IssuedOn(1, "ROMA01", storetest.CF(1), "r1", "cr", h), storetest.IssuedOn(1, "ROMA01", storetest.CF(2), "r2", "cs", h)}
	res, err := s.Apply(context.Background(), "ROMA01", older, storetest.T0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Verdict != wire.Superseded || res[0].Reason != string(pinsede.RefusedSuperseded)+" cm" || res[1].Verdict != wire.Accepted {
		t.Errorf("results %+v, want cr superseded by cm, cs accepted", res)
	}
}
