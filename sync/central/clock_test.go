package central_test

import (
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a desk's offset is put right from a day behind to a day
// ahead, and refused beyond: more than MaxAhead ahead (a clock set to
// another day) or more than MaxAge behind.
func TestCheckOffset(t *testing.T) {
	l := central.Limits{MaxAge: 48 * time.Hour}
	for _, tc := range []struct {
		offset time.Duration
		refuse bool
	}{
		{0, false},
		{time.Hour, false},
		{central.MaxAhead, false},
		{central.MaxAhead + time.Second, true},
		{-48 * time.Hour, false},
		{-48*time.Hour - time.Second, true},
	} {
		if got := l.CheckOffset(tc.offset); (got != "") != tc.refuse {
			t.Errorf("CheckOffset(%v) = %q, want refused %v", tc.offset, got, tc.refuse)
		}
	}
	// An operator who lets events be a year ahead (-max-clock-skew) takes
	// a desk's clock as far: the tests of another day run so.
	l.MaxSkew = 365 * 24 * time.Hour
	if got := l.CheckOffset(central.MaxAhead + time.Hour); got != "" {
		t.Errorf("CheckOffset(%v) with MaxSkew %v = %q, want accepted", central.MaxAhead+time.Hour, l.MaxSkew, got)
	}
	if got := l.CheckOffset(l.MaxSkew + time.Second); got == "" {
		t.Errorf("CheckOffset(%v) with MaxSkew %v accepted, want refused", l.MaxSkew+time.Second, l.MaxSkew)
	}
}

// Ensure that Adjust keeps a push's times in centrale's clock: by the
// desk's offset when it is beyond the skew (the expiry with its issue,
// so that Check still finds the issue plus the validity), not within
// it; a time still ahead, stamped before the desk's clock was put back,
// moved to the earliest of centrale's clock and the times of the acts
// that follow it, and the other times of the event that follows left
// alone; a time farther ahead than MaxAhead left for Check to reject.
func TestAdjust(t *testing.T) {
	at := testclock.Now()
	l := storetest.Limits
	l.MaxSkew = 10 * time.Minute
	base := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	issue := func(t0 time.Time) pinsede.Event {
		ev := base
		ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = t0, t0, t0.AddDate(0, pinsede.ValidityMonths, 0)
		ev.Credential.PrintedAt = t0.Add(time.Second)
		return ev
	}
	// revoke is the revocation at t0 of the issue of issued, printed a
	// second after it.
	revoke := func(t0, issued time.Time) pinsede.Event {
		ev := storetest.Follow(issue(issued), "e2", pinsede.EventRevoked)
		ev.Time, ev.Credential.RevokedAt = t0, t0
		return ev
	}
	// times are an event's times but its expiry, which must stay its
	// validity after its issue, whatever the time zone's changes.
	type times struct{ time, issued, printed, revoked time.Time }
	of := func(ev pinsede.Event) times {
		c := ev.Credential
		return times{ev.Time, c.IssuedAt, c.PrintedAt, c.RevokedAt}
	}
	// validity is how far the expiry is off the issue plus the months of
	// validity in the calendar: a move keeps it (a duration would not,
	// across the end of a month: PINSEDE_TEST_NOW=2031-12-31T23:59:50+01:00).
	validity := func(ev pinsede.Event) time.Duration {
		c := ev.Credential
		return c.ExpiresAt.Sub(c.IssuedAt.AddDate(0, pinsede.ValidityMonths, 0))
	}
	hour := time.Hour
	ahead := at.Add(hour)
	put := at.Add(-5 * time.Minute) // the clock put right, the revocation made
	for _, tc := range []struct {
		name   string
		events []pinsede.Event
		offset time.Duration
		want   []times
		moved  int
	}{
		{"on time", []pinsede.Event{issue(at.Add(-time.Minute))}, 0,
			[]times{of(issue(at.Add(-time.Minute)))}, 0},
		{"within the skew", []pinsede.Event{issue(at.Add(5 * time.Minute))}, 5 * time.Minute,
			[]times{of(issue(at.Add(5 * time.Minute)))}, 0},
		{"an hour ahead, still", []pinsede.Event{issue(ahead.Add(-time.Minute))}, hour,
			[]times{of(issue(at.Add(-time.Minute)))}, 1},
		{"an hour behind", []pinsede.Event{issue(at.Add(-hour - time.Minute))}, -hour,
			[]times{of(issue(at.Add(-time.Minute)))}, 1},
		{"ahead, the desk of before the reading", []pinsede.Event{issue(ahead)}, 0,
			[]times{{at, at, at, time.Time{}}}, 1},
		{"ahead, then put right: the revocation after", []pinsede.Event{issue(ahead.Add(-30 * time.Minute)), revoke(put, ahead.Add(-30*time.Minute))}, 0,
			[]times{{put, put, put, time.Time{}}, {put, put, put, put}}, 2},
		{"a day and more ahead", []pinsede.Event{issue(at.Add(central.MaxAhead + time.Minute))}, 0,
			[]times{of(issue(at.Add(central.MaxAhead + time.Minute)))}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			valid := make([]time.Duration, len(tc.events))
			for i, ev := range tc.events {
				valid[i] = validity(ev)
			}
			if n := l.Adjust(tc.events, tc.offset, at); n != tc.moved {
				t.Errorf("Adjust moved %d events, want %d", n, tc.moved)
			}
			for i, ev := range tc.events {
				if got := of(ev); got != tc.want[i] {
					t.Errorf("event %d: times %+v, want %+v", i, got, tc.want[i])
				}
				if got := validity(ev); got != valid[i] {
					t.Errorf("event %d: expires %v off its issue plus %d months, want %v as sent", i, got, pinsede.ValidityMonths, valid[i])
				}
			}
			for i, ev := range tc.events {
				if r := l.Check(ev, at); r != "" && tc.moved > 0 {
					t.Errorf("event %d moved and then rejected: %s", i, r)
				}
			}
		})
	}
}
