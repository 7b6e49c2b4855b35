package central

import "github.com/pinsede/pinsede/sync/wire"

// ChangeFilter says which changes of its sede a desk's pull takes
// (Store.Changes): every change but the events of the sede's desks
// (wire.ChangeSedeEvent), which it takes only when it asks for them
// (SedeEvents), and then all but its own (those of Desk: no news to it),
// unless it asks for those too (Own: a desk restored from an older copy
// gets back what it did after the copy). A store applies it where it reads the changes, so that it reads and
// sends no change the desk would drop.
type ChangeFilter struct {
	// SedeEvents takes the events of the sede's desks.
	SedeEvents bool
	// Desk is the desk that pulls (pki.DeskOf: "" for a certificate of
	// before desk ids); its own events are left out.
	Desk string
	// Own takes the events of Desk too, with SedeEvents (wire.PullOwn).
	Own bool
}

// Takes reports whether f lets c through; a nil f lets every change
// through.
func (f *ChangeFilter) Takes(c wire.Change) bool {
	return f == nil || c.Kind != wire.ChangeSedeEvent || f.SedeEvents && (f.Own || c.Desk != f.Desk)
}
