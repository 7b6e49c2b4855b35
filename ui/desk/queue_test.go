package desk

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/kiosk"
	"github.com/pinsede/pinsede/ui/ticket"
)

// withTickets runs the desk with the kiosk's spool folder dir.
func withTickets(dir string) harnessOption {
	return func(_ *pinsede.Desk, c *Config) { c.TicketDir = dir }
}

// giulia is a request as the kiosk writes it: the place of birth chosen
// among the suggestions (name, province, code), the codice fiscale the
// kiosk proposed, a residence abroad.
func giulia(t *testing.T) pinsede.Request {
	t.Helper()
	r := pinsede.Request{
		Cognome: "Bianchi", Nome: "Giulia", Sesso: pinsede.SexFemale,
		DataNascita:  pinsede.Date{Year: 1975, Month: time.June, Day: 15},
		LuogoNascita: pinsede.Place{Name: "Milano", Province: "MI", Code: "F205"},
		Residenza:    pinsede.Address{Street: "Hauptstraße 12", CAP: "10115", City: "Berlin", Country: "DE"},
		Recapiti:     pinsede.Contacts{Mobile: "+49 30 1234567", Email: "giulia.bianchi@example.de"},
	}
	cf, err := pinsede.EncodeCodiceFiscale(r.Cognome, r.Nome, r.Sesso, r.DataNascita, r.LuogoNascita.Code)
	if err != nil {
		t.Fatal(err)
	}
	r.CodiceFiscale = cf
	if es := r.Validate(pinsede.DateOf(testNow)); len(es) > 0 {
		t.Fatalf("the kiosk's request does not validate: %v", es)
	}
	return r
}

// kioskTicket spools a submission as the kiosk does, through its own sink,
// and returns it. The file's time is the ticket's.
func kioskTicket(t *testing.T, dir, number, code string, issued time.Time, req pinsede.Request) ticket.Submission {
	t.Helper()
	sub := kiosk.Submission{
		Ticket:   ticket.Ticket{Number: number, Code: code, Service: "request", Issued: issued},
		Language: "de",
		Request:  req,
	}
	if err := (kiosk.SpoolSink{Dir: dir}).Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, kiosk.SpoolFile(code)), issued, issued); err != nil {
		t.Fatal(err)
	}
	return sub
}

// spooled reports whether the file of a ticket code is in dir.
func spooled(dir, code string) bool {
	_, err := os.Stat(filepath.Join(dir, kiosk.SpoolFile(code)))
	return err == nil
}

// Ensure that a desk picks up a kiosk request end to end: the tickets of
// past days are wiped at start, "Prossimo biglietto" takes the first of
// the queue and calls it out, the MV35 holds exactly what the citizen
// typed, and the verification and the issue go as usual.
func TestKioskTicketToIssue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	req := giulia(t)
	yesterday := testNow.Add(-24 * time.Hour)
	kioskTicket(t, dir, "K009", "OLDTCKT3", yesterday, mario)
	// Written out of order: the queue goes by number, K010 after K009.
	kioskTicket(t, dir, "K010", "ANXTTCK4", testNow.Add(-5*time.Minute), mario)
	kioskTicket(t, dir, "K009", "WRSTTCK4", testNow.Add(-10*time.Minute), req)

	h := ready(t, withTickets(dir))
	if spooled(dir, "OLDTCKT3") {
		t.Error("the ticket of yesterday is still in the spool after the desk started")
	}
	q := h.app.home.queue
	if q == nil {
		t.Fatal("home: no kiosk queue with a ticket folder")
	}
	if got := q.waiting.Text; got != "2" {
		t.Errorf("tickets waiting: %q, want 2", got)
	}

	h.tap(q.next)
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatalf("Prossimo biglietto: not on the MV35; message %q", q.msg.text())
	}
	text := h.screenText()
	for _, want := range []string{"Biglietto K009 – Richiedi il PIN dispositivo", "09:20", "Deutsch"} {
		if !strings.Contains(text, want) {
			t.Errorf("MV35 of the ticket lacks %q", want)
		}
	}
	if got := r.request(); !reflect.DeepEqual(got, req) {
		t.Errorf("MV35 pre-filled:\n got %+v\nwant %+v", got, req)
	}
	if es := r.problems(); len(es) > 0 {
		t.Errorf("MV35 pre-filled shows problems: %v", es)
	}
	if spooled(dir, "WRSTTCK4") || !spooled(dir, "ANXTTCK4") {
		t.Error("after taking K009: want its file gone and K010's still there")
	}

	h.tap(r.next)
	if h.app.verify == nil || h.app.current.View != h.app.verify.screen.View {
		t.Fatalf("Avanti: still on the MV35: %v", r.problems())
	}
	h.fillVerification(passport)
	h.app.verify.setScan(&pinsede.Scan{Name: "passaporto.pdf", Data: []byte("%PDF-1.4 test")})
	h.tap(h.app.verify.issue)
	if h.app.result == nil || h.app.current.View != h.app.result.screen.View {
		t.Fatalf("Emetti PIN: not on the result screen; message %q", h.app.verify.msg.text())
	}
	slips := h.printer.printed()
	if len(slips) != 1 {
		t.Fatalf("slips printed: %d, want 1", len(slips))
	}
	assertNoPIN(t, h, slips[0])
	p, err := h.desk.Citizen(h.app.session, req.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Citizen.Request, req) {
		t.Errorf("stored request:\n got %+v\nwant %+v", p.Citizen.Request, req)
	}

	h.tap(h.app.header.home)
	if got := h.app.home.queue.waiting.Text; got != "1" {
		t.Errorf("tickets waiting after one taken: %q, want 1", got)
	}
}

// Ensure that a ticket taken as the clerk logs out does not open its
// request over the login screen, and is not lost: the take runs off the
// UI goroutine, with the session of the clerk who asked, and once that
// session has ended the ticket's request is kept as that clerk's draft.
// The login screen says so; a colleague's login is not offered it; the
// clerk's next login offers it, and resumes it as the citizen typed it at
// the kiosk. (The take read the session off the UI goroutine, racing the
// logout, and opened the MV35 with nobody logged in; then its result was
// dropped: the ticket gone from the queue, the citizen to be called again
// by code.)
func TestKioskQueueLogoutWhileTaking(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	kioskTicket(t, dir, "K001", "LGOTTCK1", testNow.Add(-5*time.Minute), mario)
	kioskTicket(t, dir, "K002", "LGOTTCK2", testNow.Add(-4*time.Minute), mario)
	h := ready(t, withTickets(dir))
	h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-di-luca")
	q := h.app.home.queue
	test.Tap(q.next) // the take starts; its end waits for h.wait...
	h.app.logout()   // ...and the clerk logs out before it
	h.wait()
	q.code.SetText("LGOTTCK2")
	q.takeCode() // the panel of the ended session: nobody to take it for
	h.wait()
	if h.app.current.View != h.app.login.screen.View || h.app.request != nil {
		t.Fatalf("after the logout: not on the login screen (request %v)", h.app.request != nil)
	}
	if !spooled(dir, "LGOTTCK2") {
		t.Error("the panel of an ended session took a ticket")
	}
	if spooled(dir, "LGOTTCK1") {
		t.Fatal("the first ticket was not taken")
	}
	const kept = "Il biglietto K001 è stato chiamato mentre Maria Rossi (m.rossi) usciva: la sua richiesta è stata salvata e sarà riproposta a Maria Rossi al prossimo accesso di oggi su questo sportello. Il cittadino è ancora in attesa."
	if got := h.app.login.msg.text(); got != kept {
		t.Errorf("the login screen says %q, want %q", got, kept)
	}
	if *shots != "" {
		writeShots(t, h, "login-biglietto-salvato")
	}

	h.logIn("l.verdi", "password-di-luca")
	if n := len(h.win.Canvas().Overlays().List()); n != 0 {
		t.Fatalf("the colleague's login offers %d dialogs:\n%s", n, h.screenText())
	}
	h.tap(h.app.header.logout)

	h.logIn("m.rossi", "password-di-prova")
	if got := h.screenText(); !strings.Contains(got, "Rossi Mario") {
		t.Fatalf("the clerk's next login does not offer the ticket's request:\n%s", got)
	}
	h.tapDialogConfirm()
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatal("Riprendi did not open the ticket's request")
	}
	if got := r.request(); !reflect.DeepEqual(got, mario) {
		t.Errorf("the request resumed is\n%+v\nwant what the citizen typed at the kiosk\n%+v", got, mario)
	}
}

// Ensure that a ticket's code, scanned or typed, opens that ticket's
// request whatever its place in the queue, and that an unknown or expired
// code says so and changes nothing else.
func TestKioskTicketByCode(t *testing.T) {
	req := giulia(t)
	yesterday := testNow.Add(-24 * time.Hour)
	for _, tc := range []struct {
		name  string
		input func(h *harness, q *queuePanel)
		// opens is the ticket number expected on the MV35; "" for none.
		opens string
		msg   string
		gone  []string // codes no longer spooled
	}{
		{
			name: "scanned",
			input: func(h *harness, q *queuePanel) {
				h.typeIn(q.code, "SCNDTCK6")
				key(q.code, fyne.KeyReturn) // a barcode reader ends with Enter
				h.wait()
			},
			opens: "K002", gone: []string{"SCNDTCK6"},
		},
		{
			name: "typed",
			input: func(h *harness, q *queuePanel) {
				h.typeIn(q.code, " scndtck6 ")
				h.tap(q.open)
			},
			opens: "K002", gone: []string{"SCNDTCK6"},
		},
		{
			name: "unknown",
			input: func(h *harness, q *queuePanel) {
				h.typeIn(q.code, "NNKNWN77")
				key(q.code, fyne.KeyReturn)
				h.wait()
			},
			msg: "Nessun biglietto in attesa con il codice «NNKNWN77»",
		},
		{
			name: "expired",
			input: func(h *harness, q *queuePanel) {
				h.typeIn(q.code, "YSTRDY33")
				key(q.code, fyne.KeyReturn)
				h.wait()
			},
			msg:  "Il biglietto K004 è del 09/03/2026",
			gone: []string{"YSTRDY33"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			kioskTicket(t, dir, "K001", "FRSTTCK4", testNow.Add(-10*time.Minute), mario)
			kioskTicket(t, dir, "K002", "SCNDTCK6", testNow.Add(-5*time.Minute), req)

			h := ready(t, withTickets(dir))
			// Printed yesterday, spooled after the desk's wipe at start
			// (a kiosk's late write): the code refuses it.
			kioskTicket(t, dir, "K004", "YSTRDY33", yesterday, mario)
			q := h.app.home.queue
			home := h.app.home.screen.View
			tc.input(h, q)

			if tc.opens == "" {
				if h.app.current.View != home || h.app.request != nil {
					t.Error("want the home screen and no request")
				}
				if got := q.msg.text(); !strings.Contains(got, tc.msg) {
					t.Errorf("message %q, want %q", got, tc.msg)
				}
				if q.code.Text != "" {
					t.Errorf("code entry %q: want it empty for the next scan", q.code.Text)
				}
			} else {
				if h.app.request == nil || h.app.current.View != h.app.request.screen.View {
					t.Fatalf("not on the MV35; message %q", q.msg.text())
				}
				if text := h.screenText(); !strings.Contains(text, "Biglietto "+tc.opens) {
					t.Errorf("MV35 does not call ticket %s", tc.opens)
				}
				if got := h.app.request.request(); !reflect.DeepEqual(got, req) {
					t.Errorf("MV35 pre-filled:\n got %+v\nwant %+v", got, req)
				}
			}
			for _, code := range []string{"FRSTTCK4", "SCNDTCK6", "YSTRDY33"} {
				want := true
				for _, g := range tc.gone {
					want = want && g != code
				}
				if spooled(dir, code) != want {
					t.Errorf("ticket %s spooled: %v, want %v", code, !want, want)
				}
			}
		})
	}
}

// Ensure that "Prossimo biglietto" with no ticket waiting says so, and that
// a desk without a ticket folder has no queue on its home screen.
func TestKioskQueueEmpty(t *testing.T) {
	testclock.RealDayOnly(t, "an empty queue")
	h := ready(t, withTickets(filepath.Join(t.TempDir(), "not-yet")))
	q := h.app.home.queue
	if got := q.waiting.Text; got != "0" {
		t.Errorf("tickets waiting in a folder not yet made: %q, want 0", got)
	}
	h.tap(q.next)
	if got := q.msg.text(); got != "Nessun biglietto in attesa." || h.app.current.View != h.app.home.screen.View {
		t.Errorf("empty queue: message %q, on home %v", got, h.app.current.View == h.app.home.screen.View)
	}

	h = ready(t)
	if h.app.home.queue != nil {
		t.Error("a desk without a ticket folder shows the kiosk's queue")
	}
}

// Ensure that a folder that cannot be read shows as such, not as an empty
// queue.
func TestKioskQueueUnreachable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h := ready(t, withTickets(file))
	q := h.app.home.queue
	if got := q.waiting.Text; got != "–" {
		t.Errorf("count: %q, want –", got)
	}
	if got := q.msg.text(); !strings.Contains(got, "non si legge") {
		t.Errorf("message %q", got)
	}
	test.Tap(q.next)
	h.wait()
	if h.app.current.View != h.app.home.screen.View {
		t.Error("unreadable folder: left the home screen")
	}
}

// kioskPoster returns the kiosk's poster to cen, with a kiosk certificate
// of sede.
func kioskPoster(t *testing.T, cen *centrale, sede string) *kioskpost.Client {
	t.Helper()
	certPEM, keyPEM, err := cen.ca.Issue(pki.RoleKiosk, sede, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ClientTLS(cen.ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &kioskpost.Client{URL: cen.http.URL, Sede: sede, HTTP: &http.Client{Timeout: 5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsCfg}}}
}

// Ensure that a kiosk's request reaches the desks through centrale end to
// end: posted by the kiosk to a real centrale, pulled by both desks of the
// sede, taken at one by its code (the MV35 opens pre-filled and the call
// goes to centrale), and gone from the other's queue after its next pull.
// With centrale down, the kiosk's request goes to the spool folder and the
// desk takes it from there: nothing is lost.
func TestKioskThroughCentrale(t *testing.T) {
	ctx := context.Background()
	cen := startCentrale(t)
	spool := filepath.Join(t.TempDir(), "spool")
	// Desk A, with the UI, on centrale's clock (centrale takes today's
	// tickets only) and with the spool folder too.
	h := ready(t, withTickets(spool))
	a := cen.client(t, "ROMA01", h.store)
	h.desk.Link = a
	h.app.UseSync(a, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	// Desk B: its store and sync client only.
	dirB := t.TempDir()
	storeB, err := local.Create(filepath.Join(dirB, "store.db"), filepath.Join(dirB, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { storeB.Close() })
	b := cen.client(t, "ROMA01", storeB)

	req := giulia(t)
	poster := kioskPoster(t, cen, "ROMA01")
	sub := kiosk.Submission{
		Ticket:   ticket.Ticket{Number: "K001", Code: ticket.NewCode(), Service: "request", Issued: h.now.Add(-time.Second)},
		Language: "pt", Request: req,
	}
	if err := (kiosk.CentraleSink{Client: poster}).Submit(ctx, sub); err != nil {
		t.Fatalf("kiosk post: %v", err)
	}
	if spooled(spool, sub.Ticket.Code) {
		t.Error("with centrale up, the request went to the spool folder too")
	}
	for _, c := range []*client.Client{a, b} {
		if _, err := c.Pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	q := h.app.home.queue
	if q == nil {
		t.Fatal("home: no kiosk queue on a desk with centrale")
	}
	q.refresh()
	if got := q.waiting.Text; got != "1" {
		t.Errorf("desk A: %q tickets waiting, want 1", got)
	}
	if ts, err := pinsede.NewDesk(storeB, nil, h.desk.Now).Tickets(h.now); err != nil || len(ts) != 1 || ts[0].Code != sub.Ticket.Code {
		t.Fatalf("desk B: tickets %+v, %v; want the kiosk's", ts, err)
	}

	// Desk A takes it by its code: the MV35 opens with what the citizen
	// typed, under the ticket's number.
	h.typeIn(q.code, strings.ToLower(sub.Ticket.Code))
	key(q.code, fyne.KeyReturn)
	h.wait()
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatalf("the code did not open the MV35; message %q", q.msg.text())
	}
	if got := r.request(); !reflect.DeepEqual(got, req) {
		t.Errorf("MV35 pre-filled:\n got %+v\nwant %+v", got, req)
	}
	for _, want := range []string{"Biglietto K001 – Richiedi il PIN dispositivo", "Português"} {
		if !strings.Contains(h.screenText(), want) {
			t.Errorf("MV35 of the ticket lacks %q", want)
		}
	}
	if n, err := a.Push(ctx); err != nil || n != 1 {
		t.Fatalf("push of the call: %d, %v", n, err)
	}
	if rec, err := cen.store.Ticket(ctx, "ROMA01", sub.Ticket.Code); err != nil || rec.CalledAt.IsZero() {
		t.Errorf("centrale's ticket after the call: %+v, %v; want it called", rec, err)
	}
	if _, err := b.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if ts, err := pinsede.NewDesk(storeB, nil, h.desk.Now).Tickets(h.now); err != nil || len(ts) != 0 {
		t.Errorf("desk B after its next pull: tickets %+v, %v; want none", ts, err)
	}

	// Centrale down: the kiosk alone cannot hand the request over (its
	// ticket then says pending), with the spool folder it goes there.
	cen.down.Store(true)
	sub2 := sub
	sub2.Ticket.Number, sub2.Ticket.Code, sub2.Ticket.Issued = "K002", ticket.NewCode(), h.now
	if err := (kiosk.CentraleSink{Client: poster}).Submit(ctx, sub2); err == nil {
		t.Fatal("centrale down: the kiosk's post succeeded")
	}
	fallback := kiosk.FallbackSink{First: kiosk.CentraleSink{Client: poster}, Then: kiosk.SpoolSink{Dir: spool}}
	if err := fallback.Submit(ctx, sub2); err != nil {
		t.Fatalf("centrale down, spool folder there: %v", err)
	}
	h.tap(h.app.header.home)
	q.refresh()
	if got := q.waiting.Text; got != "1" {
		t.Errorf("desk A with centrale down: %q tickets waiting, want the spooled one", got)
	}
	h.tap(q.next)
	h.tapDialogConfirm() // K001's request is still open: closed, after the question
	h.wait()
	if r := h.app.request; r == nil || h.app.current.View != r.screen.View || !strings.Contains(h.screenText(), "Biglietto K002") {
		t.Fatalf("Prossimo biglietto did not open the spooled K002; message %q", q.msg.text())
	}
	if spooled(spool, sub2.Ticket.Code) {
		t.Error("the spooled ticket is still in the folder after it was taken")
	}
}

// Ensure that a kiosk's request that reached centrale, whose answer the
// kiosk lost (it then put the request in the spool folder too), is one
// ticket at the desk: listed once and taken once, whether the desk had
// pulled centrale's copy (the spool folder's goes with it) or took the
// spool folder's first (its call reaches centrale, and the other desks).
// Both were listed, and a second clerk could call the citizen again.
func TestKioskTicketAnswerLost(t *testing.T) {
	for _, pulledFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("pulled first %v", pulledFirst), func(t *testing.T) {
			ctx := context.Background()
			cen := startCentrale(t)
			spool := filepath.Join(t.TempDir(), "spool")
			h := ready(t, withTickets(spool))
			a := cen.client(t, "ROMA01", h.store)
			h.desk.Link = a
			h.app.UseSync(a, "ROMA01")
			t.Cleanup(h.app.sync.unsubscribe)
			h.app.logout() // the home screen is built again at the next login
			h.logIn("m.rossi", "password-di-prova")

			sub := kiosk.Submission{
				Ticket:   ticket.Ticket{Number: "K001", Code: ticket.NewCode(), Service: "request", Issued: h.now.Add(-time.Second)},
				Language: "pt", Request: giulia(t),
			}
			cen.loseAnswer.Store(true)
			fallback := kiosk.FallbackSink{First: kiosk.CentraleSink{Client: kioskPoster(t, cen, "ROMA01")}, Then: kiosk.SpoolSink{Dir: spool}}
			if err := fallback.Submit(ctx, sub); err != nil {
				t.Fatalf("kiosk: %v", err)
			}
			if !spooled(spool, sub.Ticket.Code) {
				t.Fatal("the answer lost, the request did not go to the spool folder")
			}
			pull := func() {
				t.Helper()
				if _, err := a.Push(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := a.Pull(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if pulledFirst {
				pull()
			}
			q := h.app.home.queue
			q.refresh()
			if got := q.waiting.Text; got != "1" {
				t.Errorf("tickets waiting: %q, want 1 (centrale's and the spool folder's are one request)", got)
			}
			h.tap(q.next)
			h.wait()
			if r := h.app.request; r == nil || !strings.Contains(h.screenText(), "Biglietto K001") {
				t.Fatalf("Prossimo biglietto did not open K001; message %q", q.msg.text())
			}
			if spooled(spool, sub.Ticket.Code) {
				t.Error("K001 taken, its copy is still in the spool folder: another desk would call it again")
			}
			pull()
			if rec, err := cen.store.Ticket(ctx, "ROMA01", sub.Ticket.Code); err != nil || rec.CalledAt.IsZero() {
				t.Errorf("centrale's K001 after the desk's push: %+v, %v; want it called", rec, err)
			}
			h.tap(h.app.header.home)
			q.refresh()
			if got := q.waiting.Text; got != "0" {
				t.Errorf("after K001 was taken: %q tickets waiting, want 0", got)
			}
		})
	}
}

// Ensure that a desk with centrale and no spool folder has the kiosk's
// queue all the same, and that "Prossimo biglietto" takes the oldest of
// centrale's tickets, putting its call in the outbox.
func TestKioskQueueCentralOnly(t *testing.T) {
	ctx := context.Background()
	cen := startCentrale(t)
	h := ready(t)
	c := cen.client(t, "ROMA01", h.store)
	h.app.UseSync(c, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	h.app.logout() // the home screen is built again at the next login
	h.logIn("m.rossi", "password-di-prova")
	q := h.app.home.queue
	if q == nil {
		t.Fatal("a desk with centrale and no spool folder has no kiosk queue")
	}
	poster := kioskPoster(t, cen, "ROMA01")
	for _, tk := range []struct {
		number string
		ago    time.Duration
	}{{"K002", time.Second}, {"K001", 2 * time.Second}} { // posted out of order
		sub := kiosk.Submission{
			Ticket:   ticket.Ticket{Number: tk.number, Code: ticket.NewCode(), Service: "lost", Issued: h.now.Add(-tk.ago)},
			Language: "ro", Request: mario,
		}
		if err := (kiosk.CentraleSink{Client: poster}).Submit(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	q.refresh()
	if got := q.waiting.Text; got != "2" {
		t.Errorf("tickets waiting: %q, want 2", got)
	}
	h.tap(q.next)
	if r := h.app.request; r == nil || !strings.Contains(h.screenText(), "Biglietto K001 – PIN smarrito") {
		t.Fatalf("Prossimo biglietto did not open K001; message %q", q.msg.text())
	}
	out, err := h.store.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out); n != 1 || out[0].Event.Kind != pinsede.EventTicketCalled {
		t.Errorf("outbox: %+v, want the call of K001", out)
	}
}

// Ensure that a spool file the key does not open (altered, or another
// sede's) is named in the queue's message and left in the folder, while
// the other tickets still count, and that a desk without the key says
// which file is missing.
func TestKioskQueueSealed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	kioskTicket(t, dir, "K001", "FRSTTCK4", testNow.Add(-10*time.Minute), mario)
	foreign := ticket.Spool{Dir: dir, Key: filepath.Join(t.TempDir(), "other.key")}
	sub := kiosk.Submission{Ticket: ticket.Ticket{Number: "K002", Code: "FRGNTCK4", Service: "request", Issued: testNow}, Request: mario}
	if err := foreign.Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	h := ready(t, withTickets(dir))
	q := h.app.home.queue
	if got := q.waiting.Text; got != "1" {
		t.Errorf("tickets waiting: %q, want 1", got)
	}
	if got := q.msg.text(); !strings.Contains(got, "non si aprono con la chiave") || !strings.Contains(got, kiosk.SpoolFile("FRGNTCK4")) {
		t.Errorf("message %q, want the foreign file named", got)
	}
	h.typeIn(q.code, "FRGNTCK4")
	key(q.code, fyne.KeyReturn)
	h.wait()
	if h.app.request != nil || !spooled(dir, "FRGNTCK4") {
		t.Error("the foreign file was opened, or removed")
	}

	os.Remove(ticket.Spool{Dir: dir}.KeyFile())
	q.refresh()
	if got := q.msg.text(); !strings.Contains(got, "Manca la chiave") || !strings.Contains(got, dir+".key") {
		t.Errorf("without the key: message %q", got)
	}
}

// Ensure that the request of a kiosk ticket taken as its clerk logs out
// (keepTicket), resumed at the clerk's next login, shows exactly what
// openTicket shows for that ticket: the MV35 filled as the citizen typed
// it at the kiosk, under the ticket's banner (its number and service,
// when it was printed, the citizen's language), to call the citizen by
// number. The banner stays with the draft kept again as the clerk types,
// and a request without a ticket resumes with none. (The resumed request
// had no banner: the clerk could not call the citizen.)
func TestKeptTicketResumesAsOpened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	sub := kioskTicket(t, dir, "K007", "KEPTTCK7", testNow.Add(-7*time.Minute), giulia(t))
	h := ready(t, withTickets(dir))
	test.Tap(h.app.home.queue.next) // the take starts...
	h.app.logout()                  // ...and the clerk logs out before it ends
	h.wait()
	h.logIn("m.rossi", "password-di-prova")
	if got := strings.Join(strings.Fields(h.screenText()), " "); !strings.Contains(got, "la richiesta di Bianchi Giulia, del biglietto K007, rimasta") {
		t.Errorf("the offer does not name the ticket:\n%s", got)
	}
	h.tapDialogConfirm() // Riprendi
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatal("Riprendi did not open the ticket's request")
	}
	resumed := h.screenText()
	if *shots != "" {
		writeShots(t, h, "mv35-biglietto-ripreso")
	}
	got, gotReq := map[string]string{}, r.request()
	r.draftFields(got)

	h.app.openTicket(sub) // the same ticket, opened as Prossimo biglietto opens it
	want, wantReq := map[string]string{}, h.app.request.request()
	h.app.request.draftFields(want)
	if opened := h.screenText(); resumed != opened {
		t.Errorf("the kept ticket's request resumed shows\n%s\n\nopenTicket shows\n%s", resumed, opened)
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotReq, wantReq) {
		t.Errorf("the kept ticket's request resumed holds\n%v\n%+v\nopenTicket fills\n%v\n%+v", got, gotReq, want, wantReq)
	}
	for _, s := range []string{"Biglietto K007 – Richiedi il PIN dispositivo", "09:23", "Deutsch"} {
		if !strings.Contains(resumed, s) {
			t.Errorf("the kept ticket's request resumed does not show %q", s)
		}
	}

	// Typed on and kept again, after a power cut: still under the banner.
	h.typeIn(h.app.request.telefono, "06 1234567")
	h.app.checkDraft()
	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	h.tapDialogConfirm()
	if r := h.app.request; r == nil || r.telefono.Text != "06 1234567" || !strings.Contains(h.screenText(), "Biglietto K007") {
		t.Errorf("the ticket's request typed on and resumed again lost its banner or the phone typed:\n%s", h.screenText())
	}

	// A request of no ticket resumes with no banner.
	h.app.newRequestFor(nil)
	h.typeIn(h.app.request.cognome, "Neri")
	h.app.checkDraft()
	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	h.tapDialogConfirm()
	if r := h.app.request; r == nil || r.cognome.Text != "Neri" || r.ticket != nil || strings.Contains(h.screenText(), "Biglietto") {
		t.Errorf("a request of no ticket resumed shows a ticket:\n%s", h.screenText())
	}
}
