package server_test

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a push carries the desk's audit head: without one, or with
// one malformed, it is a 422; one that forks or goes backwards is a 409
// that stores nothing and leaves /v1/health degraded; and a sede reads
// back its own heads only.
func TestAuditHeads(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	milano := env.Client(t, pki.RoleSede, "MILANO01")
	push := func(sede string, h *wire.AuditHead) (int, wire.Problem) {
		t.Helper()
		req := batch(t, sede, 1)
		req.AuditHead = h
		cl := roma
		if sede == "MILANO01" {
			cl = milano
		}
		st, b := do(t, cl, "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, req))
		var p wire.Problem
		if st != 200 {
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("%d %s", st, b)
			}
		}
		return st, p
	}
	a := func(seq uint64) wire.AuditHead { return storetest.Head("A", "", 0, seq) }
	forked := storetest.Head("A", "rewritten", 3, 8)
	bad := a(4)
	bad.Hash = bad.Hash[:16]
	for _, tc := range []struct {
		name    string
		sede    string
		head    *wire.AuditHead
		status  int
		problem string
	}{
		{"no head", "ROMA01", nil, 422, "urn:pinsede:problem:no-audit-head"},
		{"short hash", "ROMA01", &bad, 422, "urn:pinsede:problem:bad-audit-head"},
		{"first", "ROMA01", ptr(a(1)), 200, ""},
		{"forward", "ROMA01", ptr(a(8)), 200, ""},
		{"fork", "ROMA01", &forked, 409, "urn:pinsede:problem:audit-fork"},
		{"backwards", "ROMA01", ptr(a(5)), 409, "urn:pinsede:problem:audit-fork"},
		{"other sede", "MILANO01", ptr(storetest.Head("M", "", 0, 2)), 200, ""},
		{"again", "ROMA01", ptr(a(8)), 200, ""},
	} {
		st, p := push(tc.sede, tc.head)
		if st != tc.status || p.Type != tc.problem {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, st, p, tc.status, tc.problem)
		}
	}
	// Only the pushes with a head accepted stored their event (the same
	// one each time): ROMA01's and MILANO01's.
	if n, err := env.Store.Events(t.Context()); err != nil || n != 2 {
		t.Errorf("%d events stored (%v), want 2", n, err)
	}

	st, b := do(t, roma, "GET", env.URL+"/v1/audit/heads", "", nil)
	var resp wire.AuditHeadsResponse
	if err := json.Unmarshal(b, &resp); st != 200 || err != nil {
		t.Fatalf("audit heads: %d %s", st, b)
	}
	var got []wire.AuditHead
	for _, k := range resp.Heads {
		got = append(got, k.AuditHead)
	}
	if want := []wire.AuditHead{a(1), a(8)}; !reflect.DeepEqual(got, want) {
		t.Errorf("ROMA01's heads: %+v, want %+v", got, want)
	}

	st, b = do(t, env.Client(t, pki.RolePortal, "MONITOR"), "GET", env.URL+"/v1/health", "", nil)
	var h wire.Health
	if err := json.Unmarshal(b, &h); st != 200 || err != nil || h.Status != "degraded" || h.AuditForks != 2 {
		t.Errorf("health after two forks: %d %s, want degraded with audit_forks 2", st, b)
	}
	forks, err := env.Store.AuditForks(t.Context())
	if err != nil || len(forks) != 2 || !strings.HasPrefix(forks[0].Reason, central.ReasonAuditFork) {
		t.Errorf("forks: %+v, %v", forks, err)
	}
}

func ptr[T any](v T) *T { return &v }

// Ensure that GET /v1/audit/heads answers a page of at most
// central.MaxAuditHeads heads: a request without a cursor the first page,
// with more and the cursor of its last head, the request after it the
// rest; and that a cursor or query malformed is a 400 that says what is
// wrong.
func TestAuditHeadsPages(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	a := func(seq uint64) wire.AuditHead { return storetest.Head("A", "", 0, seq) }
	for seq := range uint64(central.MaxAuditHeads + 1) {
		if err := env.Store.PutAuditHead(t.Context(), "ROMA01", a(seq+1), storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
	get := func(query string) (int, []byte) {
		t.Helper()
		return do(t, roma, "GET", env.URL+"/v1/audit/heads"+query, "", nil)
	}
	page := func(query string) wire.AuditHeadsResponse {
		t.Helper()
		st, b := get(query)
		var resp wire.AuditHeadsResponse
		if err := json.Unmarshal(b, &resp); st != 200 || err != nil {
			t.Fatalf("audit heads%s: %d %s", query, st, b)
		}
		return resp
	}
	first := page("")
	last := a(central.MaxAuditHeads)
	if n := len(first.Heads); n != central.MaxAuditHeads || !first.More || first.Next != wire.HeadCursorOf(last).String() ||
		!reflect.DeepEqual(first.Heads[n-1].AuditHead, last) {
		t.Fatalf("first page: %d heads, more %v, next %q; want %d, more, next %q", n, first.More, first.Next, central.MaxAuditHeads, wire.HeadCursorOf(last).String())
	}
	rest := page("?after=" + first.Next)
	if len(rest.Heads) != 1 || rest.More || rest.Next != "" || !reflect.DeepEqual(rest.Heads[0].AuditHead, a(central.MaxAuditHeads+1)) {
		t.Errorf("second page: %+v, want the head at %d and no more", rest, central.MaxAuditHeads+1)
	}

	chain := base64.RawURLEncoding.EncodeToString(a(1).Chain)
	for _, tc := range []struct{ query, detail string }{
		{"?after=x", "want chain.seq"},
		{"?after=" + chain + ".0", "seq \"0\""},
		{"?after=" + chain + ".9007199254740993", "seq \"9007199254740993\""},
		{"?after=" + chain[:20] + ".5", "SHA-256"},
		{"?after=" + chain + ".5&after=" + chain + ".6", "given 2 times"},
		{"?before=" + chain + ".5", "unknown parameter \"before\""},
		{"?after=" + strings.Repeat("a", 200), "at most 128"},
	} {
		st, b := get(tc.query)
		var p wire.Problem
		if err := json.Unmarshal(b, &p); st != 400 || err != nil || p.Type != "urn:pinsede:problem:bad-audit-heads" || !strings.Contains(p.Detail, tc.detail) {
			t.Errorf("audit heads%s: %d %s, want a 400 bad-audit-heads saying %q", tc.query, st, b, tc.detail)
		}
	}
}
