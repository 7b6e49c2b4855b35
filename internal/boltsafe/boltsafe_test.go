package boltsafe_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

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

// goesOn runs fn through Do and returns what it panicked with, failing the
// test when Do returned instead.
func goesOn(t *testing.T, what string, fn func() error) (r any) {
	t.Helper()
	defer func() { r = recover() }()
	err := boltsafe.Do(fn)
	t.Errorf("%s: Do returned %v, want the panic to go on", what, err)
	return nil
}

// bbolt's panics on its caller's bugs go on, not told as a damaged file
// (which the desk would have restored from an older copy): a bucket not
// there (a nil *bolt.Bucket) written to, a cursor used after its
// transaction ("assertion failed: tx closed"). Before, Do returned both as
// ErrDamaged (TestProbeNilBucketIsDamage).
func TestMisuseGoesOn(t *testing.T) {
	good, _ := damaged(t, 10)
	db, err := bolt.Open(good, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := goesOn(t, "a nil bucket's Put", func() error {
		return db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("no-such-bucket")).Put([]byte("k"), []byte("v"))
		})
	})
	if _, ok := r.(runtime.Error); !ok {
		t.Errorf("a nil bucket's Put panicked with %v, want a runtime error", r)
	}
	var c *bolt.Cursor
	if err := db.View(func(tx *bolt.Tx) error { c = tx.Bucket([]byte("records")).Cursor(); return nil }); err != nil {
		t.Fatal(err)
	}
	r = goesOn(t, "a cursor after its transaction", func() error {
		c.First()
		return nil
	})
	if s, _ := r.(string); !strings.Contains(s, "tx closed") {
		t.Errorf("a cursor after its transaction panicked with %v, want tx closed", r)
	}
	// The database is still whole and usable.
	if err := boltsafe.Check(db); err != nil {
		t.Fatal(err)
	}
}

// errNoRecords is a file without its records bucket: with its newest meta
// page zeroed, bbolt reads the file as of the meta before, when it was empty.
var errNoRecords = errors.New("no records bucket")

// Each page of a file zeroed in turn, as a disk damages one: a walk of its
// records and a write of some through a Guard return nil or ErrDamaged
// (or, the newest meta page zeroed, the file as it was before), never a
// panic going on: every panic bbolt raises on these is one Do tells as
// damage.
func TestEachPageZeroedIsDamage(t *testing.T) {
	good, _ := damaged(t, 0)
	damagedN := 0
	for pg, p := range zeroed.EachPage(t, good) {
		g, err := boltsafe.Open(p, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			if !errors.Is(err, boltsafe.ErrDamaged) {
				t.Errorf("page %d zeroed: open: %v, want ErrDamaged", pg, err)
			}
			damagedN++
			continue
		}
		db := g.DB()
		read := g.Read(func() error {
			return db.View(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("records"))
				if b == nil {
					return errNoRecords
				}
				return b.ForEach(func(k, v []byte) error { return nil })
			})
		})
		write := g.Write(func() error {
			return db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("records"))
				if b == nil {
					return errNoRecords
				}
				for i := 0; i < 2000; i += 7 {
					if err := b.Delete(fmt.Appendf(nil, "%06d", i)); err != nil {
						return err
					}
				}
				return b.Put([]byte("new"), bytes.Repeat([]byte{'y'}, 5000))
			})
		})
		for _, err := range []error{read, write} {
			if err != nil && !errors.Is(err, boltsafe.ErrDamaged) && !errors.Is(err, errNoRecords) {
				t.Errorf("page %d zeroed: %v, want nil or ErrDamaged", pg, err)
			}
		}
		if read != nil || write != nil {
			damagedN++
		}
		if err := g.Close(); err != nil {
			t.Errorf("page %d zeroed: Close: %v", pg, err)
		}
	}
	t.Logf("%d of the pages zeroed told as damage", damagedN)
}
