// Package testenv builds what the sync tests share: a CA in a temporary
// folder, certificates for sedi and the portal, and centrale serving a
// store over mutual TLS on loopback.
package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Env is a running centrale with its CA.
type Env struct {
	CA     *pki.CA
	CADir  string
	Store  central.Store
	Server *server.Server
	// Cert is centrale's server certificate.
	Cert *x509.Certificate
	HTTP *httptest.Server
	// URL is centrale's base URL, https://127.0.0.1:PORT.
	URL string
	// Conns are the bounds of centrale's listener: centrale's defaults
	// for the test process's descriptor limit.
	Conns server.ConnLimits
}

// New starts centrale on store, with a fresh CA, and stops it when the test
// ends. The verifier locks after 3 wrong PINs and hashes cheaply; the store
// accepts the cheap hashes of the tests besides the desks' (Limits); the
// PIN checks are rate-limited by nothing (VerifyLimits). The
// records' clock is the suite's (testclock.Now), and the revocation list's;
// certificates are issued at the real time, the clock crypto/tls checks
// them against.
func New(t testing.TB, store central.Store) *Env { return NewAt(t, store, testclock.Now) }

// NewAt is New with the records' clock now: the clock of the desks and
// clients of the test, so that the whole test runs on one clock.
func NewAt(t testing.TB, store central.Store, now func() time.Time) *Env {
	t.Helper()
	return NewServing(t, store, now, nil)
}

// NewServing is NewAt with centrale's server certificate and key made by
// serverCert from the CA (nil: the CA's, for 127.0.0.1 and localhost,
// made now): one that clients do not trust, expired, of another CA, for
// another host.
func NewServing(t testing.TB, store central.Store, now func() time.Time, serverCert func(*pki.CA) (certPEM, keyPEM []byte, err error)) *Env {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ca")
	ca, err := pki.Init(dir, "pinsede test CA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if serverCert == nil {
		serverCert = func(ca *pki.CA) ([]byte, []byte, error) {
			return ca.IssueServer([]string{"127.0.0.1", "localhost"}, time.Now())
		}
	}
	certPEM, keyPEM, err := serverCert(ca)
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
	// The list is signed again, and its next update checked, on
	// centrale's clock, as cmd/centrale checks it: the records' clock.
	if err := ca.RenewCRL(now()); err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(filepath.Join(dir, pki.CRLFile), caCert, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := central.NewVerifier(store, 3, now)
	v.Params, v.ChosenParams = CheapArgon2, CheapArgon2
	srv := server.New(store, v, crl, nil, now)
	srv.SetLimits(Limits)
	srv.SetVerifyLimits(VerifyLimits)
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	// Served as cmd/centrale serves it: through server.Listener, which
	// makes the handshakes within their bounds and refuses a client
	// with no certificate so that it reads why.
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The bounds centrale takes from its descriptor limit, from the
	// test process's: a fixed limit above the process's would let the
	// load benchmarks run the process out of descriptors, where accept
	// fails for every client instead of the bound refusing the last.
	conns := server.DefaultConnLimits(server.DescriptorLimit())
	ln, err := server.NewListener(inner, server.ListenerConfig{Name: "api", Limits: conns, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, TLS: cfg, Config: &http.Server{Handler: srv.Handler(),
		HTTP2:    &http.HTTP2Config{MaxConcurrentStreams: server.StreamsPerConn, WriteByteTimeout: server.DefaultWriteStall},
		ErrorLog: log.New(io.Discard, "", 0)}} // the fault tests cut connections on purpose
	hs.Start()
	hs.URL = "https://" + ln.Addr().String()
	t.Cleanup(hs.Close)
	return &Env{CA: ca, CADir: dir, Store: store, Server: srv, Cert: cert, HTTP: hs, URL: hs.URL, Conns: conns}
}

// CheapArgon2 are the cheap hash costs of tests.
var CheapArgon2 = pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// VerifyLimits are the limits of /v1/pin/verify New sets: the default
// slots and queue, and buckets that never run dry: the suites' clocks
// stand still, so a bucket would never refill, and a benchmark's portal
// would be refused after its burst. The tests of the limits set their own.
var VerifyLimits = server.VerifyLimits{CertRate: 1e9, CertBurst: 1 << 30, CFRate: 1e9, CFBurst: 1 << 30}

// Limits are the bounds New sets on the store: the defaults, with the
// cheap hashes of the tests accepted besides the desks'.
var Limits = central.Limits{PINParams: []pinsede.Argon2Params{pinsede.DefaultPINParams, CheapArgon2}}

// TLS returns a client TLS configuration for role and code; with role ""
// it has no client certificate.
func (e *Env) TLS(t testing.TB, role pki.Role, code string) *tls.Config {
	t.Helper()
	var certPEM, keyPEM []byte
	if role != "" {
		var err error
		if certPEM, keyPEM, err = e.CA.Issue(role, code, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := pki.ClientTLS(e.CA.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// DeskTLS returns a client TLS configuration with the certificate of
// desk of the sede code (pki.CA.IssueDesk), and the certificate's serial,
// to revoke it.
func (e *Env) DeskTLS(t testing.TB, code, desk string) (*tls.Config, string) {
	t.Helper()
	certPEM, keyPEM, err := e.CA.IssueDesk(code, desk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ClientTLS(e.CA.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, pki.Serial(cert)
}

// Client returns an HTTP client with a certificate for role and code.
func (e *Env) Client(t testing.TB, role pki.Role, code string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: e.TLS(t, role, code),
		DialContext:     (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
}
