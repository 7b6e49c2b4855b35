package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a sede looks up a codice fiscale's credentials of every
// sede, with no hash in the answer; that a bad codice fiscale is a 400
// that says why, and another role a 403.
func TestCredentials(t *testing.T) {
	env := newEnv(t)
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	web := storetest.Ordinario("WEB", storetest.CF(1), "w1", "cw", h)
	if _, err := env.Store.Apply(t.Context(), "WEB", []pinsede.Event{web}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Apply(t.Context(), "MILA01", []pinsede.Event{storetest.Telephone("MILA01", storetest.CF(1), "m1", "cm", h)}, storetest.T0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	get := func(query string) (int, []byte) {
		t.Helper()
		return do(t, roma, "GET", env.URL+"/v1/credentials?"+query, "", nil)
	}

	st, b := get("codice_fiscale=" + url.QueryEscape(strings.ToLower(string(storetest.CF(1)))))
	if st != 200 {
		t.Fatalf("lookup: %d %s", st, b)
	}
	if strings.Contains(string(b), "argon2id") || strings.Contains(string(b), "hash") {
		t.Fatalf("the answer carries a hash: %s", b)
	}
	var resp wire.CredentialsResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Credentials) != 2 {
		t.Fatalf("credentials = %+v, want 2", resp.Credentials)
	}
	got := resp.Credentials[1]
	if got.ID != "cw" || got.Type != pinsede.Ordinario || got.Status != wire.StatusActive || got.Sede != "WEB" ||
		!got.IssuedAt.Equal(storetest.T0) || got.ExpiresAt.IsZero() || got.CodiceFiscale != storetest.CF(1) {
		t.Errorf("the online PIN = %+v", got)
	}
	if c := resp.Credentials[0]; c.ID != "cm" || c.Type != pinsede.Telefonico {
		t.Errorf("newest first: %+v", c)
	}

	st, b = get("codice_fiscale=" + string(storetest.CF(2)))
	if st != 200 || strings.TrimSpace(string(b)) != `{"credentials":[]}` {
		t.Errorf("no credential: %d %s", st, b)
	}

	for _, q := range []string{"", "codice_fiscale=", "codice_fiscale=RSSMRA80A01H501", "codice_fiscale=RSS+MRA80A01H501U",
		"codice_fiscale=" + string(storetest.CF(1)) + "&codice_fiscale=" + string(storetest.CF(2)), "cf=" + string(storetest.CF(1))} {
		st, b := get(q)
		var p wire.Problem
		if err := json.Unmarshal(b, &p); st != 400 || err != nil || !strings.Contains(p.Detail, "codice_fiscale") && !strings.Contains(p.Detail, "parameter") ||
			strings.Contains(p.Detail, "err.") {
			t.Errorf("%q: %d %s, want 400 that says why, in words", q, st, b)
		}
	}

	for _, c := range []struct {
		role pki.Role
		code string
	}{{pki.RolePortal, "PORTALE"}, {pki.RoleKiosk, "ROMA01"}} {
		st, b := do(t, env.Client(t, c.role, c.code), "GET", env.URL+"/v1/credentials?codice_fiscale="+string(storetest.CF(1)), "", nil)
		if st != 403 || !strings.Contains(string(b), "wrong-role") {
			t.Errorf("%s: %d %s, want 403", c.role, st, b)
		}
	}
	if st, _ := do(t, roma, "POST", env.URL+"/v1/credentials", wire.ContentJSON, []byte(`{}`)); st != 405 {
		t.Errorf("POST: %d, want 405", st)
	}
}

// Ensure that a sede's push converts a PIN ordinario of the online channel
// (not refused as another sede's records), and that the lookup then tells
// it dispositivo, converted, still of its issuing channel.
func TestConvertOtherSede(t *testing.T) {
	env := newEnv(t)
	web := storetest.Ordinario("WEB", storetest.CF(1), "w1", "cw", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	if _, err := env.Store.Apply(t.Context(), "WEB", []pinsede.Event{web}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	ev := storetest.ConvertedAt(web, "ROMA01", "r1")
	st, b := do(t, roma, "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, wire.PushRequest{Sede: "ROMA01", Events: []pinsede.Event{ev}, AuditHead: &wire.AuditHead{}}))
	var pr wire.PushResponse
	if err := json.Unmarshal(b, &pr); st != 200 || err != nil || len(pr.Results) != 1 || pr.Results[0].Verdict != wire.Accepted {
		t.Fatalf("conversion: %d %s", st, b)
	}
	st, b = do(t, roma, "GET", env.URL+"/v1/credentials?codice_fiscale="+string(storetest.CF(1)), "", nil)
	var resp wire.CredentialsResponse
	if err := json.Unmarshal(b, &resp); st != 200 || err != nil || len(resp.Credentials) != 1 {
		t.Fatalf("lookup: %d %s", st, b)
	}
	if c := resp.Credentials[0]; c.Type != pinsede.Dispositivo || c.Sede != "WEB" || c.ConvertedBy != "op" || c.ConvertedAt.IsZero() {
		t.Errorf("after the conversion: %+v", c)
	}
}

// Ensure that one certificate's lookups are rate-limited: at the default
// limits, after server.DefaultLookupBurst lookups in a row the next is a
// 429 rate-limited with Retry-After and a detail that says why, another
// certificate still looks up, and the first looks up again once its
// Retry-After has passed on centrale's clock. Before, one desk
// certificate looked up about 1,700 codici fiscali a second (16 at once,
// in-process), telling of each whether it held a PIN, of which type and
// from which sede.
func TestLookupRate(t *testing.T) {
	env := newEnv(t)
	now := storetest.T0
	env.Server.Now = func() time.Time { return now }
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	lookup := func(c *http.Client, i int) *http.Response {
		t.Helper()
		req, err := http.NewRequest("GET", env.URL+"/v1/credentials?codice_fiscale="+string(storetest.CF(i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := doResponse(t, c, req)
		return resp
	}
	for i := range server.DefaultLookupBurst {
		if resp := lookup(roma, i); resp.StatusCode != 200 {
			t.Fatalf("lookup %d of the burst: %d", i+1, resp.StatusCode)
		}
	}
	req, err := http.NewRequest("GET", env.URL+"/v1/credentials?codice_fiscale="+string(storetest.CF(1000)), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, b := doResponse(t, roma, req)
	var p wire.Problem
	if err := json.Unmarshal(b, &p); err != nil || resp.StatusCode != 429 || p.Type != wire.ProblemRateLimited ||
		!strings.Contains(p.Detail, "this certificate (sede ROMA01)") || !strings.Contains(p.Detail, "try again in 2 s") {
		t.Fatalf("a lookup past the burst: %d %s, want 429 rate-limited saying why and when", resp.StatusCode, b)
	}
	if got := resp.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (a lookup every 2 s)", got)
	}
	if resp := lookup(env.Client(t, pki.RoleSede, "MILA01"), 1); resp.StatusCode != 200 {
		t.Errorf("another certificate's lookup: %d", resp.StatusCode)
	}
	now = now.Add(2 * time.Second)
	if resp := lookup(roma, 1001); resp.StatusCode != 200 {
		t.Errorf("a lookup after Retry-After: %d", resp.StatusCode)
	}
}
