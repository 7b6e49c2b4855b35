package local

import (
	"encoding/binary"

	"github.com/pinsede/pinsede"
)

// KeepChange keeps a pulled change, unless one of its Seq is kept already,
// and reports whether it kept it. A ticket's change is kept without the
// citizen's request, which is kept with the ticket only (tickets.go), and
// a sede's event with its id and kind only: its records are kept as
// records.
func (t *tx) KeepChange(c pinsede.Change) (bool, error) {
	b, err := t.syncBucket()
	if err != nil {
		return false, err
	}
	key := binary.BigEndian.AppendUint64(append([]byte{}, syncChange...), c.Seq)
	if b.Get(key) != nil {
		return false, nil
	}
	if c.Ticket != nil && c.Ticket.Request != (pinsede.Request{}) {
		tk := *c.Ticket
		tk.Request = pinsede.Request{}
		c.Ticket = &tk
	}
	if c.Event != nil {
		c.Event = &pinsede.Event{ID: c.Event.ID, Kind: c.Event.Kind}
	}
	return true, t.put(bucketSync, key, c)
}

// SetSyncCursor keeps the cursor to pull after next time.
func (t *tx) SetSyncCursor(cursor uint64) error {
	if _, err := t.syncBucket(); err != nil {
		return err
	}
	return t.put(bucketSync, syncCursor, cursor)
}

// LastPull returns the record PutLastPull kept; pinsede.ErrNotFound
// before the first pull.
func (t *tx) LastPull() (pinsede.LastPull, error) {
	var lp pinsede.LastPull
	b, err := t.syncBucket()
	if err != nil {
		return lp, err
	}
	if b == nil {
		return lp, pinsede.ErrNotFound
	}
	return lp, t.decode(bucketSync, syncLastPull, b.Get(syncLastPull), &lp)
}

// PutLastPull keeps the time of the last pull and the latest event pulled
// of each other desk of the sede.
func (t *tx) PutLastPull(lp pinsede.LastPull) error {
	if _, err := t.syncBucket(); err != nil {
		return err
	}
	return t.put(bucketSync, syncLastPull, lp)
}
