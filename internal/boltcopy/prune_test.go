package boltcopy_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/boltcopy"
	"github.com/pinsede/pinsede/internal/testclock"
	bolt "go.etcd.io/bbolt"
)

// Copies written while Prunes run in the same folder (the desk's schedule
// and pinctl's, or two desks' on a shared folder), all released together:
// no Prune removes a copy's .part under way, every copy is in place, and
// no .part is left. Before, a Prune removed the .part between its creation
// and its lock, and the copy failed ("hold ...part: no such file or
// directory"), or removed it after taking and letting go of its lock, just
// before the copy took it, and the copy's rename failed.
func TestPruneBesideCopies(t *testing.T) {
	const copiers, pruners, each = 4, 4, 150
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	at := testclock.Now()
	start := make(chan struct{})
	var stop atomic.Bool
	var prunes sync.WaitGroup
	for range pruners {
		prunes.Go(func() {
			<-start
			for !stop.Load() {
				if err := boltcopy.Prune(dir, "sportello-", ".db", 0, ""); err != nil {
					t.Errorf("Prune: %v", err)
					return
				}
			}
		})
	}
	var copies sync.WaitGroup
	var failed atomic.Int64
	errs := make(chan error, copiers*each)
	for c := range copiers {
		copies.Go(func() {
			<-start
			for i := range each {
				p := filepath.Join(dir, boltcopy.Name("sportello-", at.Add(time.Duration(c*each+i)*time.Minute), ".db"))
				if _, err := boltcopy.ToFile(db, p); err != nil {
					failed.Add(1)
					errs <- err
				}
			}
		})
	}
	close(start)
	copies.Wait()
	stop.Store(true)
	prunes.Wait()
	close(errs)
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d copies failed with Prunes beside them; first: %v", n, copiers*each, <-errs)
	}
	got, err := filepath.Glob(filepath.Join(dir, "sportello-*.db"))
	if err != nil {
		t.Fatal(err)
	}
	if want := copiers*each - int(failed.Load()); len(got) != want {
		t.Errorf("%d copies in place, want %d", len(got), want)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(left) != 0 {
		t.Errorf("parts left: %v", left)
	}
}
