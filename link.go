package pinsede

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
}

// offline reports whether the desk has central records that it cannot
// reach now: its new PINs wait for activation.
func (d *Desk) offline() bool { return d.Link != nil && !d.Link.Online() }

// notify asks the link, if any, to push the events just committed.
func (d *Desk) notify() {
	if d.Link != nil {
		d.Link.Notify()
	}
}
