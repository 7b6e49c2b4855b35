package local_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// newStoreAt creates a store in a fresh temporary folder and returns it
// with its paths; it is closed when the test ends.
func newStoreAt(t testing.TB) (s *local.Store, storePath, keyPath string) {
	t.Helper()
	dir := t.TempDir()
	storePath, keyPath = filepath.Join(dir, "data", "sportello.db"), filepath.Join(dir, "config", "store.key")
	s, err := local.Create(storePath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, storePath, keyPath
}

// Ensure that a backup taken while clerks issue and the outbox is pushed
// is a whole store: every credential whose issue had returned before the
// backup began is in the copy, its audit chain verifies, and its counts
// agree with what it holds.
func TestBackupWhileIssuing(t *testing.T) {
	s, _, keyPath := newStoreAt(t)
	d := newDesk(s, nopPrinter{})
	sess := setUp(t, d)
	ctx := context.Background()

	const clerks, perClerk = 3, 25
	var (
		mu     sync.Mutex
		issued []string // ids of the credentials whose Issue returned
		wg     sync.WaitGroup
		done   = make(chan struct{})
	)
	for c := range clerks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClerk {
				res, err := d.Issue(ctx, sess, person(c*perClerk+i, "Rossi", "Anna"), verification(nil))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				issued = append(issued, res.Credential.ID)
				mu.Unlock()
			}
		}()
	}
	// The push: the outbox is emptied as centrale takes the events.
	var pushWG sync.WaitGroup
	pushWG.Add(1)
	go func() {
		defer pushWG.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			items, err := s.Outbox(10)
			if err != nil {
				t.Error(err)
				return
			}
			seqs := make([]uint64, len(items))
			for i, it := range items {
				seqs[i] = it.Seq
			}
			if err := s.Ack(seqs...); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()

	type backup struct {
		path   string
		before []string // credentials issued before the backup began
	}
	var backups []backup
	dir := t.TempDir()
	for n := 0; ; n++ {
		finished := false
		select {
		case <-done:
			finished = true // one last backup after the last issue
		default:
		}
		mu.Lock()
		before := append([]string(nil), issued...)
		mu.Unlock()
		path := filepath.Join(dir, fmt.Sprintf("copy-%03d.db", n))
		if _, err := s.BackupFile(path); err != nil {
			t.Fatal(err)
		}
		backups = append(backups, backup{path, before})
		if finished {
			break
		}
	}
	pushWG.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d backups while %d credentials were issued", len(backups), clerks*perClerk)
	if len(backups) < 2 {
		t.Fatalf("only %d backups taken while issuing", len(backups))
	}
	if last := backups[len(backups)-1]; len(last.before) != clerks*perClerk {
		t.Fatalf("the last backup follows %d issues, want %d", len(last.before), clerks*perClerk)
	}

	for _, b := range backups {
		r, err := local.CheckCopy(b.path, keyPath, testclock.Now())
		if err != nil {
			t.Fatalf("%s: %v", b.path, err)
		}
		for _, p := range r.Audit.Problems {
			t.Errorf("%s: audit entry %d %s: %s", b.path, p.Seq, p.Kind, p.Detail)
		}
		if r.Schema != local.SchemaVersion {
			t.Errorf("%s: schema %d, want %d", b.path, r.Schema, local.SchemaVersion)
		}
		if got := r.Counts.Credentials[pinsede.StateAttivo]; got < len(b.before) {
			t.Errorf("%s: %d active credentials, %d issued before it", b.path, got, len(b.before))
		}
		if r.Counts.Citizens != r.Counts.Credentials[pinsede.StateAttivo] {
			t.Errorf("%s: %d citizens, %d credentials", b.path, r.Counts.Citizens, r.Counts.Credentials[pinsede.StateAttivo])
		}
		// The copy opens as a store (restored), and holds every credential
		// issued before it.
		restored := filepath.Join(t.TempDir(), "sportello.db")
		if _, err := local.Restore(b.path, restored, keyPath, testclock.Now()); err != nil {
			t.Fatal(err)
		}
		c, err := local.Open(restored, keyPath)
		if err != nil {
			t.Fatal(err)
		}
		err = c.View(func(tx pinsede.Tx) error {
			for _, id := range b.before {
				if _, err := tx.Credential(id); err != nil {
					return fmt.Errorf("credential %s: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", b.path, err)
		}
		verifyChain(t, c)
		c.Close()
	}
}

// Ensure that Backup writes the same bytes as BackupFile, that BackupFile
// refuses to overwrite, and that a copy without its key does not open.
func TestBackupFile(t *testing.T) {
	s, _, keyPath := newStoreAt(t)
	setUp(t, newDesk(s, nopPrinter{}))
	var buf bytes.Buffer
	n, err := s.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup = %d, %v; wrote %d bytes", n, err, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("copy mode %v, %v; want 0600", fi.Mode(), err)
	}
	if _, err := s.BackupFile(path); !errors.Is(err, local.ErrExists) {
		t.Errorf("BackupFile over a copy = %v, want ErrExists", err)
	}
	r, err := local.CheckCopy(path, keyPath, testclock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts.Operators != 1 || r.Counts.AuditEntries == 0 || len(r.Audit.Problems) != 0 {
		t.Errorf("CheckCopy = %+v", r)
	}
	_, _, otherKey := newStoreAt(t)
	if _, err := local.CheckCopy(path, otherKey, testclock.Now()); !errors.Is(err, local.ErrWrongKey) {
		t.Errorf("CheckCopy with another store's key = %v, want ErrWrongKey", err)
	}
}

// Ensure that BackupStore copies a store made by the version before
// without bringing it, or the copy, up to date: pinctl backup opened the
// store to write, which migrated it first, so "a copy before an update"
// no longer opened with the version it was to go back to (an operator's
// review: schema 7 became 8, store and copy). It refuses a store in use
// and a copy that exists, and checks the key.
func TestBackupStoreKeepsSchema(t *testing.T) {
	s, storePath, keyPath := newStoreAt(t)
	setUp(t, newDesk(s, nopPrinter{}))
	if _, err := local.BackupStore(storePath, keyPath, filepath.Join(t.TempDir(), "in-use.db"), testclock.Now()); !errors.Is(err, local.ErrAlreadyOpen) {
		t.Errorf("BackupStore of a store in use = %v, want ErrAlreadyOpen", err)
	}
	s.Close()
	old := uint64(local.SchemaVersion - 1)
	if err := local.SetSchemaVersion(storePath, old); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if _, err := local.BackupStore(storePath, keyPath, copyPath, testclock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{storePath, copyPath} {
		if v, err := local.StoredSchema(p); err != nil || v != old {
			t.Errorf("%s: schema %d, %v; want %d, the store's before the copy", filepath.Base(p), v, err, old)
		}
	}
	if _, err := local.BackupStore(storePath, keyPath, copyPath, testclock.Now()); !errors.Is(err, local.ErrExists) {
		t.Errorf("BackupStore over a copy = %v, want ErrExists", err)
	}
	_, _, otherKey := newStoreAt(t)
	if _, err := local.BackupStore(storePath, otherKey, filepath.Join(t.TempDir(), "x.db"), testclock.Now()); !errors.Is(err, local.ErrWrongKey) {
		t.Errorf("BackupStore with another store's key = %v, want ErrWrongKey", err)
	}
}

// Ensure that Restore refuses to replace a store in use, and otherwise
// keeps the store it replaces.
func TestRestore(t *testing.T) {
	s, storePath, keyPath := newStoreAt(t)
	setUp(t, newDesk(s, nopPrinter{}))
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.BackupFile(copyPath); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Restore(copyPath, storePath, keyPath, testclock.Now()); !errors.Is(err, local.ErrAlreadyOpen) {
		t.Fatalf("Restore over a store in use = %v, want ErrAlreadyOpen", err)
	}
	s.Close()
	res, err := local.Restore(copyPath, storePath, keyPath, testclock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(res.Previous); err != nil {
		t.Errorf("the replaced store is not kept: %v", err)
	}
	r, err := local.Open(storePath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	verifyChain(t, r)
}

// Ensure that a copy given up (the desk quits: its context ends) leaves
// nothing in the folder, not even its part written, and ends its read
// transaction: the store then closes at once. A copy the desk's quit cut
// short by exiting left its .part file in the folder for ever (Prune
// does not know the name).
func TestBackupIntoGivenUp(t *testing.T) {
	s, _, _ := newStoreAt(t)
	dir := filepath.Join(t.TempDir(), "copie")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p, err := s.BackupInto(ctx, dir, testclock.Now(), 3); !errors.Is(err, context.Canceled) || p != "" {
		t.Errorf("a copy given up: %q, %v; want none, context.Canceled", p, err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("the folder after a copy given up holds %v (%v), want nothing", entries, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("close after a copy given up: %v", err)
	}
}

// Ensure that BackupInto names its copies by the time, and keeps the
// newest only, leaving other files alone.
func TestBackupInto(t *testing.T) {
	s, _, keyPath := newStoreAt(t)
	dir := filepath.Join(t.TempDir(), "copie")
	start := testclock.Now()
	var last string
	for i := range 5 {
		p, err := s.BackupInto(context.Background(), dir, start.Add(time.Duration(i)*time.Hour), 3)
		if err != nil {
			t.Fatal(err)
		}
		last = p
	}
	other := filepath.Join(dir, "sportello-da-tenere.db")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BackupInto(context.Background(), dir, start.Add(5*time.Hour), 3); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{
		"sportello-" + start.Add(3*time.Hour).Format("20060102-150405-0700") + ".db",
		"sportello-" + start.Add(4*time.Hour).Format("20060102-150405-0700") + ".db",
		"sportello-" + start.Add(5*time.Hour).Format("20060102-150405-0700") + ".db",
		"sportello-da-tenere.db",
	}
	if !slices.Equal(names, want) {
		t.Errorf("copies %v, want %v", names, want)
	}
	if _, err := local.CheckCopy(last, keyPath, start); err != nil {
		t.Error(err)
	}
}

// Ensure that a copy made after the clock was put back is kept, with the
// newest of the others by their names: it was named before the copies
// made until then, and pruned at once while the desk said "backup
// written".
func TestBackupIntoClockBack(t *testing.T) {
	s, _, keyPath := newStoreAt(t)
	dir := filepath.Join(t.TempDir(), "copie")
	now := testclock.Now()
	var made []string
	for _, at := range []time.Time{now.Add(-8 * time.Hour), now.Add(-4 * time.Hour), now, now.AddDate(0, 0, -1)} {
		p, err := s.BackupInto(context.Background(), dir, at, 3)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	want := slices.Sorted(slices.Values(made[1:])) // as Glob lists them
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); !slices.Equal(left, want) {
		t.Errorf("copies after the clock was put back a day: %v, want %v: the one just made and the two newest before it", left, want)
	}
	if _, err := local.CheckCopy(made[3], keyPath, now); err != nil {
		t.Errorf("the copy just made: %v", err)
	}
}
