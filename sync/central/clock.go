package central

import (
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
)

// A desk stamps its events from its own clock, which may run ahead of
// centrale's (a PC set to the Italian time in the UTC time zone is one or
// two hours ahead) or behind. Centrale keeps every record in its own
// clock: each push says what the desk's clock read when it was sent
// (wire.DeskClockHeader), and Adjust moves the times of its events by
// the difference before they are judged (Check) and stored. A time still
// ahead of centrale's clock after that was stamped before the desk's
// clock was put back: the act it records happened before the push came,
// and before the acts that follow it in the push, and Adjust puts it
// there. No push is held back for its times: a revocation made after an
// issue stamped ahead reaches centrale with it.
//
// The desk keeps the times it stamped, in its records and in its audit
// chain, whose hashes cover them: centrale moves the times of the events
// it applies, never those of the audit entries a desk sends.

// CheckOffset returns the reason to refuse a push whole when the desk's
// clock, by the reading the push carries, is offset from centrale's by
// more than l takes: more than MaxAhead ahead (a clock set to another
// day), or than MaxSkew where that is more (an operator who lets events
// be so far ahead takes desk clocks as far), or more than MaxAge behind.
// It returns "" for an offset Adjust corrects or leaves.
func (l Limits) CheckOffset(offset time.Duration) string {
	l = l.WithDefaults()
	switch ahead := max(MaxAhead, l.MaxSkew); {
	case offset > ahead:
		return fmt.Sprintf("the desk's clock is %s ahead of centrale's, more than the %s centrale puts right", offset.Round(time.Second), ahead)
	case offset < -l.MaxAge:
		return fmt.Sprintf("the desk's clock is %s behind centrale's, more than the %s an event may be old", (-offset).Round(time.Second), l.MaxAge)
	}
	return ""
}

// Adjust moves the times of a push's events, in place, into centrale's
// clock at at, and returns how many events it moved:
//
//   - when offset, how far the desk's clock was ahead of centrale's when
//     it sent the push (behind when negative; CheckOffset passed it), is
//     more than MaxSkew either way, every time the events carry moves back
//     by offset;
//   - then a time still more than MaxSkew after at was stamped before
//     the desk's clock was put back: it moves to the earliest of at and
//     the times of the events from its own on (in push order, the desk's
//     order of its acts) that are not ahead. However far ahead: a push
//     whose reading passed CheckOffset comes from a clock put right, and
//     the events a desk stamped on a clock set to another day (issued
//     before it knew, offline, or revoked while centrale refused its
//     pushes) go, not rejected, once it is.
//
// An expiry moves with its issue, and the end of an operator's lock-out
// with its event's time, so that an expiry is still the issue plus its
// validity.
func (l Limits) Adjust(events []pinsede.Event, offset time.Duration, at time.Time) int {
	l = l.WithDefaults()
	var (
		buf   [maxStamps]stamp
		moved = make([]bool, len(events))
	)
	if offset.Abs() > l.MaxSkew {
		for i := range events {
			for _, s := range stamps(buf[:0], &events[i]) {
				moved[i] = s.move(-offset) || moved[i]
			}
		}
	}
	hi := at.Add(l.MaxSkew)
	bound := at
	for i := len(events) - 1; i >= 0; i-- {
		if t := events[i].Time; !t.After(hi) && t.Before(bound) {
			bound = t
		}
		for _, s := range stamps(buf[:0], &events[i]) {
			if t := *s.t; t.After(hi) {
				moved[i] = s.move(bound.Sub(t)) || moved[i]
			}
		}
	}
	n := 0
	for _, m := range moved {
		if m {
			n++
		}
	}
	return n
}

// stamp is a time an event carries that the desk stamped from its clock,
// and the time that moves with it (nil for none); or, when issue is set,
// the issue of that credential, t its IssuedAt, whose expiry moves with
// it in the calendar (moveIssue).
type stamp struct {
	t, with *time.Time
	issue   *pinsede.Credential
}

// move moves the stamp, and the time with it, by d, and reports whether
// it moved: a zero time stays zero.
func (s stamp) move(d time.Duration) bool {
	if s.t.IsZero() || d == 0 {
		return false
	}
	if s.issue != nil {
		moveIssue(s.issue, d)
		return true
	}
	*s.t = s.t.Add(d)
	if s.with != nil && !s.with.IsZero() {
		*s.with = s.with.Add(d)
	}
	return true
}

// moveIssue moves the issue of c by d, and its expiry with it. An expiry
// that is the issue plus the type's validity (off it by at most
// ExpirySlack, a change of daylight saving time) stays so: it is
// counted again from the moved issue in the calendar, keeping what it
// was off; but for an issue moved across the end of a month, where the
// months counted from the day on either side end days apart, it moves by
// d, the instant the slip printed in centrale's clock, which checkExpiry
// takes (validityEnds). Counted again within the last days of a month,
// it falls on the day the slip prints; for an issue moved by more than a
// day, as far from it as the issue moved. The months are counted by
// pinsede.AddMonths, as the desk counts them for the slip: a month from
// 31 January ends on 28 February. With Go's AddDate at the desk (31
// January and a month, 3 March) and the expiry counted again from an
// issue moved to 1 February, centrale kept 1 March while the slip said 3
// March; an expiry a desk of before counted so (countedEnd) is counted
// again by AddMonths.
//
// An expiry short of the issue plus the validity by more than
// ExpirySlack is the one a PIN telefonico's replacement slip keeps of
// the PIN it replaces: an instant of the desk's clock, as the issue, it
// moves by d, and no later than the moved issue plus the validity. Kept
// as it stood to the issue's validity, across the end of a month it came
// before the moved issue (a replacement of 31 January moved to 1
// February), and Check rejected the event, or after the PIN it replaces.
func moveIssue(c *pinsede.Credential, d time.Duration) {
	old := c.IssuedAt
	c.IssuedAt = old.Add(d)
	switch off := c.ExpiresAt.Sub(countedEnd(*c, old)); {
	case c.ExpiresAt.IsZero():
	case c.Type == pinsede.Telefonico && !c.Validity.Valid():
		c.ExpiresAt = c.ExpiresAt.Add(d) // Check rejects it: no validity
	case off < -ExpirySlack:
		c.ExpiresAt = minTime(c.ExpiresAt.Add(d), validityEnd(*c, c.IssuedAt))
	default:
		slip, again := c.ExpiresAt.Add(d), validityEnd(*c, c.IssuedAt).Add(off)
		c.ExpiresAt = again
		if ends := validityEnds(*c, c.IssuedAt); slip.Sub(again).Abs() > ExpirySlack && near(slip, ends[1:3]) {
			c.ExpiresAt = slip // across the end of a month
		}
	}
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// validityEnd returns when c would expire issued at issued: the validity
// chosen for a PIN telefonico, ValidityMonths for the others (checkExpiry),
// the months counted by pinsede.AddMonths.
func validityEnd(c pinsede.Credential, issued time.Time) time.Time {
	if c.Type == pinsede.Telefonico {
		return c.Validity.Expiry(issued)
	}
	return pinsede.Expiry(issued)
}

// countedEnd returns validityEnd, or, when c's expiry is off it by more
// than ExpirySlack and within it of the end a desk of before
// pinsede.AddMonths counted (legacyEnd), that end: such a desk's PINs
// issued on the last days of a month are neither rejected nor moved off
// their issue.
func countedEnd(c pinsede.Credential, issued time.Time) time.Time {
	end := validityEnd(c, issued)
	if c.ExpiresAt.Sub(end).Abs() <= ExpirySlack {
		return end
	}
	if before := legacyEnd(c, issued); !before.IsZero() && c.ExpiresAt.Sub(before).Abs() <= ExpirySlack {
		return before
	}
	return end
}

// legacyEnd returns when c, issued at issued, would expire by Go's
// AddDate, which desks of before pinsede.AddMonths counted the months
// by, carrying the days past the end of a shorter month into the next
// (31 January and a month, 3 March); zero for a validity in days.
func legacyEnd(c pinsede.Credential, issued time.Time) time.Time {
	switch {
	case c.Type != pinsede.Telefonico:
		return issued.AddDate(0, pinsede.ValidityMonths, 0)
	case c.Validity == pinsede.ValidityMonth:
		return issued.AddDate(0, 1, 0)
	case c.Validity == pinsede.ValidityThreeMonths:
		return issued.AddDate(0, 3, 0)
	}
	return time.Time{}
}

// validityEnds returns the ends checkExpiry takes of c issued at issued
// (zero for none): validityEnd; on the first or the last day of a month,
// the validity counted from the same time on the day across the month's
// end, moved back by that day: the expiry of a slip whose issue centrale
// moved across the end of the month, from a desk's clock an hour off, in
// centrale's clock (29 February at 23:30 and six months is 29 August; 1
// March at 00:30, 1 September); and legacyEnd.
func validityEnds(c pinsede.Credential, issued time.Time) [4]time.Time {
	ends := [4]time.Time{validityEnd(c, issued), {}, {}, legacyEnd(c, issued)}
	if v := issued.AddDate(0, 0, -1); v.Month() != issued.Month() {
		ends[1] = validityEnd(c, v).Add(issued.Sub(v))
	}
	if v := issued.AddDate(0, 0, 1); v.Month() != issued.Month() {
		ends[2] = validityEnd(c, v).Add(issued.Sub(v))
	}
	return ends
}

// expiryFits reports whether c's expiry is its issue plus its validity,
// within ExpirySlack, counted as validityEnds does; for a PIN
// telefonico, no later than that (a replacement slip keeps the expiry of
// the PIN it replaces).
func expiryFits(c pinsede.Credential) bool {
	ends := validityEnds(c, c.IssuedAt)
	if c.Type != pinsede.Telefonico {
		return near(c.ExpiresAt, ends[:])
	}
	for _, end := range ends {
		if !end.IsZero() && !c.ExpiresAt.After(end.Add(ExpirySlack)) {
			return true
		}
	}
	return false
}

// near reports whether t is within ExpirySlack of one of ends, the zero
// ones aside.
func near(t time.Time, ends []time.Time) bool {
	for _, end := range ends {
		if !end.IsZero() && t.Sub(end).Abs() <= ExpirySlack {
			return true
		}
	}
	return false
}

// maxStamps is the most stamps an event has.
const maxStamps = 10

// stamps appends to out, and returns, the times ev carries from the
// desk's clock: its own, with the end of a lock-out; the credential's acts, the issue with the
// expiry; the delegation's registration and revocation; the operator
// account's creation; the citizen's record's update. A delegation's days
// are the citizen's, and stay.
func stamps(out []stamp, ev *pinsede.Event) []stamp {
	c := &ev.Credential
	out = append(out, stamp{t: &ev.Time, with: &ev.Until}, stamp{t: &c.IssuedAt, issue: c}, stamp{t: &c.PrintedAt},
		stamp{t: &c.HandedOverAt}, stamp{t: &c.RevokedAt}, stamp{t: &c.ConvertedAt})
	if d := ev.Delegation; d != nil {
		out = append(out, stamp{t: &d.RegisteredAt}, stamp{t: &d.RevokedAt})
	}
	if o := ev.Operator; o != nil {
		out = append(out, stamp{t: &o.CreatedAt})
	}
	if cit := ev.Citizen; cit != nil {
		out = append(out, stamp{t: &cit.UpdatedAt})
	}
	return out
}
