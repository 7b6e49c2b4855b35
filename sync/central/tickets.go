package central

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// The kiosk's ticket codes, as ui/ticket makes them (its CodeAlphabet and
// CodeLength; a test there checks that they agree): the central records
// refuse any other code.
const (
	// TicketCodeAlphabet is the alphabet of ticket codes: digits and
	// upper-case letters without those misread on paper or on a keyboard.
	TicketCodeAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"
	// TicketCodeLength is the number of characters of a ticket code.
	TicketCodeLength = 8
)

// TicketSkew is how far a kiosk's clock may be ahead: a ticket is taken
// when it was issued today in Italy (Day), and at most TicketSkew after
// now. One of a past day is refused however close to midnight, since the
// day's sweep may have run (nothing a citizen typed outlives its day): the
// kiosk puts it in its spool folder, or keeps it and says so on the ticket.
const TicketSkew = 5 * time.Minute

// TicketServices are the services a kiosk ticket may ask for.
var TicketServices = []string{"request", "lost", "convert"}

// TicketRecord is a kiosk's ticket as the central records hold it, until
// the end of the day it was issued.
type TicketRecord struct {
	Ticket wire.Ticket `json:"ticket"`
	// StoredAt is when the central records took it.
	StoredAt time.Time `json:"stored_at"`
	// CalledAt is when a desk of its sede called it; zero while it waits.
	CalledAt time.Time `json:"called_at,omitzero"`
}

// TicketStore is the part of the central records that holds the kiosks'
// tickets. Implementations are safe for concurrent use, and every method is
// atomic.
type TicketStore interface {
	// PutTicket stores t for its sede (t.Sede) and records a ChangeTicket
	// with it for that sede, in one transaction. A ticket of the same sede
	// and code stored before is kept as it is: stored is false and nothing
	// changes (a kiosk's retry).
	PutTicket(ctx context.Context, t wire.Ticket, at time.Time) (stored bool, err error)
	// Ticket returns a ticket of sede by its code; ErrNotFound when
	// unknown (or wiped).
	Ticket(ctx context.Context, sede, code string) (TicketRecord, error)
	// WipeTickets removes the tickets issued before the time given, and the
	// requests inside the ChangeTicket records of before it (the change
	// stays, with the ticket's code, number and service only): nothing
	// the citizens typed survives its day. It returns how many tickets it
	// removed.
	WipeTickets(ctx context.Context, before time.Time) (int, error)
}

// ErrBadTicket is returned by CheckTicket for a ticket the central records
// refuse.
var ErrBadTicket = errors.New("invalid ticket")

// CheckTicket validates a ticket a kiosk of sede posts at now, without
// looking at stored records: its code, queue number, service, time,
// language and request (whose codes it normalises in place, as
// pinsede.Request.Validate does). The ticket's Sede, if set, must be sede.
// Today is the sede's day, Italy's (Day), whatever now's location: centrale
// runs in UTC, whose day began an hour or two after the sede's.
func CheckTicket(sede string, t *wire.Ticket, now time.Time) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadTicket, fmt.Sprintf(format, args...))
	}
	switch {
	case !ValidTicketCode(t.Code):
		return bad("code: %d characters of %s expected", TicketCodeLength, TicketCodeAlphabet)
	case !validQueueNumber(t.Number):
		return bad("number: 1 to 3 upper-case letters and 1 to 4 digits expected (K017)")
	case !validService(t.Service):
		return bad("service: one of %s expected", strings.Join(TicketServices, ", "))
	case !validLanguage(t.Language):
		return bad("language: a language code of 2 or 3 lower-case letters expected")
	case t.Sede != "" && t.Sede != sede:
		return bad("sede %q: this kiosk's certificate is for %s", t.Sede, sede)
	}
	midnight := Day(now)
	if t.Issued.Before(midnight) || t.Issued.After(now.Add(TicketSkew)) {
		return bad("issued %s: a ticket of today (%s in Italy) is expected", t.Issued.Format(time.RFC3339), midnight.Format(time.DateOnly))
	}
	if errs := t.Request.Validate(pinsede.DateOf(now.In(Italy))); len(errs) > 0 {
		return bad("request: %v", errs)
	}
	return nil
}

// ValidTicketCode reports whether code is a ticket code: TicketCodeLength
// characters of TicketCodeAlphabet.
func ValidTicketCode(code string) bool {
	if len(code) != TicketCodeLength {
		return false
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(TicketCodeAlphabet, code[i]) < 0 {
			return false
		}
	}
	return true
}

// validQueueNumber reports whether s is a queue number such as K017.
func validQueueNumber(s string) bool {
	i := 0
	for i < len(s) && 'A' <= s[i] && s[i] <= 'Z' {
		i++
	}
	digits := len(s) - i
	if i < 1 || i > 3 || digits < 1 || digits > 4 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validService reports whether s is one of TicketServices.
func validService(s string) bool {
	for _, v := range TicketServices {
		if s == v {
			return true
		}
	}
	return false
}

// validLanguage reports whether s is a language code of 2 or 3 lower-case
// letters.
func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// TicketChange returns the ChangeTicket that tells the desks of t's sede
// about t.
func TicketChange(t wire.Ticket, at time.Time) wire.Change {
	return wire.Change{Kind: wire.ChangeTicket, Time: at, Sede: t.Sede, Ticket: &t}
}

// WipedTicket returns t without what the citizen typed: what a ChangeTicket
// keeps after its day.
func WipedTicket(t wire.Ticket) wire.Ticket {
	return wire.Ticket{Code: t.Code, Number: t.Number, Service: t.Service, Issued: t.Issued, Language: t.Language, Sede: t.Sede}
}

// checkTicketCalled checks an EventTicketCalled: the code of a ticket, and
// no credential or other kind's fields.
func checkTicketCalled(ev pinsede.Event) string {
	switch {
	case ev.Credential != (pinsede.Credential{}) || ev.Form != nil || ev.Delegation != nil:
		return ReasonBadEvent + ": fields of another kind"
	case !ValidTicketCode(ev.Ticket):
		return ReasonBadEvent + ": ticket code"
	}
	return ""
}

// applyTicketCalled marks the ticket of an EventTicketCalled called, and
// records a ChangeTicketCalled with its code for sede, so that the other
// desks drop it from their queue. A code the central records do not hold
// (wiped, or never posted) is recorded all the same: the desks that still
// have it drop it.
func applyTicketCalled(tx Tx, sede string, ev pinsede.Event, at time.Time) error {
	if err := tx.CallTicket(sede, ev.Ticket, at); err != nil {
		return err
	}
	return tx.AddChange(wire.Change{Kind: wire.ChangeTicketCalled, Time: at, Sede: sede, Ticket: &wire.Ticket{Code: ev.Ticket}})
}
