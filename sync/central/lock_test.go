package central_test

import (
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
)

// Ensure that each temporary lock lasts twice the one before, up to 30
// days however many there are, and that a policy that cannot work is
// refused.
func TestLockPolicy(t *testing.T) {
	p := central.DefaultLockPolicy(0)
	if p.After != central.DefaultLockAfter || p.Validate() != nil {
		t.Errorf("default policy %+v: %v", p, p.Validate())
	}
	for n, want := range map[int]time.Duration{1: 15 * time.Minute, 2: 30 * time.Minute, 5: 4 * time.Hour, 12: 512 * time.Hour, 13: 30 * 24 * time.Hour, 1 << 20: 30 * 24 * time.Hour} {
		if got := p.Duration(n); got != want {
			t.Errorf("lock %d lasts %s, want %s", n, got, want)
		}
	}
	for _, bad := range []central.LockPolicy{
		{After: 0, For: time.Minute, ResetAfter: time.Hour},
		{After: 1, For: 0, ResetAfter: time.Hour},
		{After: 1, For: time.Minute, MaxTemporary: -1, ResetAfter: time.Hour},
		{After: 1, For: time.Minute},
	} {
		if bad.Validate() == nil {
			t.Errorf("policy %+v accepted", bad)
		}
	}
}

// Ensure that a check while locked changes nothing, that a clock that
// goes back forgets nothing, that MaxTemporary 0 locks for good at once,
// and that an unlock with nothing to lift changes nothing.
func TestReserveAttempt(t *testing.T) {
	t0 := testclock.Now()
	p := central.LockPolicy{After: 2, For: time.Minute, MaxTemporary: 0, ResetAfter: time.Hour}
	var r central.Record
	if central.UnlockRecord(&r, "x", t0) || r.Lock != (central.Lock{}) {
		t.Errorf("unlock of nothing: %+v", r.Lock)
	}
	central.ReserveAttempt(&r, p, t0)
	central.ReserveAttempt(&r, p, t0.Add(-2*time.Hour)) // the clock went back
	if !r.Lock.Permanent {
		t.Fatalf("after %d checks with no temporary lock allowed: %+v, want permanent", p.After, r.Lock)
	}
	locked := r
	if central.ReserveAttempt(&r, p, t0.AddDate(10, 0, 0)) || r != locked {
		t.Errorf("a check while locked for good went ahead or changed the record: %+v", r)
	}
	if !central.UnlockRecord(&r, "centrale:rossi", t0) || r.Lock.Permanent || r.Lock.UnlockedBy != "centrale:rossi" {
		t.Errorf("after the unlock: %+v", r.Lock)
	}
}
