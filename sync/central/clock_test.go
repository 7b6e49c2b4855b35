package central_test

import (
	"encoding/json"
	"fmt"
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
// however far (a clock set to another day), moved to the earliest of
// centrale's clock and the times of the acts that follow it, and the
// other times of the event that follows left alone.
func TestAdjust(t *testing.T) {
	at := testclock.Now()
	l := storetest.Limits
	l.MaxSkew = 10 * time.Minute
	base := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	issue := func(t0 time.Time) pinsede.Event {
		ev := base
		ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = t0, t0, pinsede.Expiry(t0)
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
		{"a day and more ahead, then put right", []pinsede.Event{issue(at.Add(central.MaxAhead + time.Minute)), revoke(put, at.Add(central.MaxAhead+time.Minute))}, 0,
			[]times{{put, put, put, time.Time{}}, {put, put, put, put}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := make([]pinsede.Credential, len(tc.events))
			for i, ev := range tc.events {
				sent[i] = ev.Credential
			}
			if n := l.Adjust(tc.events, tc.offset, at); n != tc.moved {
				t.Errorf("Adjust moved %d events, want %d", n, tc.moved)
			}
			for i, ev := range tc.events {
				if got := of(ev); got != tc.want[i] {
					t.Errorf("event %d: times %+v, want %+v", i, got, tc.want[i])
				}
				if !storetest.ExpiryKept(ev.Credential, sent[i]) {
					t.Errorf("event %d: issued %v, expires %v; sent issued %v, expiring %v: want its issue plus %d months as far off as sent, or the slip's expiry moved with the issue across a month's end",
						i, ev.Credential.IssuedAt, ev.Credential.ExpiresAt, sent[i].IssuedAt, sent[i].ExpiresAt, pinsede.ValidityMonths)
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

// Ensure that Adjust moves an issue across the end of a month, desk
// ahead and behind, for every type with a validity (six months, a PIN
// telefonico's day, week, month or three months), so that Check takes
// it: the issue by the offset; a new PIN's expiry its validity from the
// moved issue; and the expiry a PIN telefonico's replacement slip keeps of
// the PIN it replaces, an instant of the desk's clock, moved as the
// issue, after it and no later than its validity (or, capped by the desk
// at its own issue plus the validity, as a new PIN's). A month from 31
// January 2027 is 28 February, from 1 February 1 March (AddMonths). The dates are a desk's in Rome, through the JSON
// centrale reads, and centrale's clock is the push's, on the last days
// of January and August and on 29 February of a leap year.
func TestAdjustMonthEnd(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	l := storetest.Limits
	base := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	type typed struct {
		typ      pinsede.CredentialType
		validity pinsede.TelephoneValidity
	}
	types := []typed{{pinsede.Dispositivo, ""}, {pinsede.Ordinario, ""}}
	for _, v := range pinsede.TelephoneValidities() {
		types = append(types, typed{pinsede.Telefonico, v})
	}
	for _, day := range []time.Time{
		time.Date(2027, time.January, 31, 0, 0, 0, 0, rome),
		time.Date(2027, time.August, 31, 0, 0, 0, 0, rome),
		time.Date(2028, time.February, 29, 0, 0, 0, 0, rome),
	} {
		for _, clock := range []time.Duration{30 * time.Minute, 23*time.Hour + 30*time.Minute} {
			for _, offset := range []time.Duration{time.Hour, -time.Hour, 3 * time.Hour, -3 * time.Hour} {
				for _, ty := range types {
					for _, slip := range []struct {
						name string
						kept func(issued time.Time) time.Time // the expiry kept of the PIN replaced; nil for a new PIN
					}{
						{"new", nil},
						{"replacing a PIN with 40 minutes left", func(issued time.Time) time.Time { return issued.Add(40 * time.Minute) }},
						{"replacing a PIN issued 3 hours before", func(issued time.Time) time.Time { // as the desk keeps it (keepTelephone)
							kept, end := ty.validity.Expiry(issued.Add(-3*time.Hour)), ty.validity.Expiry(issued)
							if end.Before(kept) {
								return end
							}
							return kept
						}},
					} {
						if slip.kept != nil && ty.typ != pinsede.Telefonico { // only a PIN telefonico's slip keeps the expiry
							continue
						}
						issued := day.Add(clock)
						ev := base
						c := &ev.Credential
						ev.Time, c.IssuedAt, c.Type, c.Validity = issued, issued, ty.typ, ty.validity
						c.ExpiresAt = pinsede.Expiry(issued)
						if ty.typ == pinsede.Telefonico {
							c.ExpiresAt = ty.validity.Expiry(issued)
						}
						if slip.kept != nil {
							c.ExpiresAt = slip.kept(issued)
						}
						desk := fmt.Sprintf("%v ahead", offset)
						if offset < 0 {
							desk = fmt.Sprintf("%v behind", -offset)
						}
						name := fmt.Sprintf("%s %s %s, desk %s, issued %s", ty.typ, ty.validity, slip.name,
							desk, issued.Format("2006-01-02T15:04Z07:00"))
						// A kept expiry that is the slip's own issue plus the
						// validity (keepTelephone caps it so) moves as a new PIN's.
						kept := slip.kept != nil && c.ExpiresAt.Before(ty.validity.Expiry(issued).Add(-central.ExpirySlack))
						t.Run(name, func(t *testing.T) {
							checkAdjustedIssue(t, l, roundTrip(t, ev), offset, kept, rome)
						})
					}
				}
			}
		}
	}
}

// checkAdjustedIssue adjusts sent, an issue pushed as soon as it was
// made on a desk whose clock was offset ahead of centrale's, and checks
// its issue, its expiry (replaced: kept of the PIN a replacement slip
// replaces; the day the slip prints, in rome), and that Check takes it
// at centrale's clock.
func checkAdjustedIssue(t *testing.T, l central.Limits, sent pinsede.Event, offset time.Duration, replaced bool, rome *time.Location) {
	t.Helper()
	at := sent.Time.Add(-offset)
	events := []pinsede.Event{sent}
	if n := l.Adjust(events, offset, at); n != 1 {
		t.Errorf("Adjust moved %d events, want 1", n)
	}
	got, was := events[0].Credential, sent.Credential
	if !got.IssuedAt.Equal(at) || !events[0].Time.Equal(at) {
		t.Errorf("issued %v, event at %v; want both at centrale's clock %v", got.IssuedAt, events[0].Time, at)
	}
	end := func(c pinsede.Credential) time.Time {
		if c.Type == pinsede.Telefonico {
			return c.Validity.Expiry(c.IssuedAt)
		}
		return pinsede.Expiry(c.IssuedAt)
	}
	switch {
	case replaced:
		want := was.ExpiresAt.Add(-offset)
		if end := end(got); end.Before(want) {
			want = end
		}
		if !got.ExpiresAt.Equal(want) {
			t.Errorf("the kept expiry is %v, want the replaced PIN's moved as its issue, at most the moved issue plus its validity: %v", got.ExpiresAt, want)
		}
	default:
		// The slip's expiry in centrale's clock (an issue moved across the
		// end of a month), or, counted again from the moved issue, off it
		// as sent, on the day the slip prints (within the last days of a
		// month, which the shorter month ends on alike).
		off, want := got.ExpiresAt.Sub(end(got)), was.ExpiresAt.Sub(end(was))
		if slip := was.ExpiresAt.Add(-offset); !got.ExpiresAt.Equal(slip) &&
			(off != want || pinsede.DateOf(got.ExpiresAt.In(rome)) != pinsede.DateOf(was.ExpiresAt.In(rome))) {
			t.Errorf("expires %v, %v off the moved issue plus its validity; want the slip's %v in centrale's clock, %v, or %v off as sent on the day the slip prints",
				got.ExpiresAt, off, was.ExpiresAt, slip, want)
		}
	}
	if r := l.Check(events[0], at); r != "" {
		t.Errorf("moved issue (issued %v, expiring %v) rejected: %s", got.IssuedAt, got.ExpiresAt, r)
	}
	if r := central.Check("ROMA01", events[0]); r != "" {
		t.Errorf("moved issue (issued %v, expiring %v) refused: %s", got.IssuedAt, got.ExpiresAt, r)
	}
}

// roundTrip returns ev as centrale reads it from a push: through JSON,
// its times in the offsets the desk wrote.
func roundTrip(t *testing.T, ev pinsede.Event) pinsede.Event {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var out pinsede.Event
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
