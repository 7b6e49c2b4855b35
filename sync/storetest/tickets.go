package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// TicketRequest returns a request as a kiosk pre-fills it: valid on the
// day of T0.
func TicketRequest() pinsede.Request {
	return pinsede.Request{
		Cognome: "Rossi", Nome: "Mario", Sesso: pinsede.SexMale,
		DataNascita:   pinsede.Date{Year: 1980, Month: time.January, Day: 1},
		LuogoNascita:  pinsede.Place{Name: "Roma", Province: "RM", Code: "H501"},
		CodiceFiscale: "RSSMRA80A01H501U",
		Residenza:     pinsede.Address{Street: "Calle Mayor 1", CAP: "28013", City: "Madrid", Country: "ES"},
		Recapiti:      pinsede.Contacts{Mobile: "+34 600 123 456", Email: "mario.rossi@example.es"},
	}
}

// Ticket returns a kiosk ticket of sede issued at issued, with
// TicketRequest.
func Ticket(sede, code, number string, issued time.Time) wire.Ticket {
	return wire.Ticket{Code: code, Number: number, Service: "request", Issued: issued, Language: "es", Request: TicketRequest(), Sede: sede}
}

// TicketCalled returns the event of a desk of sede calling a ticket.
func TicketCalled(sede, id, code string) pinsede.Event {
	return pinsede.Event{ID: id, Kind: pinsede.EventTicketCalled, Time: T0.Add(time.Minute), Sede: sede, Ticket: code}
}

// ticketChanges returns sede's ticket changes, oldest first.
func ticketChanges(t *testing.T, s central.Store, sede string) []wire.Change {
	t.Helper()
	out, err := kindChanges(s, sede, func(k wire.ChangeKind) bool { return k == wire.ChangeTicket || k == wire.ChangeTicketCalled })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testTicketStore: a ticket is stored once by code (a retry changes
// nothing), its sede and no other gets a ChangeTicket with the whole
// ticket, and the same code at another sede is another ticket.
func testTicketStore(t *testing.T, s central.Store) {
	tk := Ticket("ROMA01", "ACDEFG34", "K001", T0)
	for i, want := range []bool{true, false} {
		stored, err := s.PutTicket(ctx, tk, T0)
		if err != nil {
			t.Fatal(err)
		}
		if stored != want {
			t.Errorf("PutTicket #%d: stored %v, want %v", i+1, stored, want)
		}
	}
	got, err := s.Ticket(ctx, "ROMA01", tk.Code)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normTicket(got.Ticket), normTicket(tk)) || !got.CalledAt.IsZero() || !got.StoredAt.Equal(T0) {
		t.Errorf("Ticket = %+v, want %+v stored at T0, not called", got, tk)
	}
	if _, err := s.Ticket(ctx, "MILANO1", tk.Code); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Ticket of another sede: %v, want ErrNotFound", err)
	}
	ch := ticketChanges(t, s, "ROMA01")
	if len(ch) != 1 || ch[0].Kind != wire.ChangeTicket || ch[0].Ticket == nil ||
		!reflect.DeepEqual(normTicket(*ch[0].Ticket), normTicket(tk)) {
		t.Fatalf("changes of ROMA01 after a ticket and its retry = %+v, want one ChangeTicket with it", ch)
	}
	if ch := ticketChanges(t, s, "MILANO1"); len(ch) != 0 {
		t.Errorf("another sede got %d ticket changes", len(ch))
	}
	other := Ticket("MILANO1", tk.Code, "K001", T0)
	if stored, err := s.PutTicket(ctx, other, T0); err != nil || !stored {
		t.Errorf("the same code at another sede: stored %v, %v; want a ticket of its own", stored, err)
	}
}

// testTicketCalled: a desk's EventTicketCalled marks the ticket called and
// records a ChangeTicketCalled with the code only; a replay is a duplicate
// and records nothing more; an unknown code is accepted all the same; a
// malformed one is rejected.
func testTicketCalled(t *testing.T, s central.Store) {
	tk := Ticket("ROMA01", "HJKMNP67", "K002", T0)
	if _, err := s.PutTicket(ctx, tk, T0); err != nil {
		t.Fatal(err)
	}
	call := TicketCalled("ROMA01", "call-1", tk.Code)
	wantVerdicts(t, apply(t, s, "ROMA01", call), wire.Accepted)
	wantVerdicts(t, apply(t, s, "ROMA01", call), wire.Duplicate)
	got, err := s.Ticket(ctx, "ROMA01", tk.Code)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CalledAt.Equal(T0) {
		t.Errorf("called at %v, want %v", got.CalledAt, T0)
	}
	ch := ticketChanges(t, s, "ROMA01")
	if len(ch) != 2 || ch[1].Kind != wire.ChangeTicketCalled || ch[1].Ticket == nil ||
		!reflect.DeepEqual(*ch[1].Ticket, wire.Ticket{Code: tk.Code}) || ch[1].Sede != "ROMA01" {
		t.Fatalf("changes after the call = %+v, want the ChangeTicket then a ChangeTicketCalled with the code only", ch)
	}
	wantVerdicts(t, apply(t, s, "ROMA01", TicketCalled("ROMA01", "call-2", "QRTUVW99")), wire.Accepted)
	bad := TicketCalled("ROMA01", "call-3", "0OIL1258")
	noCode := TicketCalled("ROMA01", "call-4", "")
	withCred := TicketCalled("ROMA01", "call-5", tk.Code)
	withCred.Credential.ID = "c1"
	other := TicketCalled("MILANO1", "call-6", tk.Code)
	wantVerdicts(t, apply(t, s, "ROMA01", bad, noCode, withCred, other), wire.Rejected, wire.Rejected, wire.Rejected, wire.Rejected)
	if n := len(ticketChanges(t, s, "ROMA01")); n != 3 {
		t.Errorf("ticket changes after the rejected calls: %d, want 3", n)
	}
}

// testTicketWipe: the tickets of past days go, and so do the requests in
// their ChangeTicket records (the code, number and service stay); today's
// stay whole.
func testTicketWipe(t *testing.T, s central.Store) {
	y, m, d := T0.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, T0.Location())
	old := Ticket("ROMA01", "CDEFGH34", "K041", midnight.Add(-time.Hour))
	today := Ticket("ROMA01", "DEFGHJ46", "K001", T0)
	for _, tk := range []wire.Ticket{old, today} {
		if _, err := s.PutTicket(ctx, tk, tk.Issued); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		n, err := s.WipeTickets(ctx, midnight)
		if err != nil {
			t.Fatal(err)
		}
		if n > 1 {
			t.Errorf("WipeTickets removed %d tickets, want 1 then 0", n)
		}
	}
	if _, err := s.Ticket(ctx, "ROMA01", old.Code); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("the ticket of yesterday after the wipe: %v, want ErrNotFound", err)
	}
	if _, err := s.Ticket(ctx, "ROMA01", today.Code); err != nil {
		t.Errorf("today's ticket after the wipe: %v", err)
	}
	ch := ticketChanges(t, s, "ROMA01")
	if len(ch) != 2 {
		t.Fatalf("ticket changes after the wipe: %+v, want 2", ch)
	}
	if w := ch[0].Ticket; w == nil || w.Request != (pinsede.Request{}) || w.Code != old.Code || w.Number != old.Number || w.Service != old.Service {
		t.Errorf("yesterday's ChangeTicket after the wipe = %+v, want its code, number and service without the request", w)
	}
	if w := ch[1].Ticket; w == nil || w.Request != today.Request {
		t.Errorf("today's ChangeTicket after the wipe lost its request: %+v", w)
	}
	// A ticket a kiosk posts again after the wipe is a new one.
	if stored, err := s.PutTicket(ctx, old, T0); err != nil || !stored {
		t.Errorf("PutTicket after the wipe: %v, %v", stored, err)
	}
}

// normTicket makes the times of t comparable with reflect.DeepEqual.
func normTicket(t wire.Ticket) wire.Ticket {
	t.Issued = t.Issued.UTC()
	return t
}

// testTicketsFull: a sede holds at most Limits.Tickets tickets, however
// many its kiosk posts, one after the other or released together: one
// more is refused with ErrTicketsFull and leaves no change; a retry of
// a ticket held is still answered stored false; another sede has its
// own count; and once the day's tickets are wiped the sede has room
// again.
func testTicketsFull(t *testing.T, s central.Store) {
	const limit = 4
	l := Limits
	l.Tickets = limit
	s.SetLimits(l)
	defer s.SetLimits(Limits)
	codes := func(from, n int) []string { // distinct ticket codes
		out := make([]string, n)
		for i := range out {
			b := []byte("AAAAAAAA")
			for j, k := len(b)-1, from+i; j >= 0; j, k = j-1, k/len(central.TicketCodeAlphabet) {
				b[j] = central.TicketCodeAlphabet[k%len(central.TicketCodeAlphabet)]
			}
			out[i] = string(b)
		}
		return out
	}
	// Released together: exactly the limit stored, the rest refused.
	flood := codes(0, 3*limit)
	errs := make([]error, len(flood))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, code := range flood {
		wg.Go(func() {
			<-start
			_, errs[i] = s.PutTicket(ctx, Ticket("ROMA01", code, fmt.Sprintf("K%03d", i+1), T0), T0)
		})
	}
	close(start)
	wg.Wait()
	stored := 0
	for i, err := range errs {
		switch {
		case err == nil:
			stored++
		case !errors.Is(err, central.ErrTicketsFull):
			t.Fatalf("PutTicket %s: %v, want nil or ErrTicketsFull", flood[i], err)
		}
	}
	if stored != limit {
		t.Fatalf("%d tickets posted together at a limit of %d: %d stored", len(flood), limit, stored)
	}
	if n := len(ticketChanges(t, s, "ROMA01")); n != limit {
		t.Errorf("%d ticket changes for ROMA01, want %d: none for a ticket refused", n, limit)
	}
	// One after the other: still full, a retry still a retry.
	more := codes(len(flood), 1)[0]
	if ok, err := s.PutTicket(ctx, Ticket("ROMA01", more, "K100", T0), T0); ok || !errors.Is(err, central.ErrTicketsFull) {
		t.Errorf("a ticket past the limit: stored %v, %v; want ErrTicketsFull", ok, err)
	}
	for i, code := range flood {
		if errs[i] != nil {
			continue
		}
		if ok, err := s.PutTicket(ctx, Ticket("ROMA01", code, "K001", T0), T0); ok || err != nil {
			t.Errorf("a retry of %s held, at the limit: stored %v, %v; want false, nil", code, ok, err)
		}
		break
	}
	if ok, err := s.PutTicket(ctx, Ticket("MILANO1", more, "K001", T0), T0); !ok || err != nil {
		t.Errorf("a ticket of another sede: stored %v, %v; want a count of its own", ok, err)
	}
	// The next day: yesterday's wiped, room again.
	y, m, d := T0.Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, T0.Location())
	if _, err := s.WipeTickets(ctx, tomorrow); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.PutTicket(ctx, Ticket("ROMA01", more, "K001", tomorrow.Add(time.Hour)), tomorrow.Add(time.Hour)); !ok || err != nil {
		t.Errorf("a ticket of the next day, the day before wiped: stored %v, %v; want it stored", ok, err)
	}
}
