package server_test

// The kiosks' tickets (tickets.go). This file sorts before server_test.go,
// so that TestOpenAPI, which runs last, checks its exchanges too.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a kiosk's ticket is stored once for the sede of its
// certificate (201, then 200 with stored false for a retry), that the
// sede's desks pull it whole and no other sede does, and that a desk's
// ticket.called reaches the others as a change with the code only.
func TestTicketPost(t *testing.T) {
	env := newEnv(t)
	env.Server.Now = func() time.Time { return storetest.T0 }
	kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
	tk := storetest.Ticket("", "ACDEFG34", "K001", storetest.T0)
	tk.Request.CodiceFiscale = "rssmra80a01h501u" // normalised by centrale
	for i, want := range []struct {
		status int
		stored bool
	}{{201, true}, {200, false}} {
		st, b := do(t, kiosk, "POST", env.URL+"/v1/tickets", wire.ContentJSON, mustJSON(t, tk))
		var resp wire.TicketResponse
		if err := json.Unmarshal(b, &resp); err != nil || st != want.status || resp != (wire.TicketResponse{Code: tk.Code, Stored: want.stored}) {
			t.Fatalf("post %d: %d %s, want %d stored %v", i+1, st, b, want.status, want.stored)
		}
	}
	rec, err := env.Store.Ticket(t.Context(), "ROMA01", tk.Code)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Ticket.Sede != "ROMA01" || rec.Ticket.Request.CodiceFiscale != "RSSMRA80A01H501U" {
		t.Errorf("stored %+v, want the sede of the certificate and the codice fiscale normalised", rec.Ticket)
	}
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	pull := func(sede string) []wire.Change {
		t.Helper()
		st, b := do(t, env.Client(t, pki.RoleSede, sede), "GET", env.URL+"/v1/changes?after=0", "", nil)
		if st != 200 {
			t.Fatalf("pull of %s: %d %s", sede, st, b)
		}
		var resp wire.ChangesResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		return resp.Changes
	}
	ch := pull("ROMA01")
	if len(ch) != 1 || ch[0].Kind != wire.ChangeTicket || ch[0].Ticket == nil || ch[0].Ticket.Request.Cognome != "Rossi" || ch[0].Ticket.Sede != "ROMA01" {
		t.Fatalf("ROMA01 pulled %+v, want its ticket with the request", ch)
	}
	if ch := pull("MILA01"); len(ch) != 0 {
		t.Errorf("MILA01 pulled %+v, want nothing", ch)
	}
	call := wire.PushRequest{Sede: "ROMA01", Events: []pinsede.Event{storetest.TicketCalled("ROMA01", "call-1", tk.Code)}, AuditHead: &wire.AuditHead{}}
	st, b := do(t, roma, "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, call))
	if st != 200 || !bytes.Contains(b, []byte(`"accepted"`)) {
		t.Fatalf("push of the call: %d %s", st, b)
	}
	ch = pull("ROMA01")
	if len(ch) != 2 || ch[1].Kind != wire.ChangeTicketCalled || *ch[1].Ticket != (wire.Ticket{Code: tk.Code}) {
		t.Errorf("ROMA01 pulled after the call %+v, want a ticket.called with the code only", ch)
	}
}

// Ensure that a kiosk's certificate cannot post tickets without end: past
// the sede's tickets of a day (central.Limits.Tickets) a new one is a 429
// until the sede's next day, with a detail that says why, and stores
// nothing a desk would pull; a retry of a ticket held is still a 200.
// Before the bound, one kiosk certificate stored 3,000 tickets in 11 s,
// every one sent to each desk of the sede.
func TestTicketsFull(t *testing.T) {
	env := newEnv(t)
	now := storetest.T0
	env.Server.Now = func() time.Time { return now }
	l := testenv.Limits
	l.Tickets = 3
	env.Server.SetLimits(l)
	kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
	codes := []string{"ACDEFG34", "ACDEFG36", "ACDEFG37", "ACDEFG39"}
	post := func(code string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("POST", env.URL+"/v1/tickets", bytes.NewReader(mustJSON(t, storetest.Ticket("", code, "K001", now))))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", wire.ContentJSON)
		return doResponse(t, kiosk, req)
	}
	for _, code := range codes[:3] {
		if resp, b := post(code); resp.StatusCode != 201 {
			t.Fatalf("ticket %s within the limit: %d %s", code, resp.StatusCode, b)
		}
	}
	resp, b := post(codes[3])
	var p wire.Problem
	if err := json.Unmarshal(b, &p); err != nil || resp.StatusCode != 429 || p.Type != wire.ProblemRateLimited ||
		!strings.Contains(p.Detail, "ROMA01") || !strings.Contains(p.Detail, "(3)") || !strings.Contains(p.Detail, "nothing was stored") {
		t.Fatalf("a ticket past the limit: %d %s, want 429 rate-limited naming the sede and the limit", resp.StatusCode, b)
	}
	if got, want := resp.Header.Get("Retry-After"), retryAfterSeconds(central.NextDay(now).Sub(now)); got != want {
		t.Errorf("Retry-After %q, want %q: the seconds until the sede's next day", got, want)
	}
	if resp, b := post(codes[0]); resp.StatusCode != 200 {
		t.Errorf("a retry of a ticket held, at the limit: %d %s, want 200", resp.StatusCode, b)
	}
	st, b := do(t, env.Client(t, pki.RoleSede, "ROMA01"), "GET", env.URL+"/v1/changes?after=0", "", nil)
	var ch wire.ChangesResponse
	if err := json.Unmarshal(b, &ch); err != nil || st != 200 {
		t.Fatalf("pull: %d %s", st, b)
	}
	if len(ch.Changes) != 3 {
		t.Errorf("the sede pulled %d changes, want the 3 tickets stored", len(ch.Changes))
	}
}

// retryAfterSeconds is the Retry-After header of a wait of d.
func retryAfterSeconds(d time.Duration) string {
	return fmt.Sprint(int(max(math.Ceil(d.Seconds()), 1)))
}

// Ensure that a sede's tickets are counted, checked and wiped by Italy's
// day, whatever the time zone centrale runs in (UTC in its container), on
// an ordinary night and on the nights the clocks change: half an hour
// before Italy's midnight a sede at its bound waits half an hour, not
// until UTC's midnight an hour or two later; ten minutes after it,
// yesterday's tickets are wiped and no longer count, a ticket of
// yesterday evening is refused, even of its last minutes (a kiosk's clock
// behind: the day's sweep has run), and one of the new day is taken, and a
// sede at its bound waits until the next midnight in Italy (23, 24 or 25
// hours on); three hours after it, a ticket of the day's first minutes,
// posted late by a kiosk that was offline, is taken. Before, centrale
// counted UTC's day: from Italy's midnight to 01:00 or 02:00 the tickets
// of the day before still filled the sede's bound, and the Retry-After
// pointed at UTC's midnight.
func TestTicketsItalyDay(t *testing.T) {
	// The last Sunday of March and of October of the suite's year: the
	// clocks change at 02:00 and 03:00 that day.
	lastSunday := func(m time.Month) time.Time {
		d := time.Date(storetest.T0.Year(), m+1, 0, 0, 0, 0, 0, central.Italy)
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	spring, autumn := lastSunday(time.March), lastSunday(time.October)
	for _, night := range []struct {
		name     string
		midnight time.Time
	}{
		{"after the suite's day", central.NextDay(storetest.T0)},
		{"into the day the clocks go forward", spring},
		{"after the day the clocks go forward", spring.AddDate(0, 0, 1)},
		{"into the day the clocks go back", autumn},
		{"after the day the clocks go back", autumn.AddDate(0, 0, 1)},
	} {
		t.Run(night.name, func(t *testing.T) {
			env := newEnv(t)
			var now time.Time
			at := func(d time.Duration) { now = night.midnight.Add(d).UTC() } // centrale's clock reads UTC
			env.Server.Now = func() time.Time { return now }
			l := testenv.Limits
			l.Tickets = 3
			env.Server.SetLimits(l)
			kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
			codes := 0
			post := func(issued time.Time) (string, *http.Response, []byte) {
				t.Helper()
				code := "ACDEFG" + central.TicketCodeAlphabet[codes/25:codes/25+1] + central.TicketCodeAlphabet[codes%25:codes%25+1]
				codes++
				req, err := http.NewRequest("POST", env.URL+"/v1/tickets", bytes.NewReader(mustJSON(t, storetest.Ticket("", code, "K001", issued))))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", wire.ContentJSON)
				resp, b := doResponse(t, kiosk, req)
				return code, resp, b
			}
			// fill posts tickets of now until the bound, and checks that
			// the next waits until Italy's next midnight.
			fill := func(held int) []string {
				t.Helper()
				var stored []string
				for range l.Tickets - held {
					code, resp, b := post(now)
					if resp.StatusCode != 201 {
						t.Fatalf("a ticket within the bound at %s: %d %s", now.In(central.Italy), resp.StatusCode, b)
					}
					stored = append(stored, code)
				}
				_, resp, b := post(now)
				if resp.StatusCode != 429 {
					t.Fatalf("a ticket past the bound at %s: %d %s, want 429", now.In(central.Italy), resp.StatusCode, b)
				}
				if got, want := resp.Header.Get("Retry-After"), retryAfterSeconds(central.NextDay(now).Sub(now)); got != want {
					t.Errorf("at %s: Retry-After %s s, want %s s: until midnight in Italy", now.In(central.Italy), got, want)
				}
				return stored
			}

			at(-30 * time.Minute)
			yesterday := fill(0)

			at(10 * time.Minute)
			for _, before := range []time.Duration{time.Hour, 2 * time.Minute} {
				if _, resp, b := post(night.midnight.Add(-before)); resp.StatusCode != 422 {
					t.Errorf("at %s a ticket of %v before midnight: %d %s, want 422", now.In(central.Italy), before, resp.StatusCode, b)
				}
			}
			fill(0) // yesterday's three wiped at the day's first post: room for three
			for _, code := range yesterday {
				if _, err := env.Store.Ticket(t.Context(), "ROMA01", code); !errors.Is(err, central.ErrNotFound) {
					t.Errorf("at %s yesterday's ticket %s: %v, want it wiped", now.In(central.Italy), code, err)
				}
			}

			// A day's first minutes posted late: another sede's kiosk,
			// whose bound is untouched.
			at(3 * time.Hour)
			milano := env.Client(t, pki.RoleKiosk, "MILA01")
			req, err := http.NewRequest("POST", env.URL+"/v1/tickets", bytes.NewReader(mustJSON(t, storetest.Ticket("", "HJKMNP67", "K001", night.midnight.Add(5*time.Minute)))))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", wire.ContentJSON)
			if resp, b := doResponse(t, milano, req); resp.StatusCode != 201 {
				t.Errorf("at %s a ticket of 00:05: %d %s, want 201", now.In(central.Italy), resp.StatusCode, b)
			}
		})
	}
}

// Ensure that the first pull of a day wipes the tickets of past days, with
// the requests in their changes.
func TestTicketSweep(t *testing.T) {
	env := newEnv(t)
	now := storetest.T0
	env.Server.Now = func() time.Time { return now }
	kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
	tk := storetest.Ticket("", "HJKMNP67", "K001", now)
	if st, b := do(t, kiosk, "POST", env.URL+"/v1/tickets", wire.ContentJSON, mustJSON(t, tk)); st != 201 {
		t.Fatalf("post: %d %s", st, b)
	}
	now = now.Add(24 * time.Hour)
	st, b := do(t, env.Client(t, pki.RoleSede, "ROMA01"), "GET", env.URL+"/v1/changes", "", nil)
	if st != 200 {
		t.Fatalf("pull: %d %s", st, b)
	}
	if bytes.Contains(b, []byte("Rossi")) || bytes.Contains(b, []byte("RSSMRA")) || !bytes.Contains(b, []byte(tk.Code)) {
		t.Errorf("the pull of the next day still carries the request, or lost the ticket's code: %s", b)
	}
	if _, err := env.Store.Ticket(t.Context(), "ROMA01", tk.Code); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("the ticket of yesterday: %v, want ErrNotFound", err)
	}
}

// Ensure that SweepTickets, which centrale calls on a timer, wipes the
// tickets of past days with no request from any sede, and only once a day.
func TestSweepTicketsTimer(t *testing.T) {
	env := newEnv(t)
	now := storetest.T0
	env.Server.Now = func() time.Time { return now }
	kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
	tk := storetest.Ticket("", "HJKMNP67", "K001", now)
	if st, b := do(t, kiosk, "POST", env.URL+"/v1/tickets", wire.ContentJSON, mustJSON(t, tk)); st != 201 {
		t.Fatalf("post: %d %s", st, b)
	}
	env.Server.SweepTickets(t.Context()) // the same day: kept
	if _, err := env.Store.Ticket(t.Context(), "ROMA01", tk.Code); err != nil {
		t.Fatalf("today's ticket after a sweep: %v", err)
	}
	now = now.Add(24 * time.Hour)
	env.Server.SweepTickets(t.Context())
	if _, err := env.Store.Ticket(t.Context(), "ROMA01", tk.Code); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("yesterday's ticket after the timer's sweep: %v, want ErrNotFound", err)
	}
}

// Ensure that bad tickets get a clear 4xx problem and store nothing.
func TestTicketBadInput(t *testing.T) {
	env := newEnv(t)
	env.Server.Now = func() time.Time { return storetest.T0 }
	kiosk := env.Client(t, pki.RoleKiosk, "ROMA01")
	good := storetest.Ticket("", "ACDEFG34", "K001", storetest.T0)
	midnight := central.Day(storetest.T0)
	with := func(edit func(*wire.Ticket)) []byte {
		tk := good
		edit(&tk)
		return mustJSON(t, tk)
	}
	for _, tc := range []struct {
		name    string
		client  bool // a sede's certificate instead of the kiosk's
		body    []byte
		status  int
		problem string
	}{
		{"malformed JSON", false, []byte(`{"code": "ACDEFG34",`), 400, "malformed"},
		{"unknown field", false, []byte(strings.Replace(string(mustJSON(t, good)), `{`, `{"pin": "x",`, 1)), 400, "malformed"},
		{"oversized", false, bytes.Repeat([]byte(" "), wire.MaxTicketBytes+1), 413, "too-large"},
		{"a sede posting", true, mustJSON(t, good), 403, "wrong-role"},
		{"another sede", false, with(func(tk *wire.Ticket) { tk.Sede = "MILA01" }), 403, "other-sede"},
		{"bad code", false, with(func(tk *wire.Ticket) { tk.Code = "0OIL1258" }), 422, "invalid-ticket"},
		{"short code", false, with(func(tk *wire.Ticket) { tk.Code = "ACDE" }), 422, "invalid-ticket"},
		{"bad number", false, with(func(tk *wire.Ticket) { tk.Number = "K-1" }), 422, "invalid-ticket"},
		{"info service", false, with(func(tk *wire.Ticket) { tk.Service = "info" }), 422, "invalid-ticket"},
		{"no language", false, with(func(tk *wire.Ticket) { tk.Language = "" }), 422, "invalid-ticket"},
		// A second before today's midnight in Italy: yesterday's,
		// however slightly the kiosk's clock is behind.
		{"yesterday", false, with(func(tk *wire.Ticket) { tk.Issued = midnight.Add(-time.Second) }), 422, "invalid-ticket"},
		{"in an hour", false, with(func(tk *wire.Ticket) { tk.Issued = storetest.T0.Add(time.Hour) }), 422, "invalid-ticket"},
		{"invalid request", false, with(func(tk *wire.Ticket) { tk.Request.CodiceFiscale = "RSSMRA80A01H501X" }), 422, "invalid-ticket"},
		{"no request", false, with(func(tk *wire.Ticket) { tk.Request = pinsede.Request{} }), 422, "invalid-ticket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := kiosk
			if tc.client {
				c = env.Client(t, pki.RoleSede, "ROMA01")
			}
			st, b := do(t, c, "POST", env.URL+"/v1/tickets", wire.ContentJSON, tc.body)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, b)
			}
			var p wire.Problem
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("not a problem: %s", b)
			}
			if p.Type != "urn:pinsede:problem:"+tc.problem || p.Status != st || p.Title == "" || p.Detail == "" {
				t.Errorf("problem = %+v, want type %s with a title and a detail", p, tc.problem)
			}
			if strings.Contains(p.Detail, "Rossi") {
				t.Errorf("the problem repeats what the citizen typed: %s", p.Detail)
			}
			if _, err := env.Store.Ticket(t.Context(), "ROMA01", good.Code); !errors.Is(err, central.ErrNotFound) {
				t.Errorf("a ticket was stored: %v", err)
			}
		})
	}
}
