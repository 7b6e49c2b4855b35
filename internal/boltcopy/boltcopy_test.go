package boltcopy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede/internal/boltsafe"
	bolt "go.etcd.io/bbolt"
)

// bucketDB opens a new database in dir, closed when the test ends, with
// the bucket "b", which holds v at "k" unless v is empty.
func bucketDB(t *testing.T, dir, v string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil || v == "" {
			return err
		}
		return b.Put([]byte("k"), []byte(v))
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// Ensure that a copy holds what was committed, opens as a database,
// is readable by its owner only, and never overwrites a file.
func TestToFile(t *testing.T) {
	dir := t.TempDir()
	db := bucketDB(t, dir, "v")
	path := filepath.Join(dir, "copy.db")
	if n, err := ToFile(db, path); err != nil || n == 0 {
		t.Fatalf("ToFile = %d, %v", n, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("copy's mode %v, %v", st.Mode(), err)
	}
	if _, err := ToFile(db, path); !errors.Is(err, ErrExists) {
		t.Errorf("second copy to the same file: %v, want ErrExists", err)
	}
	c, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("b")).Get([]byte("k")); string(v) != "v" {
			t.Errorf("copy holds %q", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(left) != 0 {
		t.Errorf("parts left: %v", left)
	}
}

// Ensure that ToFileEdit's edit is in the copy at its name and not in
// the database copied, that the copy stays whole (bbolt's check), and
// that an edit that fails leaves no copy and no part.
func TestToFileEdit(t *testing.T) {
	dir := t.TempDir()
	db := bucketDB(t, dir, "")
	put := func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put([]byte("k"), []byte("copy's")) }
	path := filepath.Join(dir, "copy.db")
	if _, err := ToFileEdit(context.Background(), db, path, put); err != nil {
		t.Fatal(err)
	}
	get := func(db *bolt.DB) (v string) {
		if err := db.View(func(tx *bolt.Tx) error {
			v = string(tx.Bucket([]byte("b")).Get([]byte("k")))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := get(db); v != "" {
		t.Errorf("the database copied holds %q: edited", v)
	}
	if err := boltsafe.CheckFile(path, 0); err != nil {
		t.Error(err)
	}
	c, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := get(c); v != "copy's" {
		t.Errorf("the copy holds %q, want the edit", v)
	}
	c.Close()

	refused := errors.New("refused")
	failed := filepath.Join(dir, "failed.db")
	if _, err := ToFileEdit(context.Background(), db, failed, func(*bolt.Tx) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("an edit that fails: %v, want it", err)
	}
	if _, err := os.Lstat(failed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an edit that failed left the copy: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(left) != 0 {
		t.Errorf("parts left: %v", left)
	}
}
