package server_test

import (
	"bytes"
	"crypto/x509"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that centrale's log says, ahead of the day and on it, what the
// status page shows of the certificates and the revocation list while
// centrale runs: a warning with the command that renews each once it
// comes within the page's margin (7 days for the list, 30 for a
// certificate), an error once the server certificate has expired, a line
// once a renewed one is in force, each once however often the timer
// looks.
func TestExpiryWatch(t *testing.T) {
	start := testclock.Now()
	now := start
	clock := func() time.Time { return now }
	dir := t.TempDir()
	ca, err := pki.Init(dir, "test CA", start, nil)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(filepath.Join(dir, pki.CRLFile), caCert, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	cert := &x509.Certificate{NotAfter: start.Add(70 * day)}
	caNow := caCert
	var logs bytes.Buffer
	w := &server.ExpiryWatch{Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: clock,
		Cert: func() *x509.Certificate { return cert }, CA: func() *x509.Certificate { return caNow }, CRL: crl}
	// step moves the clock to at and checks the lines logged: each want
	// is one line, with every text it lists.
	step := func(when string, at time.Time, want ...[]string) {
		t.Helper()
		now = at
		logs.Reset()
		w.Check()
		w.Check() // the timer again: nothing more
		got := strings.Split(strings.TrimSpace(logs.String()), "\n")
		if logs.Len() == 0 {
			got = nil
		}
		if len(got) != len(want) {
			t.Fatalf("%s: logged %d lines, want %d:\n%s", when, len(got), len(want), logs.String())
		}
		for i, texts := range want {
			for _, w := range texts {
				if !strings.Contains(got[i], w) {
					t.Errorf("%s: line %q lacks %q", when, got[i], w)
				}
			}
		}
	}
	step("at start", start)
	step("the list's last week", start.Add(24*day), []string{`level=WARN msg="revocation list expires soon"`, "pinctl ca crl"})
	if err := ca.RenewCRL(now); err != nil {
		t.Fatal(err)
	}
	step("the list renewed", now, []string{`level=INFO msg="revocation list renewed"`})
	step("the certificate's last month (the list past its update, pki.CRL's to log)", start.Add(60*day),
		[]string{`level=WARN msg="server certificate expires soon"`, "left=240h0m0s", "pinctl ca server"})
	step("the certificate ended", cert.NotAfter, []string{`level=ERROR msg="server certificate has expired: desks and kiosks cannot connect"`})
	cert = &x509.Certificate{NotAfter: now.Add(pki.ClientValidity)}
	caNow = &x509.Certificate{NotAfter: now.Add(20 * day)}
	step("the certificate renewed, the CA's last month", now, []string{`level=INFO msg="server certificate renewed"`},
		[]string{`level=WARN msg="CA certificate expires soon"`, "pinctl ca renew-ca"})
}
