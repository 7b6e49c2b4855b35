package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a desk that does not trust the certificate centrale shows
// (expired, signed by another CA, made for another host name) is told
// apart from centrale refusing the desk's own: the sync's fault and the
// lookup's message name centrale's certificate, with the events kept in
// the outbox; while centrale refusing the desk's revoked certificate at
// the handshake stays the desk's certificate fault. Before, all four
// were FaultCertificate: every desk told the clerk that centrale refused
// the desk's certificate when centrale's own had expired.
func TestCentraleCertificateFault(t *testing.T) {
	real := time.Now() // crypto/tls checks the certificates on the real clock
	caDir := filepath.Join(t.TempDir(), "ca")
	ca, err := pki.Init(caDir, "pinsede test CA", real.AddDate(-3, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.Init(filepath.Join(t.TempDir(), "other"), "another CA", real, nil)
	if err != nil {
		t.Fatal(err)
	}
	deskPEM, deskKey, err := ca.IssueDesk("ROMA01", "03", real)
	if err != nil {
		t.Fatal(err)
	}
	deskCert, err := pki.ParseCert(deskPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		issuer *pki.CA
		hosts  []string
		at     time.Time
		revoke bool
		want   client.Fault
		key    string
	}{
		{"centrale's certificate expired", ca, []string{"127.0.0.1"}, real.AddDate(-3, 0, 0), false, client.FaultCentraleCertificate, client.KeyLookupCentraleCertificate},
		{"centrale's certificate of another CA", other, []string{"127.0.0.1"}, real, false, client.FaultCentraleCertificate, client.KeyLookupCentraleCertificate},
		{"centrale's certificate for another host", ca, []string{"centrale.example"}, real, false, client.FaultCentraleCertificate, client.KeyLookupCentraleCertificate},
		{"the desk's certificate revoked", ca, []string{"127.0.0.1"}, real, true, client.FaultCertificate, client.KeyLookupCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := serveCentrale(t, ca, caDir, tc.issuer, tc.hosts, tc.at)
			if tc.revoke {
				if err := ca.Revoke(pki.Serial(deskCert), "PC rubato", real); err != nil {
					t.Fatal(err)
				}
			}
			tlsCfg, err := pki.ClientTLS(ca.CertPEM(), deskPEM, deskKey)
			if err != nil {
				t.Fatal(err)
			}
			ls, _, _ := newLocal(t)
			defer ls.Close()
			enqueue(t, ls, "ROMA01", 0, 1)
			c := client.New(client.Config{URL: url, HTTP: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}},
				Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now, NotBefore: deskCert.NotBefore})
			if err := c.Sync(context.Background()); err == nil {
				t.Fatal("sync succeeded")
			}
			if s := c.State(); s.Fault != tc.want || s.Status != client.Offline || s.Pending != 1 {
				t.Errorf("state: fault %q, status %s, %d pending (%s); want %q, offline, the event kept", s.Fault, s.Status, s.Pending, s.LastError, tc.want)
			}
			_, err = c.Credentials(context.Background(), storetest.CF(1))
			if p := new(pinsede.Problem); !errors.As(err, &p) || p.Key != tc.key {
				t.Errorf("lookup: %v, want the problem %s", err, tc.key)
			}
		})
	}
}

// serveCentrale starts centrale, which trusts the client certificates of
// ca and checks its revocation list (in caDir), with a server certificate
// issuer made at for hosts, and returns its URL.
func serveCentrale(t *testing.T, ca *pki.CA, caDir string, issuer *pki.CA, hosts []string, at time.Time) string {
	t.Helper()
	certPEM, keyPEM, err := issuer.IssueServer(hosts, at)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ServerTLS(ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(filepath.Join(caDir, pki.CRLFile), caCert, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	store := stores[0].open(t)
	srv := server.New(store, central.NewVerifier(store, 3, testclock.Now), crl, nil, testclock.Now)
	cfg.VerifyConnection = srv.VerifyConnection // as cmd/centrale: a revoked certificate refused at the handshake
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := server.NewListener(inner, server.ListenerConfig{Name: "api", Limits: server.DefaultConnLimits(server.DescriptorLimit()), TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, TLS: cfg, Config: &http.Server{Handler: srv.Handler()}}
	hs.Start()
	t.Cleanup(hs.Close)
	return "https://" + ln.Addr().String()
}
