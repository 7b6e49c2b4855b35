package pinsede

import "time"

// Link is the desk's connection to the central records (the sync client):
// whether it is up, and a way to ask it to push the outbox at once.
//
// A Desk with a nil Link has no central records: its slips say the PIN is
// already active, as a single-machine desk always did.
type Link interface {
	// Online reports whether the last exchange with the central records
	// succeeded.
	Online() bool
	// Notify asks the link to push the outbox at once; it never blocks.
	Notify()
	// ClockAhead returns how far this PC's clock runs ahead of the
	// central records', by their latest answer, when more than they take
	// of an event's time (ClockReading.Ahead); 0 when it does not, or
	// when the link cannot tell (offline, never connected).
	ClockAhead() time.Duration
}

// offline reports whether the desk has central records that it cannot
// reach now: its new PINs wait for activation.
func (d *Desk) offline() bool { return d.Link != nil && !d.Link.Online() }

// KeyClockAhead is the message key of a new PIN refused while this PC's
// clock runs ahead of the central records' (clockAhead); its Ahead is the
// time.Duration.
const KeyClockAhead = "err.clock.ahead"

// clockAhead refuses a new PIN while this PC's clock runs ahead of the
// central records' by more than they take (Link.ClockAhead): the central
// records would keep its issue in their own clock (they move a desk's
// times by its offset), but its slip, handed to the citizen, and this
// desk's records would carry the PC's wrong date and time. The error is
// a *Problem (KeyClockAhead, Ahead the time.Duration) wrapping
// ErrClockAhead; the link is asked to sync, so that a clock put right is
// seen at once. A desk with no link, or whose link cannot tell, issues as
// before.
func (d *Desk) clockAhead() error {
	if d.Link == nil {
		return nil
	}
	ahead := d.Link.ClockAhead()
	if ahead <= 0 {
		return nil
	}
	d.Link.Notify()
	return &Problem{Key: KeyClockAhead, Args: map[string]any{"Ahead": ahead}, Err: ErrClockAhead}
}

// notify asks the link, if any, to push the events just committed.
func (d *Desk) notify() {
	if d.Link != nil {
		d.Link.Notify()
	}
}
