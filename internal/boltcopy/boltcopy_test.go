package boltcopy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Ensure that a copy holds what was committed, opens as a database,
// is readable by its owner only, and never overwrites a file.
func TestToFile(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
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
