package pinsede

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// ActionTicketCalled is the audit action of a kiosk ticket a desk called.
const ActionTicketCalled AuditAction = "ticket.called"

// Ticket is a kiosk's queue ticket with the request the citizen
// pre-filled, as the central records send it to the desks of its sede
// (ChangeTicket). A ticket is valid on the day it was printed only.
type Ticket struct {
	// Code is the random code printed on the ticket.
	Code string `json:"code"`
	// Number is the queue number called, such as "K017".
	Number string `json:"number"`
	// Service is the service asked for ("request", "lost", "convert").
	Service string `json:"service"`
	// Issued is when the kiosk printed the ticket.
	Issued time.Time `json:"issued"`
	// Language is the language the citizen chose (BCP 47, such as "pt").
	Language string `json:"language"`
	// Request is what the citizen typed; empty in ChangeTicketCalled.
	Request Request `json:"request,omitzero"`
	// Sede is the kiosk's sede.
	Sede string `json:"sede,omitempty"`
}

// applyTicketChange keeps the ticket of a ChangeTicket, or removes the one
// a ChangeTicketCalled names, in ApplyPulled's transaction. A ticket of a
// past day is not kept.
func applyTicketChange(tx SyncTx, c Change, now time.Time) error {
	if c.Ticket == nil || c.Ticket.Code == "" {
		return nil
	}
	if c.Kind == ChangeTicketCalled || !sameDay(c.Ticket.Issued, now) {
		return tx.DeleteTicket(c.Ticket.Code)
	}
	return tx.PutTicket(*c.Ticket)
}

// sameDay reports whether t falls on the calendar day of now, in now's
// time zone.
func sameDay(t, now time.Time) bool {
	y, m, d := t.In(now.Location()).Date()
	ny, nm, nd := now.Date()
	return y == ny && m == nm && d == nd
}

// Tickets returns the kiosk's tickets of the day of now that the central
// records sent and no desk of the sede has called, oldest first, each with
// the citizen's request.
func (d *Desk) Tickets(now time.Time) ([]Ticket, error) {
	var out []Ticket
	err := d.Store.View(func(tx Tx) error {
		all, err := tx.Tickets()
		for _, tk := range all {
			if sameDay(tk.Issued, now) {
				out = append(out, tk)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kiosk tickets: %w", err)
	}
	slices.SortStableFunc(out, func(a, b Ticket) int {
		return cmp.Or(a.Issued.Compare(b.Issued), cmp.Compare(a.Code, b.Code))
	})
	return out, nil
}

// TakeTicket takes the kiosk ticket of code, for the operator of s, from
// the tickets waiting: it removes it, writes the audit entry and puts an
// EventTicketCalled in the outbox, in one transaction, so that the other
// desks of the sede drop it; it returns the ticket with the citizen's
// request. The code is the one printed (upper case). It returns an error
// wrapping ErrNotFound for a code it does not hold (unknown, or called at
// another desk), and one wrapping ErrTicketExpired, with the ticket, for a
// ticket of a past day, which is removed without an event.
func (d *Desk) TakeTicket(s *Session, code string, now time.Time) (Ticket, error) {
	var tk Ticket
	var expired bool
	id, err := NewID(d.Rand)
	if err != nil {
		return Ticket{}, fmt.Errorf("take kiosk ticket %s: %w", code, err)
	}
	err = d.update(s, func(tx Tx) error {
		var err error
		if tk, err = tx.Ticket(code); err != nil {
			return err
		}
		if err := tx.DeleteTicket(code); err != nil {
			return err
		}
		if expired = !sameDay(tk.Issued, now); expired {
			return nil
		}
		return callTicket(tx, s, tk, id, now)
	})
	switch {
	case err != nil:
		return Ticket{}, fmt.Errorf("take kiosk ticket %s: %w", code, err)
	case expired:
		return tk, fmt.Errorf("kiosk ticket %s of %s: %w", code, tk.Issued.Format(time.DateOnly), ErrTicketExpired)
	}
	d.notify()
	return tk, nil
}

// CallTicket records that the operator of s called tk, a kiosk ticket
// taken from the sede's spool folder, as TakeTicket records one of
// centrale's: the audit entry and an EventTicketCalled in the outbox, in
// one transaction that also removes centrale's copy of the ticket if the
// desk holds it. A kiosk that lost centrale's answer puts the request in
// the spool folder too: centrale then holds it as well, and hands it to
// the desks until one calls it there.
func (d *Desk) CallTicket(s *Session, tk Ticket, now time.Time) error {
	id, err := NewID(d.Rand)
	if err != nil {
		return fmt.Errorf("call kiosk ticket %s: %w", tk.Code, err)
	}
	err = d.update(s, func(tx Tx) error {
		if err := tx.DeleteTicket(tk.Code); err != nil {
			return err
		}
		return callTicket(tx, s, tk, id, now)
	})
	if err != nil {
		return fmt.Errorf("call kiosk ticket %s: %w", tk.Code, err)
	}
	d.notify()
	return nil
}

// callTicket writes the audit entry of tk called by the operator of s and
// puts its EventTicketCalled, of id, in the outbox, in tx.
func callTicket(tx Tx, s *Session, tk Ticket, id string, now time.Time) error {
	sede, err := tx.Sede()
	if err != nil {
		return err
	}
	if err := appendAudit(tx, now, sede.Code, s.Actor(), AuditEntry{
		Action: ActionTicketCalled, Subject: tk.Request.CodiceFiscale, Detail: tk.Number + " " + tk.Code,
	}); err != nil {
		return err
	}
	return tx.Enqueue(Event{ID: id, Kind: EventTicketCalled, Time: now, Sede: sede.Code, Ticket: tk.Code})
}

// WipeTickets removes the kiosk's tickets of the days before now's, with
// the citizens' requests, and returns how many it removed.
func (d *Desk) WipeTickets(now time.Time) (int, error) {
	n := 0
	err := d.Store.Update(func(tx Tx) error {
		all, err := tx.Tickets()
		if err != nil {
			return err
		}
		n = 0
		for _, tk := range all {
			if sameDay(tk.Issued, now) {
				continue
			}
			if err := tx.DeleteTicket(tk.Code); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("wipe kiosk tickets: %w", err)
	}
	return n, nil
}
