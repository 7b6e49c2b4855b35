package pinsede

import "time"

// Link is the desk's connection to the central records (the sync client):
// whether it is up, and a way to ask it to push the outbox at once.
//
// A Desk with a nil Link has no central records: its slips say the PIN is
// already active, as a single-machine desk always did.
type Link interface {
	// Online reports whether the last exchange with the central records
	// succeeded and they took this desk's pushes: a PIN issued now is
	// active once they take it. False while they cannot be reached, and
	// while they refuse the desk's pushes for now (busy, limiting it):
	// its new PINs wait for activation.
	Online() bool
	// Notify asks the link to push the outbox at once; it never blocks.
	Notify()
	// ClockAhead returns how far this PC's clock runs ahead of the
	// central records', by their latest answer, when more than they take
	// of an event's time (ClockReading.Ahead); 0 when it does not, or
	// when the link cannot tell (offline, never connected).
	ClockAhead() time.Duration
	// ClockBehind is ClockAhead the other way (ClockReading.Behind).
	ClockBehind() time.Duration
}

// offline reports whether the desk has central records that it cannot
// reach now, or that refuse its pushes for now: its new PINs wait for
// activation.
func (d *Desk) offline() bool { return d.Link != nil && !d.Link.Online() }

// The message keys of a new PIN refused while this PC's clock is off the
// central records' (clockOff): KeyClockAhead's Ahead, KeyClockBehind's
// Behind is the time.Duration.
const (
	KeyClockAhead  = "err.clock.ahead"
	KeyClockBehind = "err.clock.behind"
)

// clockOff refuses a new PIN while this PC's clock runs ahead of the
// central records' or behind them by more than they take (Link.ClockAhead,
// Link.ClockBehind): the central records would keep its issue in their
// own clock (they move a desk's times by its offset), but its slip,
// handed to the citizen, and this desk's records would carry the PC's
// wrong date and time; a clock behind by more than the central records'
// -max-event-age (a PC whose clock went back to the year 2000) would
// have its pushes refused, and its PINs, once the clock is put right,
// rejected as too old: never active. The error is a *Problem
// (KeyClockAhead or KeyClockBehind) wrapping ErrClockAhead or
// ErrClockBehind; the link is asked to sync, so that a clock put right is
// seen at once. A desk with no link, or whose link cannot tell, issues as
// before.
func (d *Desk) clockOff() error {
	if d.Link == nil {
		return nil
	}
	if ahead := d.Link.ClockAhead(); ahead > 0 {
		d.Link.Notify()
		return &Problem{Key: KeyClockAhead, Args: map[string]any{"Ahead": ahead}, Err: ErrClockAhead}
	}
	if behind := d.Link.ClockBehind(); behind > 0 {
		d.Link.Notify()
		return &Problem{Key: KeyClockBehind, Args: map[string]any{"Behind": behind}, Err: ErrClockBehind}
	}
	return nil
}

// notify asks the link, if any, to push the events just committed.
func (d *Desk) notify() {
	if d.Link != nil {
		d.Link.Notify()
	}
}
