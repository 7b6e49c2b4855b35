package server_test

import (
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
