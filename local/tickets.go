package local

import (
	"bytes"

	"github.com/pinsede/pinsede"
)

// The kiosk's tickets that the central records sent
// (pinsede.ChangeTicket), waiting for a desk to call them, are kept sealed
// in the sync bucket:
//
//	"ticket" ‖ code -> sealed pinsede.Ticket, with the citizen's request
//
// A ticket leaves when a desk of the sede calls it and at the end of its
// day (pinsede.Desk.TakeTicket, ApplyPulled, WipeTickets).
var syncTicket = []byte("ticket")

// ticketKey is the key of a ticket in the sync bucket.
func ticketKey(code string) []byte { return append(bytes.Clone(syncTicket), code...) }

// PutTicket keeps a kiosk ticket waiting, replacing one of its code.
func (t *tx) PutTicket(tk pinsede.Ticket) error {
	if _, err := t.syncBucket(); err != nil {
		return err
	}
	return t.put(bucketSync, ticketKey(tk.Code), tk)
}

// Ticket returns the ticket waiting of code; ErrNotFound when there is
// none.
func (t *tx) Ticket(code string) (pinsede.Ticket, error) {
	var tk pinsede.Ticket
	b, err := t.syncBucket()
	switch {
	case err != nil:
		return tk, err
	case b == nil:
		return tk, pinsede.ErrNotFound
	}
	err = t.decode(bucketSync, ticketKey(code), b.Get(ticketKey(code)), &tk)
	return tk, err
}

// DeleteTicket removes the ticket of code, if any.
func (t *tx) DeleteTicket(code string) error {
	b, err := t.syncBucket()
	if err != nil {
		return err
	}
	return b.Delete(ticketKey(code))
}

// Tickets returns every ticket waiting, of any day, by code.
func (t *tx) Tickets() ([]pinsede.Ticket, error) {
	var out []pinsede.Ticket
	err := t.eachSync(syncTicket, func(k, v []byte) error {
		var tk pinsede.Ticket
		if err := t.decode(bucketSync, k, v, &tk); err != nil {
			return err
		}
		out = append(out, tk)
		return nil
	})
	return out, err
}
