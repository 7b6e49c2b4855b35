package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/boltcopy"
	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// damagedStores writes a store of 40 issues and, for each of its pages, a
// copy with that page zeroed, as a disk damages one; it returns the good
// store, its key and the copies by page.
func damagedStores(t *testing.T) (good, key string, bad []string) {
	t.Helper()
	dir := t.TempDir()
	good, key = filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key")
	s, err := local.Create(good, key)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(s, &capturePrinter{})
	sess := session(s)
	for i := range 40 {
		if _, err := d.Issue(context.Background(), sess, person(i, "Colombo", "Luca"), verification(pngScan(2000))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return good, key, zeroed.EachPage(t, good)
}

// A store with one page zeroed, whichever: it is refused at open, or the
// start's recovery of prints, the audit check, the counts and the check
// and its check as a copy say ErrCorrupt or find nothing wrong (a free
// page, or one inside a value they do not read); nothing panics.
// Before, VerifyAudit panicked on 17 of the 128 pages ("assertion failed:
// Page expected to be: 2, but self identifies as 0").
func TestDamagedPageReported(t *testing.T) {
	_, key, bad := damagedStores(t)
	var copies, refused, reported, unharmed int
	for pg, p := range bad {
		corrupt := func(step string, err error) bool {
			if err != nil && !errors.Is(err, local.ErrCorrupt) {
				t.Errorf("page %d zeroed: %s: %v, want ErrCorrupt", pg, step, err)
			}
			return err != nil
		}
		if _, err := local.CheckCopy(p, key, testclock.Now()); corrupt("CheckCopy", err) {
			copies++
		}
		s, err := local.Open(p, key)
		if corrupt("Open", err) {
			refused++
			continue
		}
		_, err = newDesk(s, &capturePrinter{}).RecoverPrints()
		hit := corrupt("RecoverPrints", err)
		_, err = s.VerifyAudit()
		hit = corrupt("VerifyAudit", err) || hit
		_, err = s.Counts(testclock.Now())
		if corrupt("Counts", err) || hit {
			reported++
		} else {
			unharmed++
		}
		s.Close()
	}
	t.Logf("%d pages zeroed one at a time: CheckCopy says ErrCorrupt of %d; the desk's Open refuses %d, then %d are ErrCorrupt "+
		"to its start, audit check or counts, %d read as whole by them", len(bad), copies, refused, reported, unharmed)
}

// The scheduled copies of a store a page of which the disk damaged: each
// is checked, removed, and fails as damaged (boltsafe.ErrDamaged), and the
// copies of before are kept. Before, both copies were written, said
// written, and pruned the two good ones (keep 2). BackupStore's copy (the
// store closed, pinctl's) is refused too, ErrCorrupt: it was written.
func TestBackupOfDamagedStore(t *testing.T) {
	good, key, bad := damagedStores(t)
	var damaged string
	for _, p := range bad[2:] { // a meta page zeroed is the other's store, which the copy writes whole

		if _, err := local.CheckCopy(p, key, testclock.Now()); err == nil {
			continue
		}
		if s, err := local.Open(p, key); err == nil {
			s.Close()
			damaged = p
			break
		}
	}
	if damaged == "" {
		t.Fatal("no zeroed page that opens and fails the check")
	}
	backups := filepath.Join(t.TempDir(), "backups")
	backup := func(path string, i int) (string, error) {
		s, err := local.Open(path, key)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return s.BackupInto(context.Background(), backups, testclock.Now().Add(time.Duration(i)*4*time.Hour), 2)
	}
	var kept []string
	for i := range 2 {
		p, err := backup(good, i)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, filepath.Base(p))
	}
	for i := 2; i < 4; i++ {
		p, err := backup(damaged, i)
		if p != "" || !errors.Is(err, boltsafe.ErrDamaged) || boltcopy.FaultOf(err) != boltcopy.FaultDamaged {
			t.Fatalf("copy of %s: %q, %v: want no copy, ErrDamaged", filepath.Base(damaged), p, err)
		}
		t.Logf("copy of %s: %v", filepath.Base(damaged), err)
	}
	var left []string
	es, err := os.ReadDir(backups)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, kept) {
		t.Fatalf("backups left: %v, want the good ones %v", left, kept)
	}
	// pinctl's copy, the store closed: none either.
	out := filepath.Join(t.TempDir(), "copia.db")
	if _, err := local.BackupStore(damaged, key, out, testclock.Now()); !errors.Is(err, local.ErrCorrupt) {
		t.Errorf("BackupStore of %s: %v, want ErrCorrupt", filepath.Base(damaged), err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("BackupStore of a damaged store left %s (%v)", out, err)
	}
}

// A store whose freelist page is damaged, which bbolt panics on as it
// opens a file to write: Open says ErrCorrupt and leaves the file free, so
// that a restore in the same process goes on. Before, bbolt's panic left
// the file open and locked by the process, and Restore said the store was
// in use (ErrAlreadyOpen).
func TestOpenDamagedFreelist(t *testing.T) {
	s, store, key := newStoreAt(t)
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.BackupFile(copyPath); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	zeroed.Freelist(t, store)
	if _, err := local.Open(store, key); !errors.Is(err, local.ErrCorrupt) {
		t.Fatalf("open: %v, want ErrCorrupt", err)
	} else {
		t.Log(err)
	}
	if _, err := local.Restore(copyPath, store, key, testclock.Now()); err != nil {
		t.Fatalf("restore after the open refused: %v", err)
	}
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// A hang of a call below ends in go test's -timeout, whose stacks name
// it.
//
// The desk's store, open, its freelist page damaged by the disk: the
// sync's Ack says ErrCorrupt, and so does the operator's next issue, at
// once; Close returns and lets go of the file, which a Restore in the same
// process replaces with a copy of before, which opens and acks. Before,
// the next issue and Close
// blocked for ever on bbolt's writer lock, which its rollback, panicking
// again on the freelist, had kept.
func TestDamageInWritePoisonsStore(t *testing.T) {
	dir := t.TempDir()
	path, key := filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key")
	s, err := local.Create(path, key)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(s, &capturePrinter{})
	sess := session(s)
	for i := range 5 {
		if _, err := d.Issue(context.Background(), sess, person(i, "Colombo", "Luca"), verification(pngScan(2000))); err != nil {
			t.Fatal(err)
		}
	}
	copyPath := filepath.Join(dir, "copy.db")
	if _, err := s.BackupFile(copyPath); err != nil {
		t.Fatal(err)
	}
	items, err := s.Outbox(10)
	if err != nil || len(items) == 0 {
		t.Fatal(err, len(items))
	}
	zeroed.Freelist(t, path)
	if err := s.Ack(items[0].Seq); !errors.Is(err, local.ErrCorrupt) {
		t.Fatalf("Ack over the damaged freelist: %v, want ErrCorrupt", err)
	} else {
		t.Logf("Ack: %v", err)
	}
	if _, err := d.Issue(context.Background(), sess, person(7, "Colombo", "Luca"), verification(pngScan(2000))); !errors.Is(err, local.ErrCorrupt) {
		t.Errorf("next issue: %v, want ErrCorrupt", err)
	}
	if _, err := s.Outbox(10); !errors.Is(err, local.ErrCorrupt) {
		t.Errorf("a read after: %v, want ErrCorrupt", err)
	}
	if _, err := s.BackupFile(filepath.Join(dir, "after.db")); !errors.Is(err, local.ErrCorrupt) {
		t.Errorf("a copy after: %v, want ErrCorrupt", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := local.Restore(copyPath, path, key, testclock.Now()); err != nil {
		t.Fatalf("Restore in the same process: %v", err)
	}
	s, err = local.Open(path, key)
	if err != nil {
		t.Fatalf("open the restored store: %v", err)
	}
	defer s.Close()
	items, err = s.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		t.Error("the restored store has no outbox")
	}
	if err := s.Ack(items[0].Seq); err != nil {
		t.Errorf("Ack on the restored store: %v", err)
	}
}
