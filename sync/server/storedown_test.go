package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// reply is what a request was answered: its status, Retry-After and
// problem type.
type reply struct {
	status     int
	retryAfter string
	problem    string
}

// ask sends in (GET when nil) to u and returns the reply.
func ask(t *testing.T, c *http.Client, u string, in any) reply {
	t.Helper()
	a, err := tryAsk(c, u, in)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tryAsk is ask for any goroutine: it returns the error of a request
// that got no answer.
func tryAsk(c *http.Client, u string, in any) (reply, error) {
	var resp *http.Response
	var err error
	if in == nil {
		resp, err = c.Get(u)
	} else {
		b, merr := json.Marshal(in)
		if merr != nil {
			return reply{}, merr
		}
		resp, err = c.Post(u, wire.ContentJSON, bytes.NewReader(b))
	}
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p wire.Problem
	json.Unmarshal(b, &p)
	return reply{resp.StatusCode, resp.Header.Get("Retry-After"), p.Type}, nil
}

// pushIssue pushes, as sede S1 through c to centrale at base, the issue
// of a PIN of hash h to storetest.CF(i), and returns the reply.
func pushIssue(t *testing.T, c *http.Client, base string, h string, i int) reply {
	t.Helper()
	cf := storetest.CF(i).String()
	return ask(t, c, base+"/v1/events", wire.PushRequest{Sede: "S1", AuditHead: &wire.AuditHead{},
		Events: []pinsede.Event{storetest.Issued("S1", storetest.CF(i), "e"+cf, "c"+cf, h)}})
}

// Ensure that while PostgreSQL is stopped (an operator's restart) every
// request that needs the store is answered 503 store-down with
// Retry-After 5 s, /v1/health too, logged once as a warning
// and once when the store answers again, never as an error; and that
// once PostgreSQL is back, or after it ended centrale's sessions, the
// next push is stored. Before, each was answered 500 internal without
// Retry-After and logged level=ERROR "request failed", health and
// readiness 503 without Retry-After, and the first push after the
// sessions ended failed too. /readyz stays ready, warning of the store,
// without Retry-After: every replica shares the store, and a balancer
// that took them all out (503, as before) left the desks no server and
// offline, rather than online with the fault busy. The metrics say it:
// pinsede_store_state and pinsede_store_down_requests_total, and the
// PIN check's outcome store_down (it was counted an error, the same 503
// as an overload's).
func TestStoreRestartAnswered(t *testing.T) {
	pg := pgtest.Private(t)
	store, err := pgstore.Open(t.Context(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := testenv.New(t, store)
	logw := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewTextHandler(logw, nil)))
	reg := prometheus.NewRegistry()
	if _, err := server.NewMetrics(reg, env.Server, nil); err != nil {
		t.Fatal(err)
	}
	manage := env.Server.ManageHandler(server.Manage{Gatherer: reg})
	metrics := func(when string, want map[string]float64) {
		t.Helper()
		_, body := scrape(t, manage, "/metrics")
		got := series(t, body)
		for name, v := range want {
			if got[name] != v {
				t.Errorf("metrics %s: %s = %v, want %v", when, name, got[name], v)
			}
		}
	}
	sede, portal, kiosk := env.Client(t, pki.RoleSede, "S1"), env.Client(t, pki.RolePortal, "PORTALE1"), env.Client(t, pki.RoleKiosk, "S1")
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	push := func(i int) reply { return pushIssue(t, sede, env.URL, h, i) }
	if a := push(0); a.status != http.StatusOK {
		t.Fatalf("push before: %+v", a)
	}
	if err := pg.Down(); err != nil {
		t.Fatal(err)
	}
	down := reply{http.StatusServiceUnavailable, "5", wire.ProblemStoreDown}
	for what, got := range map[string]reply{
		"push":     push(1),
		"pull":     ask(t, sede, env.URL+"/v1/changes?after=0", nil),
		"lookup":   ask(t, sede, env.URL+"/v1/credentials?codice_fiscale="+storetest.CF(0).String(), nil),
		"verify":   ask(t, portal, env.URL+"/v1/pin/verify", wire.VerifyRequest{CodiceFiscale: storetest.CF(0).String(), PIN: "ACEFHJKMNPRTUVWX"}),
		"ticket":   ask(t, kiosk, env.URL+"/v1/tickets", storetest.Ticket("", "ACDEFG34", "K001", storetest.T0)),
		"health":   ask(t, portal, env.URL+"/v1/health", nil),
		"push too": push(2),
	} {
		if got != down {
			t.Errorf("%s with PostgreSQL stopped: %+v, want %+v", what, got, down)
		}
	}
	metrics("with PostgreSQL stopped", map[string]float64{
		`pinsede_store_state{state="unavailable"}`:   1,
		`pinsede_store_state{state="ok"}`:            0,
		`pinsede_store_down_requests_total`:          7,
		`pinsede_verify_total{outcome="store_down"}`: 1,
		`pinsede_verify_total{outcome="error"}`:      0,
	})
	rec := httptest.NewRecorder()
	manage.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Retry-After") != "" ||
		!strings.HasPrefix(rec.Body.String(), "ready\nstore: warning: postgres store does not answer: requests answered 503 store-down, Retry-After 5 s;") {
		t.Errorf("/readyz with PostgreSQL stopped: %d, Retry-After %q, want 200 ready, none, warning of the store\n%s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if err := pg.Up(); err != nil {
		t.Fatal(err)
	}
	storetest.AwaitPing(t, store) // its probe finds PostgreSQL back
	if a := push(1); a.status != http.StatusOK {
		t.Errorf("push once PostgreSQL is back: %+v", a)
	}
	metrics("once PostgreSQL is back", map[string]float64{
		`pinsede_store_state{state="ok"}`:          1,
		`pinsede_store_state{state="unavailable"}`: 0,
		`pinsede_store_down_requests_total`:        7,
	})
	pg.Terminate(t, "pinsede")
	if a := push(2); a.status != http.StatusOK {
		t.Errorf("push right after PostgreSQL ended centrale's sessions: %+v", a)
	}
	logs := logw.String()
	if n := strings.Count(logs, `msg="central store unavailable`); n != 1 || strings.Contains(logs, "level=ERROR") {
		t.Errorf("log: %d warnings of the store unavailable, want 1, and no error:\n%s", n, logs)
	}
	if n := strings.Count(logs, `msg="central store answers again"`); n != 1 {
		t.Errorf("log: %d lines of the store back, want 1:\n%s", n, logs)
	}
}
