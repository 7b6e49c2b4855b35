package boltsafe_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// A hang of a call below ends in go test's -timeout, whose stacks name
// it.
//
// A commit that meets a damaged freelist page (the disk damaged it under
// the open database) panics, and bbolt's rollback of it panics again with
// its writer lock held: the
// Guard is poisoned, the next write and read return its error without
// entering bbolt, Close returns and lets go of the file, which another
// open may then hold. Before the Guard, the next Update and Close blocked
// for ever (TestProbeRollbackPanicLeavesLock).
func TestGuardPoisonedByWriteDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	g, err := boltsafe.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := g.DB()
	for i := range 50 {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte{byte(i)}, make([]byte, 3000))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	zeroed.Freelist(t, path)
	ours := errors.New("a validation error of ours")
	err = g.Write(func() error { return db.Update(func(*bolt.Tx) error { return ours }) })
	if !errors.Is(err, ours) {
		t.Fatalf("write rolled back over the damaged freelist: %v, want ours", err)
	}
	if err := g.Write(func() error { return db.Update(func(*bolt.Tx) error { return nil }) }); !errors.Is(err, boltsafe.ErrDamaged) {
		t.Fatalf("commit over the damaged freelist: %v, want ErrDamaged", err)
	} else {
		t.Logf("commit: %v", err)
	}
	if err := g.Write(func() error {
		t.Error("the next write entered bbolt")
		return db.Update(func(*bolt.Tx) error { return nil })
	}); !errors.Is(err, boltsafe.ErrDamaged) {
		t.Errorf("next write: %v, want ErrDamaged", err)
	}
	if err := g.Read(func() error {
		t.Error("a read of the poisoned guard entered bbolt")
		return nil
	}); !errors.Is(err, boltsafe.ErrDamaged) {
		t.Errorf("read: %v, want ErrDamaged", err)
	}
	if err := g.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	release, err := boltsafe.Hold(path, 0)
	if err != nil {
		t.Fatalf("the file is still held after Close: %v", err)
	}
	release()
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A Guard not poisoned: a write's own error is no damage, and Close
// closes the database.
func TestGuardWholeDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	g, err := boltsafe.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := g.DB()
	ours := errors.New("ours")
	if err := g.Write(func() error { return db.Update(func(*bolt.Tx) error { return ours }) }); !errors.Is(err, ours) {
		t.Fatalf("write: %v, want ours", err)
	}
	if err := g.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if err := g.Write(func() error { return db.Update(func(*bolt.Tx) error { return nil }) }); !errors.Is(err, berrors.ErrDatabaseNotOpen) {
		t.Fatalf("write after Close: %v, want ErrDatabaseNotOpen", err)
	}
}
