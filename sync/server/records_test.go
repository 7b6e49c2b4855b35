package server_test

import (
	"encoding/json"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that events with no credential, the delegations', are checked
// for their sede by the delegation they carry: a sede's own is answered
// event by event, another sede's refuses the whole batch with 403 and
// nothing stored.
func TestPushDelegations(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	own := storetest.Delegated("ROMA01", "d1", pinsede.FormAA08, storetest.CF(1), storetest.CF(2))
	other := storetest.Delegated("ROMA01", "d2", pinsede.FormAA08, storetest.CF(3), storetest.CF(4))
	other.Delegation.Sede = "MILA01"
	st, b := do(t, roma, "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, wire.PushRequest{Sede: "ROMA01", Events: []pinsede.Event{own, other}, AuditHead: &wire.AuditHead{}}))
	if st != 403 {
		t.Fatalf("another sede's delegation: %d %s, want 403", st, b)
	}
	if n, _ := env.Store.Events(t.Context()); n != 0 {
		t.Fatalf("%d events stored", n)
	}
	st, b = do(t, roma, "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, wire.PushRequest{Sede: "ROMA01", Events: []pinsede.Event{own}, AuditHead: &wire.AuditHead{}}))
	var resp wire.PushResponse
	if err := json.Unmarshal(b, &resp); st != 200 || err != nil || len(resp.Results) != 1 || resp.Results[0].Verdict != wire.Accepted {
		t.Fatalf("own delegation: %d %s", st, b)
	}
}
