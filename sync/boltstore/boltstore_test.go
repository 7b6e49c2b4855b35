package boltstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// Ensure that the bbolt store passes the conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
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
