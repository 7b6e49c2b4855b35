package server_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that centrale takes the desk from the client certificate and
// never from the body: the events and the audit head of a push that
// names desk 99 are recorded as desk 03's, whose certificate pushed them;
// a certificate of before desk ids records desk "", whatever the body says.
func TestDeskFromCertificate(t *testing.T) {
	env := newEnv(t)
	cfg, _ := env.DeskTLS(t, "ROMA01", "03")
	desk03 := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: cfg, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	shared := env.Client(t, pki.RoleSede, "ROMA01")
	for _, tc := range []struct {
		name   string
		client *http.Client
		first  int
		chain  string
		want   string
	}{{"desk 03", desk03, 0, "A", "03"}, {"shared certificate", shared, 10, "B", ""}} {
		req := batch(t, "ROMA01", 1)
		req.Events[0] = storetest.AtDesk(storetest.Issued("ROMA01", storetest.CF(tc.first), "e"+tc.chain, "c"+tc.chain,
			req.Events[0].Credential.PINHash), "99")
		h := storetest.Head(tc.chain, "", 0, 1)
		h.Desk = "99"
		req.AuditHead = &h
		if st, b := do(t, tc.client, "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, req)); st != 200 {
			t.Fatalf("%s: %d %s", tc.name, st, b)
		}
		got, err := env.Store.Event(t.Context(), "ROMA01", "e"+tc.chain)
		if err != nil || got.Event.Desk != tc.want {
			t.Errorf("%s: event of desk %q (%v), want %q", tc.name, got.Event.Desk, err, tc.want)
		}
	}
	heads, err := storetest.AllHeads(t.Context(), env.Store, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	desks := map[string]bool{}
	for _, k := range heads {
		desks[k.Desk] = true
	}
	if len(heads) != 2 || !desks["03"] || !desks[""] {
		t.Errorf("heads %+v, want one of desk 03 and one of desk \"\"", heads)
	}
}
