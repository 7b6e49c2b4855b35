package server_test

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// observed starts a second centrale on env's store, CA, revocation list
// and verifier, logging JSON to logs, with its metrics on a registry of
// its own; it returns its URL, its server and its management handler.
func observed(t *testing.T, env *testenv.Env, logs io.Writer) (*httptest.Server, *server.Server, http.Handler) {
	t.Helper()
	srv := server.New(env.Store, env.Server.Verifier, env.Server.CRL, slog.New(slog.NewJSONHandler(logs, nil)), testclock.Now)
	srv.SetVerifyLimits(testenv.VerifyLimits)
	reg := prometheus.NewRegistry()
	caCert, err := pki.ParseCert(env.CA.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.NewMetrics(reg, srv, map[string]func() *x509.Certificate{"ca": func() *x509.Certificate { return caCert }}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.TLS = env.HTTP.TLS
	hs.StartTLS()
	t.Cleanup(hs.Close)
	return hs, srv, srv.ManageHandler(server.Manage{Gatherer: reg})
}

// scrape GETs path of the management handler h, and returns the status
// and the body.
func scrape(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// series reads Prometheus's text format: each series, as name{labels},
// and its value.
func series(t testing.TB, text string) map[string]float64 {
	t.Helper()
	m := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	return m
}

// Ensure that /metrics, scraped after real pushes, pulls and PIN checks,
// counts the requests by route and status, the verdicts, the outcomes,
// the locks, the last push and pull of the sede, the events' lag, the
// hash queue and the expiries, and names no citizen.
func TestMetrics(t *testing.T) {
	env := newEnv(t)
	hs, _, manage := observed(t, env, io.Discard)
	url := hs.URL
	sede := env.Client(t, pki.RoleSede, "ROMA01")
	const pin = "ACEFHJKMNPRTUVWX"
	push := wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{}}
	for i := range 3 {
		ev := storetest.Issued("ROMA01", storetest.CF(i), "e"+strconv.Itoa(i), "c"+strconv.Itoa(i), storetest.Hash(t, pin))
		ev.Time = testclock.Now().Add(-time.Duration(i+1) * time.Hour) // pushed late, as by a desk offline
		push.Events = append(push.Events, ev)
	}
	body := mustJSON(t, push)
	for range 2 { // accepted, then duplicates
		if st, b := do(t, sede, "POST", url+"/v1/events", wire.ContentJSON, body); st != 200 {
			t.Fatalf("push: %d %s", st, b)
		}
	}
	if st, b := do(t, sede, "GET", url+"/v1/changes", "", nil); st != 200 {
		t.Fatalf("pull: %d %s", st, b)
	}
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	cf := string(storetest.CF(1))
	for _, p := range []string{pin, "WRONGWRONGWRONGW", "WRONGWRONGWRONGW", "WRONGWRONGWRONGW", pin} {
		// right (change required), three wrong (the third locks: the
		// verifier locks after 3), right but locked (held)
		if st, b := do(t, portal, "POST", url+"/v1/pin/verify", wire.ContentJSON, mustJSON(t, wire.VerifyRequest{CodiceFiscale: cf, PIN: p})); st != 200 {
			t.Fatalf("verify: %d %s", st, b)
		}
	}
	if st, _ := do(t, portal, "POST", url+"/v1/pin/verify", wire.ContentJSON, []byte(`{"codice_fiscale": "x"`)); st != 400 {
		t.Fatalf("malformed verify: %d", st)
	}
	if st, _ := do(t, sede, "GET", url+"/v1/openapi.json", "", nil); st != 200 {
		t.Fatalf("openapi: %d", st)
	}

	st, text := scrape(t, manage, "/metrics")
	if st != 200 {
		t.Fatalf("/metrics: %d %s", st, text)
	}
	got := series(t, text)
	now := float64(testclock.Now().Unix())
	for name, want := range map[string]float64{
		`pinsede_http_request_duration_seconds_count{code="200",route="POST /v1/events"}`:      2,
		`pinsede_http_request_duration_seconds_count{code="200",route="GET /v1/changes"}`:      1,
		`pinsede_http_request_duration_seconds_count{code="200",route="POST /v1/pin/verify"}`:  5,
		`pinsede_http_request_duration_seconds_count{code="400",route="POST /v1/pin/verify"}`:  1,
		`pinsede_http_request_duration_seconds_count{code="200",route="GET /v1/openapi.json"}`: 1,
		`pinsede_push_events_total{verdict="accepted"}`:                                        3,
		`pinsede_push_events_total{verdict="duplicate"}`:                                       3,
		`pinsede_push_events_total{verdict="rejected"}`:                                        0,
		`pinsede_verify_total{outcome="change_required"}`:                                      1,
		`pinsede_verify_total{outcome="wrong"}`:                                                4,
		`pinsede_verify_total{outcome="invalid"}`:                                              1,
		`pinsede_verify_locks_total{event="temporary"}`:                                        1,
		`pinsede_verify_locks_total{event="held"}`:                                             1,
		`pinsede_sede_last_push_timestamp_seconds{sede="ROMA01"}`:                              now,
		`pinsede_sede_last_pull_timestamp_seconds{sede="ROMA01"}`:                              now,
		`pinsede_push_event_lag_seconds_count`:                                                 3,
		`pinsede_push_event_lag_seconds_sum`:                                                   6 * 3600,
		`pinsede_push_event_lag_seconds_bucket{le="3600"}`:                                     1,
		`pinsede_verify_waiting`:                                                               0,
		`pinsede_verify_in_progress`:                                                           0,
		`pinsede_push_waiting`:                                                                 0,
		`pinsede_push_in_progress`:                                                             0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
	if got["pinsede_verify_slots"] < 1 {
		t.Errorf("pinsede_verify_slots = %v", got["pinsede_verify_slots"])
	}
	if got[`pinsede_crl_next_update_timestamp_seconds`] <= float64(time.Now().Unix()) ||
		got[`pinsede_certificate_expiry_timestamp_seconds{cert="ca"}`] <= float64(time.Now().Unix()) {
		t.Errorf("expiries: CRL %v, CA %v", got[`pinsede_crl_next_update_timestamp_seconds`], got[`pinsede_certificate_expiry_timestamp_seconds{cert="ca"}`])
	}
	for i := range 3 {
		if strings.Contains(text, string(storetest.CF(i))) || strings.Contains(text, "c"+strconv.Itoa(i)+`"`) {
			t.Errorf("the metrics name a citizen or a credential:\n%s", text)
		}
	}
}

// Ensure that each log line of a request carries its request id, the one
// its answer's X-Request-Id says, and that a body written without a
// status is logged as the 200 it is.
func TestRequestID(t *testing.T) {
	env := newEnv(t)
	var logs testlog.Buffer
	hs, _, _ := observed(t, env, &logs)
	url := hs.URL
	c := env.Client(t, pki.RoleSede, "ROMA01")
	resp, err := c.Get(url + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	openapiID := resp.Header.Get(server.RequestIDHeader)
	env.Store.Close() // the next push fails in the store: two lines, the error and the request
	req, _ := http.NewRequest("POST", url+"/v1/events", bytes.NewReader(mustJSON(t, batch(t, "ROMA01", 1))))
	req.Header.Set("Content-Type", wire.ContentJSON)
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	pushID := resp.Header.Get(server.RequestIDHeader)
	if resp.StatusCode != 500 || openapiID == "" || pushID == "" || openapiID == pushID {
		t.Fatalf("push: %s, ids %q %q", resp.Status, openapiID, pushID)
	}
	hs.Close() // waits for every request's handler, and so its log line
	lines := map[string][]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		id, _ := rec["request_id"].(string)
		lines[id] = append(lines[id], rec)
	}
	if got := lines[openapiID]; len(got) != 1 || got[0]["path"] != "/v1/openapi.json" || got[0]["status"] != 200.0 {
		t.Errorf("the lines of GET /v1/openapi.json: %v", got)
	}
	if got := lines[pushID]; len(got) != 2 || got[0]["msg"] != "request failed" || got[1]["msg"] != "request" || got[1]["status"] != 500.0 {
		t.Errorf("the lines of the failed push: %v", got)
	}
	if len(lines[""]) > 0 {
		t.Errorf("lines without a request id: %v", lines[""])
	}
}

// Ensure that /readyz is ready with the store up and the certificate in
// force, and warns, ready all the same, when the revocation list expires
// (and says it still once an older list is put back, refused beside)
// or the certificate comes within the margin of its expiry: every replica
// reads the same files, and a balancer taking them all out at once for a
// warning stopped a service that still worked (an operator's review). It
// is not ready, saying why, once the certificate or the CA's has expired
// (the CA was not checked: ready while no handshake could succeed); and
// that a bbolt store that fails (closed), one replica's own, leaves it
// not ready (it was ready, with a warning of a store that does not
// answer, shared by every replica: false of a bbolt file, whose requests
// were answered 500); /healthz stays ok. A store that does not answer is
// TestStoreRestartAnswered's.
func TestReadyz(t *testing.T) {
	dir := t.TempDir()
	ca, err := pki.Init(dir, "test CA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	crlPath := filepath.Join(dir, pki.CRLFile)
	older, err := os.ReadFile(crlPath) // list 1, put back once list 2 has expired
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.RenewCRL(now); err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(crlPath, caCert, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(dir, "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(store, central.NewVerifier(store, 3, clock), crl, nil, clock)
	cert := &x509.Certificate{NotAfter: now.Add(pki.CRLValidity + 48*time.Hour)}
	caNow := caCert
	h := srv.ManageHandler(server.Manage{Cert: func() *x509.Certificate { return cert },
		CA: func() *x509.Certificate { return caNow }})

	check := func(when string, status int, says string) {
		t.Helper()
		st, body := scrape(t, h, "/readyz")
		if st != status || !strings.Contains(body, says) {
			t.Errorf("%s: /readyz %d %q, want %d saying %q", when, st, body, status, says)
		}
		if st, body := scrape(t, h, "/healthz"); st != 200 || body != "ok\n" {
			t.Errorf("%s: /healthz %d %q", when, st, body)
		}
	}
	check("at start", 200, "ready\nstore: ok\ncrl: ok\ncertificate: ok\nca: ok\n")
	mu.Lock()
	now = now.Add(pki.CRLValidity + time.Hour)
	mu.Unlock()
	check("the list expired", 200, "ready\nstore: ok\ncrl: warning: expired")
	if err := os.WriteFile(crlPath, older, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(crlPath, now.Add(time.Minute), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	check("an older list put back, the list in force expired", 200, "ready\nstore: ok\ncrl: warning: expired; older list refused")
	if err := ca.RenewCRL(clock()); err != nil { // and then renewed, with a later next update
		t.Fatal(err)
	}
	check("the list renewed", 200, "crl: ok")
	mu.Lock()
	now = cert.NotAfter.Add(-server.DefaultCertMargin + time.Minute)
	mu.Unlock()
	check("the certificate about to expire", 200, "certificate: warning: the server certificate expires at")
	mu.Lock()
	now = cert.NotAfter
	mu.Unlock()
	check("the certificate expired", 503, "not ready\nstore: ok\ncrl: ok\ncertificate: the server certificate expired at")
	cert = &x509.Certificate{NotAfter: caCert.NotAfter.Add(pki.CRLValidity)} // renewed
	caNow = &x509.Certificate{NotAfter: now.Add(server.DefaultCertMargin - time.Minute)}
	check("the CA about to expire", 200, "ready\nstore: ok\ncrl: ok\ncertificate: ok\nca: warning: the CA's certificate expires at")
	mu.Lock()
	now = caNow.NotAfter
	mu.Unlock()
	check("the CA expired", 503, "not ready\nstore: ok\ncrl: ok\ncertificate: ok\nca: the CA's certificate expired at")
	caNow = caCert
	mu.Lock()
	now = time.Now()
	mu.Unlock()
	store.Close()
	check("the store closed", 503, "not ready\nstore: bolt store fails: ping central store")
}
