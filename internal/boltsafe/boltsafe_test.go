package boltsafe_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
	bolt "go.etcd.io/bbolt"
)

// damaged writes a bbolt file of 2,000 records in one bucket and returns
// its path and a copy with page pg zeroed.
func damaged(t *testing.T, pg int) (good, bad string) {
	t.Helper()
	dir := t.TempDir()
	good = filepath.Join(dir, "good.db")
	db, err := bolt.Open(good, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("records"))
		if err != nil {
			return err
		}
		for i := range 2000 {
			if err := b.Put(fmt.Appendf(nil, "%06d", i), bytes.Repeat([]byte{'x'}, 100)); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return good, zeroed.EachPage(t, good)[pg]
}

// A walk of a file with a leaf page zeroed: bbolt panics, Do returns
// ErrDamaged, and the database is still open to be closed; the check
// finds the page; the good file passes.
func TestDamagedPage(t *testing.T) {
	good, bad := damaged(t, 10)
	if err := boltsafe.CheckFile(good, 0); err != nil {
		t.Fatalf("good file: %v", err)
	}
	db, err := bolt.Open(bad, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = boltsafe.Do(func() error {
		return db.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("records")).ForEach(func(k, v []byte) error { return nil })
		})
	})
	if !errors.Is(err, boltsafe.ErrDamaged) {
		t.Fatalf("walk: %v, want ErrDamaged", err)
	}
	t.Logf("walk: %v", err)
	if err := boltsafe.Check(db); !errors.Is(err, boltsafe.ErrDamaged) {
		t.Fatalf("check: %v, want ErrDamaged", err)
	}
	if err := boltsafe.CheckFile(bad, 0); !errors.Is(err, boltsafe.ErrDamaged) {
		t.Fatalf("check file: %v, want ErrDamaged", err)
	} else {
		t.Logf("check file: %v", err)
	}
}

// A panic of the caller's own code, even called back by bbolt, is no
// damage: it goes on.
func TestOtherPanicGoesOn(t *testing.T) {
	good, _ := damaged(t, 10)
	db, err := bolt.Open(good, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer func() {
		if r := recover(); r != "ours" {
			t.Fatalf("recovered %v, want the panic to go on", r)
		}
	}()
	boltsafe.Do(func() error {
		return db.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("records")).ForEach(func(k, v []byte) error { panic("ours") })
		})
	})
	t.Fatal("Do returned")
}
