package local

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// The kiosk's tickets that the central records sent (wire.ChangeTicket),
// waiting for a desk to call them, are kept sealed in the sync bucket:
//
//	"ticket" ‖ code -> sealed wire.Ticket, with the citizen's request
//
// A ticket leaves when a desk of the sede calls it (here: TakeTicket; at
// another desk: wire.ChangeTicketCalled) and at the end of its day
// (WipeTickets). The changes kept by ApplyPulled keep a ticket without its
// request.
var syncTicket = []byte("ticket")

// ErrTicketExpired is returned by TakeTicket for a ticket of a past day: a
// ticket is valid on the day it was printed only. It is removed all the
// same.
var ErrTicketExpired = errors.New("ticket of a past day")

// ticketKey is the key of a ticket in the sync bucket.
func ticketKey(code string) []byte { return append(bytes.Clone(syncTicket), code...) }

// applyTicketChange keeps the ticket of a ChangeTicket, or removes the one
// a ChangeTicketCalled names, in ApplyPulled's transaction. A ticket of a
// past day is not kept.
func (t *tx) applyTicketChange(c wire.Change, now time.Time) error {
	if c.Ticket == nil || c.Ticket.Code == "" {
		return nil
	}
	key := ticketKey(c.Ticket.Code)
	b, err := t.bucket(bucketSync)
	if err != nil {
		return err
	}
	if c.Kind == wire.ChangeTicketCalled || !sameTicketDay(c.Ticket.Issued, now) {
		return b.Delete(key)
	}
	return t.put(bucketSync, key, c.Ticket)
}

// keptChange is a pulled change as ApplyPulled keeps it: a ticket's
// without the citizen's request, which is kept with the ticket only.
func keptChange(c wire.Change) wire.Change {
	if c.Ticket != nil && c.Ticket.Request != (pinsede.Request{}) {
		tk := *c.Ticket
		tk.Request = pinsede.Request{}
		c.Ticket = &tk
	}
	return c
}

// sameTicketDay reports whether t falls on the calendar day of now, in now's
// time zone.
func sameTicketDay(t, now time.Time) bool {
	y, m, d := t.In(now.Location()).Date()
	ny, nm, nd := now.Date()
	return y == ny && m == nm && d == nd
}

// Tickets returns the kiosk's tickets of the day of now that the central
// records sent and no desk of the sede has called, oldest first, each with
// the citizen's request.
func (s *Store) Tickets(now time.Time) ([]wire.Ticket, error) {
	var out []wire.Ticket
	err := s.syncView(func(t *tx, has bool) error {
		if !has {
			return nil
		}
		c := t.btx.Bucket(bucketSync).Cursor()
		for k, v := c.Seek(syncTicket); k != nil && bytes.HasPrefix(k, syncTicket); k, v = c.Next() {
			var tk wire.Ticket
			if err := t.decode(bucketSync, k, v, &tk); err != nil {
				return err
			}
			if sameTicketDay(tk.Issued, now) {
				out = append(out, tk)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kiosk tickets in %s: %w", s.path, err)
	}
	slices.SortStableFunc(out, func(a, b wire.Ticket) int {
		return cmp.Or(a.Issued.Compare(b.Issued), cmp.Compare(a.Code, b.Code))
	})
	return out, nil
}

// TakeTicket removes the ticket of code from the tickets waiting and puts
// a pinsede.EventTicketCalled of sede in the outbox, in one transaction,
// so that the other desks of the sede drop it; it returns the ticket with
// the citizen's request. The code is the one printed (upper case). It
// returns an error wrapping pinsede.ErrNotFound for a code it does not
// hold (unknown, or called at another desk), and one wrapping
// ErrTicketExpired, with the ticket, for a ticket of a past day, which is
// removed without an event.
func (s *Store) TakeTicket(sede, code string, now time.Time) (wire.Ticket, error) {
	var tk wire.Ticket
	var expired bool
	err := s.syncUpdate(func(t *tx) error {
		key := ticketKey(code)
		if err := t.get(bucketSync, key, &tk); err != nil {
			return err
		}
		if err := t.btx.Bucket(bucketSync).Delete(key); err != nil {
			return err
		}
		if expired = !sameTicketDay(tk.Issued, now); expired {
			return nil
		}
		id, err := pinsede.NewID(rand.Reader)
		if err != nil {
			return err
		}
		return t.Enqueue(pinsede.Event{ID: id, Kind: pinsede.EventTicketCalled, Time: now, Sede: sede, Ticket: code})
	})
	switch {
	case err != nil:
		return wire.Ticket{}, fmt.Errorf("take kiosk ticket %s in %s: %w", code, s.path, err)
	case expired:
		return tk, fmt.Errorf("kiosk ticket %s of %s: %w", code, tk.Issued.Format(time.DateOnly), ErrTicketExpired)
	}
	return tk, nil
}

// WipeTickets removes the kiosk's tickets of the days before now's, with
// the citizens' requests, and returns how many it removed.
func (s *Store) WipeTickets(now time.Time) (int, error) {
	n := 0
	err := s.syncUpdate(func(t *tx) error {
		b := t.btx.Bucket(bucketSync)
		var old [][]byte
		c := b.Cursor()
		for k, v := c.Seek(syncTicket); k != nil && bytes.HasPrefix(k, syncTicket); k, v = c.Next() {
			var tk wire.Ticket
			if err := t.decode(bucketSync, k, v, &tk); err != nil {
				return err
			}
			if !sameTicketDay(tk.Issued, now) {
				old = append(old, bytes.Clone(k))
			}
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("wipe kiosk tickets in %s: %w", s.path, err)
	}
	return n, nil
}
