package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// openIssued opens a store at path with one credential issued to
// storetest.CF(1), id "c1".
func openIssued(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits)
	ev := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	res, err := s.Apply(context.Background(), "ROMA01", []pinsede.Event{ev}, storetest.T0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Verdict != pinsede.VerdictAccepted {
		t.Fatalf("issue: %+v", res)
	}
	return s
}

// queueLogins runs n calls of f at once while s's one writer is held,
// waits until all n are queued for the group commit, calls between (when
// not nil), then lets the writer go; it returns once every call has.
func queueLogins(t *testing.T, s *boltstore.Store, n int, f func(i int), between func()) {
	t.Helper()
	var queued atomic.Int64
	all := make(chan struct{})
	s.OnLoginQueued(func() {
		if queued.Add(1) == int64(n) {
			close(all)
		}
	})
	defer s.OnLoginQueued(nil)
	release := make(chan struct{})
	let := s.HoldWrites(release)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		storetest.Together(n, f)
	}()
	<-all
	if between != nil {
		between()
	}
	close(release)
	<-let
	wg.Wait()
}

// attempt returns a function that counts a check of storetest.CF(1)'s
// PIN by p, and adds it to open if it may go ahead.
func attempt(t *testing.T, s *boltstore.Store, p central.LockPolicy, open *atomic.Int64) func(int) {
	return func(int) {
		_, ok, err := s.Attempt(context.Background(), storetest.CF(1), central.SlotPIN, p, storetest.T0)
		if err != nil {
			t.Error(err)
		}
		if ok {
			open.Add(1)
		}
	}
}

// Ensure that checks counted at once share their commits, and each is
// counted exactly once, in turn: 40 attempts released together while the
// writer is busy are counted all 40 in at most 2 commits (the first
// caller's, then all the others'); with the lock after 5, exactly 5 of 40
// go ahead; and a record of a right PIN that fails in the group (an
// unknown credential) fails alone, the others counted.
func TestLoginsGrouped(t *testing.T) {
	s := openIssued(t, filepath.Join(t.TempDir(), "centrale.db"))
	defer s.Close()
	const n = 40
	loose := central.LockPolicy{After: 1000, For: central.DefaultLockFor, MaxTemporary: 1, ResetAfter: central.DefaultLockReset}
	var open atomic.Int64
	var missing error
	commits := s.LoginCommits()
	queueLogins(t, s, n+1, func(i int) {
		if i == n {
			missing = s.Succeed(context.Background(), "unknown", "")
			return
		}
		attempt(t, s, loose, &open)(i)
	}, nil)
	r, err := s.Current(context.Background(), storetest.CF(1), central.SlotPIN)
	if err != nil {
		t.Fatal(err)
	}
	if open.Load() != n || r.Failures != n {
		t.Errorf("%d attempts at once: %d went ahead, %d counted; want %d and %d", n, open.Load(), r.Failures, n, n)
	}
	if d := s.LoginCommits() - commits; d > 2 {
		t.Errorf("%d attempts queued together took %d commits, want at most 2", n, d)
	}
	if !errors.Is(missing, central.ErrNotFound) {
		t.Errorf("record of a right PIN of an unknown credential, in the group: %v, want ErrNotFound", missing)
	}

	if err := s.Succeed(context.Background(), "c1", ""); err != nil {
		t.Fatal(err)
	}
	p := central.DefaultLockPolicy(5)
	open.Store(0)
	queueLogins(t, s, n, attempt(t, s, p, &open), nil)
	if open.Load() != int64(p.After) {
		t.Errorf("%d attempts at once with the lock after %d: %d went ahead", n, p.After, open.Load())
	}
}

// Ensure that a store closed while checks wait for their group commit
// keeps every count it answered: after the store is opened again, the
// credential's count is exactly the number of attempts answered as gone
// ahead, and the others were answered with an error.
func TestLoginsClosedMidGroup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "centrale.db")
	s := openIssued(t, path)
	const n = 40
	loose := central.LockPolicy{After: 1000, For: central.DefaultLockFor, MaxTemporary: 1, ResetAfter: central.DefaultLockReset}
	var open, failed atomic.Int64
	closed := make(chan error, 1)
	queueLogins(t, s, n, func(int) {
		_, ok, err := s.Attempt(context.Background(), storetest.CF(1), central.SlotPIN, loose, storetest.T0)
		switch {
		case err != nil:
			failed.Add(1)
		case ok:
			open.Add(1)
		default:
			t.Error("an attempt refused with no error")
		}
	}, func() {
		go func() { closed <- s.Close() }()
	})
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	t.Logf("closed mid-group: %d attempts answered as counted, %d failed", open.Load(), failed.Load())
	if open.Load()+failed.Load() != n {
		t.Fatalf("%d answered of %d", open.Load()+failed.Load(), n)
	}
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Current(context.Background(), storetest.CF(1), central.SlotPIN)
	if err != nil {
		t.Fatal(err)
	}
	if int64(r.Failures) != open.Load() {
		t.Errorf("after the close %d attempts counted, %d answered as counted", r.Failures, open.Load())
	}
}
