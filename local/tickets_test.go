package local_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// kioskTicket is a ticket as centrale sends it, with person i's request.
func kioskTicket(code string, issued time.Time) pinsede.Ticket {
	return pinsede.Ticket{Code: code, Number: "K001", Service: "request", Issued: issued, Language: "pt",
		Request: person(1, "Rossi", "Maria"), Sede: "ROMA01"}
}

// Ensure that the tickets pulled from centrale wait, today's only and
// oldest first; that another desk's call removes one; that TakeTicket
// removes one and puts its ticket.called in the outbox in the same
// transaction, and finds it no more after; that a ticket of a past day is
// refused and wiped; and that the kept changes and the store file hold no
// request in clear.
func TestTickets(t *testing.T) {
	s := newStore(t)
	update(t, s, func(tx pinsede.Tx) error { return tx.SetSede(testSede) })
	clerk := &pinsede.Session{Operator: pinsede.Operator{ID: "op1"}, Sede: testSede}
	update(t, s, func(tx pinsede.Tx) error { return tx.PutOperator(clerk.Operator) }) // as its login found it
	now := time.Date(2026, 3, 10, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	a, b, c := kioskTicket("ACDEFG34", now.Add(-time.Hour)), kioskTicket("HJKMNP67", now.Add(-2*time.Hour)), kioskTicket("QRTUVW99", now.Add(-30*time.Minute))
	old := kioskTicket("CDEFGH34", now.Add(-24*time.Hour))
	changes := []pinsede.Change{
		{Seq: 1, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &a},
		{Seq: 2, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &b},
		{Seq: 3, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &c},
		{Seq: 4, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &old},
		{Seq: 5, Kind: pinsede.ChangeTicketCalled, Sede: "ROMA01", Ticket: &pinsede.Ticket{Code: c.Code}},
	}
	if _, err := deskOn(s).ApplyPulled(5, changes, now); err != nil {
		t.Fatal(err)
	}
	got, err := deskOn(s).Tickets(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Code != b.Code || got[1].Code != a.Code || got[0].Request != b.Request {
		t.Fatalf("Tickets = %+v, want %s then %s with their requests", got, b.Code, a.Code)
	}

	tk, err := deskOn(s).TakeTicket(clerk, b.Code, now)
	if err != nil || !reflect.DeepEqual(tk.Request, b.Request) {
		t.Fatalf("TakeTicket = %+v, %v", tk, err)
	}
	if _, err := deskOn(s).TakeTicket(clerk, b.Code, now); !errors.Is(err, pinsede.ErrNotFound) {
		t.Errorf("TakeTicket again: %v, want ErrNotFound", err)
	}
	if _, err := deskOn(s).TakeTicket(clerk, c.Code, now); !errors.Is(err, pinsede.ErrNotFound) {
		t.Errorf("TakeTicket of a ticket called at another desk: %v, want ErrNotFound", err)
	}
	out, err := s.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Event.Kind != pinsede.EventTicketCalled || out[0].Event.Ticket != b.Code || out[0].Event.Sede != "ROMA01" || out[0].Event.ID == "" {
		t.Errorf("outbox = %+v, want one ticket.called of %s", out, b.Code)
	}
	if got, _ := deskOn(s).Tickets(now); len(got) != 1 || got[0].Code != a.Code {
		t.Errorf("Tickets after the take = %+v, want %s only", got, a.Code)
	}

	// The next day: yesterday's ticket is refused, and wiped.
	tomorrow := now.Add(24 * time.Hour)
	if got, _ := deskOn(s).Tickets(tomorrow); len(got) != 0 {
		t.Errorf("Tickets of the next day = %+v, want none", got)
	}
	tk, err = deskOn(s).TakeTicket(clerk, a.Code, tomorrow)
	if !errors.Is(err, pinsede.ErrTicketExpired) || tk.Number != a.Number {
		t.Errorf("TakeTicket of yesterday's = %+v, %v; want ErrTicketExpired with the ticket", tk, err)
	}
	if n, _ := s.OutboxLen(); n != 1 {
		t.Errorf("outbox after an expired ticket: %d events, want 1", n)
	}
	if _, err := deskOn(s).ApplyPulled(6, []pinsede.Change{{Seq: 6, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &a}}, now); err != nil {
		t.Fatal(err)
	}
	if n, err := deskOn(s).WipeTickets(tomorrow); err != nil || n != 1 {
		t.Errorf("WipeTickets = %d, %v; want 1", n, err)
	}
	if got, _ := deskOn(s).Tickets(now); len(got) != 0 {
		t.Errorf("Tickets after the wipe = %+v", got)
	}

	// Sealed: nothing the citizen typed is in the file in clear.
	if _, err := deskOn(s).ApplyPulled(7, []pinsede.Change{{Seq: 7, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &c}}, now); err != nil {
		t.Fatal(err)
	}
	inClear := func(when string) {
		t.Helper()
		backup := filepath.Join(t.TempDir(), "copy.db")
		if _, err := s.BackupFile(backup); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{s.Path(), backup} {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, clear := range []string{c.Request.Cognome, string(c.Request.CodiceFiscale), c.Request.Recapiti.Email} {
				if clear != "" && strings.Contains(string(raw), clear) {
					t.Errorf("%s: %s holds %q in clear", when, path, clear)
				}
			}
		}
	}
	inClear("a ticket waiting")
	// Wiped, the sealed ticket stays in the file's free pages, and in a
	// copy made then, but sealed still: nothing of it in clear.
	if n, err := deskOn(s).WipeTickets(tomorrow); err != nil || n != 1 {
		t.Fatalf("WipeTickets = %d, %v; want 1", n, err)
	}
	inClear("the ticket wiped")
}
