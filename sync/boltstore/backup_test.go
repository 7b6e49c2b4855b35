package boltstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a backup taken while sedi push holds every event applied
// before it began, and opens as a store.
func TestBackupWhilePushing(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits) // the suite's cheap hashes
	ctx := context.Background()
	hash := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	var (
		mu      sync.Mutex
		applied int
		done    = make(chan struct{})
	)
	go func() {
		defer close(done)
		for i := range 200 {
			ev := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprintf("e%d", i), fmt.Sprintf("c%d", i), hash)
			res, err := s.Apply(ctx, "ROMA01", []pinsede.Event{ev}, storetest.T0)
			if err != nil || res[0].Verdict != wire.Accepted {
				t.Errorf("event %d: %+v, %v", i, res, err)
				return
			}
			mu.Lock()
			applied++
			mu.Unlock()
		}
	}()
	dir := t.TempDir()
	for n := 0; ; n++ {
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		mu.Lock()
		before := applied
		mu.Unlock()
		path := filepath.Join(dir, fmt.Sprintf("copy-%03d.db", n))
		if _, err := s.BackupFile(path); err != nil {
			t.Fatal(err)
		}
		c, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := c.Counts()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if counts["events"] < before || counts["credentials"] != counts["events"] {
			t.Errorf("copy %d: %v, %d events applied before it", n, counts, before)
		}
		if finished {
			if counts["events"] != 200 {
				t.Errorf("last copy: %d events, want 200", counts["events"])
			}
			break
		}
	}
	if _, err := s.BackupFile(filepath.Join(dir, "copy-000.db")); !errors.Is(err, ErrExists) {
		t.Errorf("BackupFile over a copy = %v, want ErrExists", err)
	}
}
