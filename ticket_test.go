package pinsede_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that taking a kiosk ticket removes it, writes its audit entry by
// the operator and puts its ticket.called in the outbox, in one
// transaction; and that a ticket of a past day is removed with neither.
func TestTakeTicket(t *testing.T) {
	f := newFixture(t)
	today := pinsede.Ticket{Code: "ACDEFG34", Number: "K001", Service: "request", Issued: f.now.Add(-time.Hour), Request: request()}
	old := pinsede.Ticket{Code: "HJKMNP67", Number: "K002", Service: "request", Issued: f.now.AddDate(0, 0, -1)}
	changes := []pinsede.Change{
		{Seq: 1, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &today},
		{Seq: 2, Kind: pinsede.ChangeTicket, Sede: "ROMA01", Ticket: &old},
	}
	if _, err := f.desk.ApplyPulled(2, changes, f.now); err != nil {
		t.Fatal(err)
	}
	tk, err := f.desk.TakeTicket(f.sup, today.Code, f.now)
	if err != nil || tk.Number != today.Number || tk.Request != today.Request {
		t.Fatalf("TakeTicket = %+v, %v", tk, err)
	}
	var audit []pinsede.AuditEntry
	var pending int
	if err := f.store.View(func(tx pinsede.Tx) (err error) {
		if audit, err = tx.AuditFor(today.Request.CodiceFiscale); err != nil {
			return err
		}
		pending, err = tx.Pending()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != pinsede.ActionTicketCalled || audit[0].Actor != "sup" || audit[0].Sede != "ROMA01" {
		t.Errorf("audit %+v, want the ticket called by sup", audit)
	}
	if pending != 1 {
		t.Errorf("%d events in the outbox, want the ticket.called", pending)
	}
	if _, err := f.desk.TakeTicket(f.sup, today.Code, f.now); !errors.Is(err, pinsede.ErrNotFound) {
		t.Errorf("TakeTicket again: %v, want ErrNotFound", err)
	}

	// A ticket of yesterday that no wipe removed yet: refused, removed,
	// and nothing recorded.
	update := func(tx pinsede.Tx) error { return tx.PutTicket(old) }
	if err := f.store.Update(update); err != nil {
		t.Fatal(err)
	}
	if tk, err := f.desk.TakeTicket(f.sup, old.Code, f.now); !errors.Is(err, pinsede.ErrTicketExpired) || tk.Number != old.Number {
		t.Errorf("TakeTicket of yesterday's = %+v, %v; want ErrTicketExpired with the ticket", tk, err)
	}
	if n, _ := f.store.OutboxLen(); n != 1 {
		t.Errorf("%d events in the outbox after an expired ticket, want 1", n)
	}
	if ts, err := f.desk.Tickets(f.now); err != nil || len(ts) != 0 {
		t.Errorf("Tickets = %+v, %v; want none", ts, err)
	}
}
