package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/certtest"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a server certificate copied to centrale that the desks
// would refuse (here an expired pair put back from a backup) does not
// serve: the desks' handshakes still get the pair in force, and
// /v1/health (degraded, "new pair refused"), /readyz (a warning, still
// ready), the status page and the log (an error with what to run) say
// it. Before, centrale served the expired pair at the next handshake and
// every desk was cut off.
func TestServerCertRefusedReported(t *testing.T) {
	dir, ca := serverPKI(t) // observe_test.go
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, logs, stop := start(t, c) // observe_test.go
	defer stop()
	health := deskHealth(t, ca, l.api)
	if h := health(); h.Status != "ok" || h.ServerCert != "ok" {
		t.Fatalf("health at start: %+v, want ok", h)
	}
	old, oldKey, err := ca.IssueServer([]string{"127.0.0.1"}, c.now().AddDate(-3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	certtest.PairWriter(t, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"), c.now())(old, oldKey)
	if h := health(); h.Status != "degraded" || h.ServerCert != "new pair refused" {
		t.Errorf("health with the expired pair copied: %+v, want degraded, server_cert new pair refused", h)
	}
	if st, body := get(t, "http://"+l.manage+"/readyz"); st != 200 || !strings.Contains(body, "certificate files: warning: server certificate refused:") ||
		!strings.Contains(body, "expired at") {
		t.Errorf("/readyz: %d %q, want ready with a warning of the files refused", st, body)
	}
	if st, body := get(t, "http://"+l.manage+"/status"); st != 200 || !strings.Contains(body, "file nuovi rifiutati") || !strings.Contains(body, "expired at") {
		t.Errorf("status page: %d, want the files refused and why:\n%s", st, body)
	}
	if n := strings.Count(logs.String(), "level=ERROR msg=\"server certificate not loaded again"); n != 1 || !strings.Contains(logs.String(), "pinctl ca server") {
		t.Errorf("log: %d errors for the refused pair, want 1 saying what to run:\n%s", n, logs.String())
	}
}

// Ensure that /v1/health warns, degraded, when the server certificate in
// force ends within 30 days (here with the CA that signed it, 20 days
// on), as the log does (server.ExpiryWatch, TestExpiryWatch).
func TestServerCertExpiringReported(t *testing.T) {
	dir := t.TempDir()
	now := time.Now() // centrale's clock, and crypto/tls's
	ca, err := pki.Init(dir, "test CA", now.Add(-pki.CAValidity+20*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer([]string{"127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "server.crt"), certPEM, 0o644)
	os.WriteFile(filepath.Join(dir, "server.key"), keyPEM, 0o600)
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, _, stop := start(t, c)
	defer stop()
	if h := deskHealth(t, ca, l.api)(); h.Status != "degraded" || h.ServerCert != "expires soon" {
		t.Errorf("health 20 days before the certificate's end: %+v, want degraded, server_cert expires soon", h)
	}
}

// deskHealth returns a function that asks centrale at api its /v1/health
// with a desk's certificate of ca, each time over a new connection (a
// new handshake), and returns the answer.
func deskHealth(t *testing.T, ca *pki.CA, api string) func() wire.Health {
	t.Helper()
	cfg := certtest.DeskTLS(t, ca, "03", time.Now())
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
	return func() wire.Health {
		t.Helper()
		resp, err := hc.Get("https://" + api + "/v1/health")
		if err != nil {
			t.Fatalf("the desk's request: %v", err)
		}
		defer resp.Body.Close()
		var h wire.Health
		if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != 200 {
			t.Fatalf("health: %s, %v", resp.Status, err)
		}
		return h
	}
}

// Ensure that centrale's expiry check, every ExpiryCheck, takes a renewal
// refused as not yet valid (issued on a PC 2 h ahead) once it is valid,
// though no desk connected meanwhile: it logs the renewal, not the pair
// it replaces as expired. Before, it judged the pair of the last
// handshake and said the server certificate had expired, desks cut off.
func TestExpiryWatchTakesRenewalOnceValid(t *testing.T) {
	start := testclock.Now()
	clock := start
	c := config{now: func() time.Time { return clock }}
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "test CA", start.Add(-700*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	write := certtest.PairWriter(t, certPath, keyPath, start)
	old, oldKey, err := ca.IssueServer([]string{"127.0.0.1"}, start.Add(-2*365*24*time.Hour+72*time.Hour)) // ends within days
	if err != nil {
		t.Fatal(err)
	}
	write(old, oldKey)
	logs := &testlog.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	cert, err := pki.NewServerCert(certPath, keyPath, ca.CertPEM(), c.now, log)
	if err != nil {
		t.Fatal(err)
	}
	w := newExpiryWatch(c, log, cert, ca.CertPEM(), nil)
	w.Check()
	if !strings.Contains(logs.String(), "server certificate expires soon") {
		t.Fatalf("log at start, want the pair in force ending soon:\n%s", logs.String())
	}
	renewed, renewedKey, err := ca.IssueServer([]string{"127.0.0.1"}, start.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	write(renewed, renewedKey)
	clock = start.Add(5 * 24 * time.Hour) // the renewal valid, the old pair expired
	w.Check()
	if strings.Contains(logs.String(), "server certificate has expired") || !strings.Contains(logs.String(), "server certificate renewed") {
		t.Errorf("log 5 days on, want the renewal taken, not the old pair expired:\n%s", logs.String())
	}
	if got, want := pki.Serial(cert.Leaf()), certtest.Serial(t, renewed); got != want {
		t.Errorf("pair in force %s, want the renewal %s", got, want)
	}
}
