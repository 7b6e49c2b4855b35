package server_test

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// exchange is one request and its answer, kept to check against the
// OpenAPI description.
type exchange struct {
	method, path string
	status       int
	contentType  string
	body         []byte
}

var (
	seenMu sync.Mutex
	seen   []exchange
)

// newEnv starts centrale on a fresh bbolt store.
func newEnv(t *testing.T) *testenv.Env {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return testenv.New(t, s)
}

// do sends a request and returns the status and body; it records the
// exchange for TestOpenAPI.
func do(t *testing.T, c *http.Client, method, url, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return doRequest(t, c, req)
}

// doRequest sends req and returns the status and body; it records the
// exchange for TestOpenAPI.
func doRequest(t *testing.T, c *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	resp, b := doResponse(t, c, req)
	return resp.StatusCode, b
}

// doResponse sends req and returns the answer, its body read and closed;
// it records the exchange for TestOpenAPI.
func doResponse(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	seenMu.Lock()
	seen = append(seen, exchange{req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), b})
	seenMu.Unlock()
	return resp, b
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// batch returns a push of n issue events of sede.
func batch(t *testing.T, sede string, n int) wire.PushRequest {
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	req := wire.PushRequest{Sede: sede, AuditHead: &wire.AuditHead{}}
	for i := range n {
		req.Events = append(req.Events, storetest.Issued(sede, storetest.CF(i), fmt.Sprintf("%s-e%d", sede, i), fmt.Sprintf("%s-c%d", sede, i), h))
	}
	return req
}

// Ensure that a push is answered event by event, and that a replayed batch
// changes nothing.
func TestPush(t *testing.T) {
	env := newEnv(t)
	c := env.Client(t, pki.RoleSede, "ROMA01")
	body := mustJSON(t, batch(t, "ROMA01", 3))
	for i, want := range []wire.Verdict{wire.Accepted, wire.Duplicate} {
		st, b := do(t, c, "POST", env.URL+"/v1/events", wire.ContentJSON, body)
		if st != 200 {
			t.Fatalf("push %d: %d %s", i, st, b)
		}
		var resp wire.PushResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.Results {
			if r.Verdict != want {
				t.Errorf("push %d: %+v, want %s", i, r, want)
			}
		}
	}
	if n, _ := env.Store.Events(t.Context()); n != 3 {
		t.Errorf("%d events stored, want 3", n)
	}
}

// Ensure that bad requests get a clear 4xx problem and store nothing.
func TestBadInput(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	good := batch(t, "ROMA01", 2)
	other := batch(t, "MILA01", 1)
	mixed := good
	mixed.Events = append(append([]pinsede.Event{}, good.Events...), other.Events...)
	rev := env.TLS(t, pki.RoleSede, "ROMA02")
	revCert, err := x509.ParseCertificate(rev.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := env.CA.Revoke(pki.Serial(revCert), "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	revoked := &http.Client{Transport: &http.Transport{TLSClientConfig: rev}}
	big := bytes.Repeat([]byte(" "), wire.MaxPushBytes+1)
	long := batch(t, "ROMA01", 1)
	for len(long.Events) <= wire.MaxBatch {
		long.Events = append(long.Events, long.Events[0])
	}
	for _, tc := range []struct {
		name    string
		client  *http.Client
		method  string
		path    string
		ctype   string
		body    []byte
		status  int
		problem string
	}{
		{"malformed JSON", roma, "POST", "/v1/events", wire.ContentJSON, []byte(`{"sede": "ROMA01", "events": [`), 400, "malformed"},
		{"trailing data", roma, "POST", "/v1/events", wire.ContentJSON, append(mustJSON(t, good), []byte(` {}`)...), 400, "malformed"},
		{"empty body", roma, "POST", "/v1/events", wire.ContentJSON, nil, 400, "malformed"},
		{"wrong type", roma, "POST", "/v1/events", wire.ContentJSON, []byte(`{"sede": 1, "events": []}`), 400, "malformed"},
		{"wrong type in event", roma, "POST", "/v1/events", wire.ContentJSON, []byte(`{"sede": "ROMA01", "events": [{"id": 7}]}`), 400, "malformed"},
		{"unknown field", roma, "POST", "/v1/events", wire.ContentJSON, []byte(`{"sede": "ROMA01", "events": [], "pin": "x"}`), 400, "malformed"},
		{"oversized", roma, "POST", "/v1/events", wire.ContentJSON, big, 413, "too-large"},
		{"not JSON", roma, "POST", "/v1/events", "text/plain", mustJSON(t, good), 415, "unsupported-media-type"},
		{"empty batch", roma, "POST", "/v1/events", wire.ContentJSON, []byte(`{"sede": "ROMA01", "events": []}`), 422, "empty-batch"},
		{"batch too long", roma, "POST", "/v1/events", wire.ContentJSON, mustJSON(t, long), 422, "batch-too-long"},
		{"revoked certificate", revoked, "POST", "/v1/events", wire.ContentJSON, mustJSON(t, batch(t, "ROMA02", 1)), 403, "certificate-revoked"},
		{"another sede's batch", roma, "POST", "/v1/events", wire.ContentJSON, mustJSON(t, other), 403, "other-sede"},
		{"another sede's event in the batch", roma, "POST", "/v1/events", wire.ContentJSON, mustJSON(t, mixed), 403, "other-sede"},
		{"portal pushing", env.Client(t, pki.RolePortal, "PORTALE"), "POST", "/v1/events", wire.ContentJSON, mustJSON(t, good), 403, "wrong-role"},
		{"kiosk pushing", env.Client(t, pki.RoleKiosk, "ROMA01-K1"), "POST", "/v1/events", wire.ContentJSON, mustJSON(t, good), 403, "wrong-role"},
		{"wrong method", roma, "GET", "/v1/events", "", nil, 405, "method-not-allowed"},
		{"unknown path", roma, "GET", "/v1/nothing", "", nil, 404, "not-found"},
		{"bad cursor", roma, "GET", "/v1/changes?after=-1", "", nil, 400, "malformed"},
		{"bad limit", roma, "GET", "/v1/changes?limit=100000", "", nil, 400, "malformed"},
		{"sede verifying", roma, "POST", "/v1/pin/verify", wire.ContentJSON, []byte(`{"codice_fiscale": "x", "pin": "y"}`), 403, "wrong-role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := do(t, tc.client, tc.method, env.URL+tc.path, tc.ctype, tc.body)
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
			if n, _ := env.Store.Events(t.Context()); n != 0 {
				t.Errorf("%d events stored", n)
			}
		})
	}
}

// Ensure that the portal's check answers through HTTP, and that a bad
// login request is a 422 problem.
func TestVerify(t *testing.T) {
	env := newEnv(t)
	const pin = "ACEFHJKMNPRTUVWX"
	const tel = "YXWVUTRPNMKJHFEC" // a PIN telefonico beside the PIN dispositivo
	push := wire.PushRequest{Sede: "ROMA01", Events: []pinsede.Event{
		storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, pin)),
		storetest.Telephone("ROMA01", storetest.CF(1), "e2", "c2", storetest.Hash(t, tel)),
	}, AuditHead: &wire.AuditHead{}}
	if st, b := do(t, env.Client(t, pki.RoleSede, "ROMA01"), "POST", env.URL+"/v1/events", wire.ContentJSON, mustJSON(t, push)); st != 200 {
		t.Fatalf("push: %d %s", st, b)
	}
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	for _, tc := range []struct {
		req    wire.VerifyRequest
		status int
		want   wire.Outcome
	}{
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: pin}, 200, wire.ChangeRequired},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: pin, NewPIN: "Roma2026"}, 200, wire.Valid},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: "Roma2026"}, 200, wire.Valid},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: "Roma2027"}, 200, wire.Wrong},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: tel, Type: pinsede.Telefonico}, 200, wire.Valid},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: tel, Type: "spid"}, 422, ""},
		{wire.VerifyRequest{CodiceFiscale: "RSSMRA", PIN: pin}, 422, ""},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: "x"}, 422, ""},
		{wire.VerifyRequest{CodiceFiscale: string(storetest.CF(1)), PIN: pin, NewPIN: "short"}, 422, ""},
	} {
		st, b := do(t, portal, "POST", env.URL+"/v1/pin/verify", wire.ContentJSON, mustJSON(t, tc.req))
		if st != tc.status {
			t.Fatalf("%+v: status %d, want %d: %s", tc.req.NewPIN, st, tc.status, b)
		}
		if st != 200 {
			if bytes.Contains(b, []byte("err.")) {
				t.Errorf("%q: %s, want a detail in words, not a message key", tc.req.CodiceFiscale, b)
			}
			continue
		}
		var resp wire.VerifyResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Outcome != tc.want {
			t.Errorf("outcome %s, want %s", resp.Outcome, tc.want)
		}
		wantType := pinsede.Dispositivo
		if tc.req.Type == pinsede.Telefonico {
			wantType = pinsede.Telefonico
		}
		if tc.want == wire.Valid && resp.Type != wantType {
			t.Errorf("type %q, want %q", resp.Type, wantType)
		}
	}
	// Health and the description need a certificate of the CA, of any role.
	st, b := do(t, env.Client(t, pki.RoleKiosk, "ROMA01"), "GET", env.URL+"/v1/health", "", nil)
	var h wire.Health
	if err := json.Unmarshal(b, &h); st != 200 || err != nil || h != (wire.Health{Status: "ok", Store: "bolt", CRL: "ok", CRLNumber: env.Server.CRL.Number()}) || h.CRLNumber == "" {
		t.Errorf("health: %d %s", st, b)
	}
	do(t, env.Client(t, pki.RolePortal, "PORTALE"), "GET", env.URL+"/v1/openapi.json", "", nil)
	do(t, env.Client(t, pki.RoleSede, "ROMA01"), "GET", env.URL+"/v1/changes?after=0&limit=10", "", nil)
}

// spec is the part of an OpenAPI document the test reads.
type spec struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Responses map[string]response       `json:"responses"`
		Schemas   map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Responses map[string]response `json:"responses"`
}

type response struct {
	Ref     string `json:"$ref"`
	Content map[string]struct {
		Schema map[string]any `json:"schema"`
	} `json:"content"`
}

// Ensure that the OpenAPI description matches the server: the same paths
// and methods, and every answer the other tests got documented, with the
// documented content type and required fields. It runs last (Go runs tests
// in source order).
func TestOpenAPI(t *testing.T) {
	var sp spec
	if err := json.Unmarshal(server.OpenAPI, &sp); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for path, methods := range server.Routes {
		ops, ok := sp.Paths[path]
		if !ok {
			t.Errorf("route %s not described", path)
			continue
		}
		for _, m := range methods {
			if _, ok := ops[strings.ToLower(m)]; !ok {
				t.Errorf("%s %s not described", m, path)
			}
		}
		if len(ops) != len(methods) {
			t.Errorf("%s: described %d methods, served %d", path, len(ops), len(methods))
		}
	}
	for path := range sp.Paths {
		if _, ok := server.Routes[path]; !ok {
			t.Errorf("described path %s not served", path)
		}
	}
	seenMu.Lock()
	defer seenMu.Unlock()
	if len(seen) < 20 {
		t.Fatalf("only %d exchanges recorded: run the whole package", len(seen))
	}
	for _, ex := range seen {
		op, ok := sp.Paths[ex.path][strings.ToLower(ex.method)]
		if !ok {
			continue // 404 and 405 on paths the API does not have
		}
		resp, ok := op.Responses[fmt.Sprint(ex.status)]
		if !ok {
			t.Errorf("%s %s answered %d, not described", ex.method, ex.path, ex.status)
			continue
		}
		if resp.Ref != "" {
			resp = sp.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
		}
		ct := strings.SplitN(ex.contentType, ";", 2)[0]
		media, ok := resp.Content[ct]
		if !ok {
			t.Errorf("%s %s %d: content type %q not described", ex.method, ex.path, ex.status, ct)
			continue
		}
		schema := media.Schema
		if ref, ok := schema["$ref"].(string); ok {
			schema = sp.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		}
		var body map[string]any
		if err := json.Unmarshal(ex.body, &body); err != nil {
			t.Errorf("%s %s %d: body not a JSON object: %v", ex.method, ex.path, ex.status, err)
			continue
		}
		req, _ := schema["required"].([]any)
		for _, f := range req {
			if _, ok := body[f.(string)]; !ok {
				t.Errorf("%s %s %d: required field %q missing in %s", ex.method, ex.path, ex.status, f, ex.body)
			}
		}
	}
}

// Ensure that a client without a certificate is refused at the handshake,
// whatever it asks, and nothing is stored; and that a request that reaches
// the handlers without one (behind a TLS-terminating proxy) is a 401
// problem that says so.
func TestNoCertificate(t *testing.T) {
	env := newEnv(t)
	body := mustJSON(t, batch(t, "ROMA01", 1))
	for _, path := range []string{"/v1/events", "/v1/health", "/v1/openapi.json", "/v1/pin/verify"} {
		resp, err := env.Client(t, "", "").Post(env.URL+path, wire.ContentJSON, bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s without a certificate: %s, want the handshake refused", path, resp.Status)
		}
	}
	if n, _ := env.Store.Events(t.Context()); n != 0 {
		t.Errorf("%d events stored", n)
	}
	rec := httptest.NewRecorder()
	env.Server.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/v1/events", bytes.NewReader(body)))
	var p wire.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != 401 || err != nil || p.Type != "urn:pinsede:problem:no-certificate" {
		t.Errorf("without TLS: %d %s, want 401 no-certificate", rec.Code, rec.Body)
	}
}
