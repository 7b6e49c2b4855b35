package kiosk

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// Ensure that a kiosk that centrale refuses (its certificate revoked, a
// real centrale checking its CRL at the handshake), and then one that
// does not trust centrale's certificate (of another CA), with no spool
// folder, tells the sede's staff between citizens, each cause in its own
// words (centrale's certificate is the central service's to put right,
// the kiosk's settings are not to be touched), and the log once a
// change of cause: not at each request. The requests wait at the kiosk,
// and once centrale takes the kiosk again the minute's retry delivers
// them, the line goes and the log says so. Before, the staff saw nothing
// and the log was empty, the requests in memory until the day ended.
func TestCentraleCertificateRefusedTold(t *testing.T) {
	cs := refusingCentrales(t)
	client := cs.revoked
	h := newHarnessWith(t, func(c *Config) { c.Sink = CentraleSink{Client: client} })
	citizen := func() {
		t.Helper()
		h.startWizard("it")
		h.fill(rossi)
		h.confirm()
		if h.app.Screen() != "done" || !strings.Contains(h.texts(), tr("done.pending")) {
			t.Fatalf("screen %s, want the last screen saying the data waits in the kiosk:\n%s", h.app.Screen(), h.texts())
		}
		h.tapText(tr("nav.done"))
		h.app.CheckIdle()
	}
	told := func(when, staff, log string, logs, waiting int) {
		t.Helper()
		if h.app.Screen() != "languages" || staff != "" && !strings.Contains(h.texts(), staff) {
			t.Errorf("%s: screen %s, want the languages telling the staff %q:\n%s", when, h.app.Screen(), staff, h.texts())
		}
		for _, key := range []string{"staff.centrale.refused", "staff.centrale.untrusted"} {
			if l := tr(key); l != staff && strings.Contains(h.texts(), l) {
				t.Errorf("%s: the staff read %q", when, l)
			}
		}
		if len(h.logs) != logs || !strings.Contains(h.logs[logs-1], log) {
			t.Errorf("%s: the log %q, want %d lines, the last with %q", when, h.logs, logs, log)
		}
		if n := h.app.Waiting(); n != waiting {
			t.Errorf("%s: %d requests wait at the kiosk, want %d", when, n, waiting)
		}
	}

	citizen()
	refused := tr("staff.centrale.refused")
	if !strings.Contains(refused, "rifiuta il certificato del chiosco") {
		t.Errorf("the staff's line %q is not the Italian one", refused)
	}
	told("revoked", refused, "centrale refuses the kiosk's certificate", 1, 1)
	h.shot("01-languages-centrale-refused")
	citizen()
	told("revoked, another citizen", refused, "centrale refuses the kiosk's certificate", 1, 2)

	client.URL = cs.untrusting
	citizen()
	untrusted := tr("staff.centrale.untrusted")
	for _, says := range []string{"servizio centrale", "non del chiosco", "non toccate le impostazioni", "chiamate gli operatori"} {
		if !strings.Contains(untrusted, says) {
			t.Errorf("the staff's line %q does not say %q", untrusted, says)
		}
	}
	told("centrale's certificate of another CA", untrusted, "does not trust centrale's certificate", 2, 3)
	h.shot("01-languages-centrale-untrusted")

	*client = *kioskClient(t, cs.ca, cs.good, cs.real).client // a new certificate installed
	h.app.upkeep(h.now)                                       // the minute's retry
	<-h.app.chores.Idle()
	h.wait()
	h.app.CheckIdle()
	told("centrale taking the kiosk again", "", "delivered again", 3, 0)
}

// Ensure that a kiosk with a spool folder beside centrale (chiosco
// -centrale with -spool) tells the sede's staff, as one without, that
// centrale refuses its certificate, or that it does not trust
// centrale's, in words that say the requests reach the desks through the
// shared folder only, and the log once a change of cause; once centrale
// takes a request again, the line goes. Before, the spool folder took
// the requests and the staff read nothing: the kiosk's certificate was
// found out only when the folder was not there.
func TestCentraleCertificateRefusedToldWithSpool(t *testing.T) {
	cs := refusingCentrales(t)
	client := cs.revoked
	spool := SpoolSink{Dir: filepath.Join(t.TempDir(), "spool")}
	h := newHarnessWith(t, func(c *Config) { c.Sink = FallbackSink{First: CentraleSink{Client: client}, Then: spool} })
	spooled := 0
	citizen := func(toSpool bool) {
		t.Helper()
		h.startWizard("it")
		h.fill(rossi)
		h.confirm()
		if h.app.Screen() != "done" || strings.Contains(h.texts(), tr("done.pending")) {
			t.Fatalf("screen %s, want the last screen with the data delivered:\n%s", h.app.Screen(), h.texts())
		}
		h.tapText(tr("nav.done"))
		h.app.CheckIdle()
		if toSpool {
			spooled++
		}
		if files, _ := filepath.Glob(filepath.Join(spool.Dir, "*")); len(files) != spooled {
			t.Fatalf("%d files in the spool folder, want %d", len(files), spooled)
		}
	}
	keys := []string{"staff.centrale.refused", "staff.centrale.untrusted", "staff.centrale.refused.spool", "staff.centrale.untrusted.spool"}
	told := func(when, key, log string, logs int) {
		t.Helper()
		if h.app.Screen() != "languages" || key != "" && !strings.Contains(h.texts(), tr(key)) {
			t.Errorf("%s: screen %s, want the languages telling the staff %s:\n%s", when, h.app.Screen(), key, h.texts())
		}
		for _, k := range keys {
			if k != key && strings.Contains(h.texts(), tr(k)) {
				t.Errorf("%s: the staff read %s", when, k)
			}
		}
		if len(h.logs) != logs || !strings.Contains(h.logs[logs-1], log) {
			t.Errorf("%s: the log %q, want %d lines, the last with %q", when, h.logs, logs, log)
		}
		if n := h.app.Waiting(); n != 0 {
			t.Errorf("%s: %d requests wait at the kiosk, want none", when, n)
		}
	}
	for _, key := range keys[2:] {
		if l := tr(key); !strings.Contains(l, "solo dalla cartella condivisa") {
			t.Errorf("the staff's line %s %q does not say the requests go through the shared folder, in Italian", key, l)
		}
	}

	citizen(true)
	told("revoked", "staff.centrale.refused.spool", "centrale refuses the kiosk's certificate", 1)
	h.shot("01-languages-centrale-refused-spool")
	citizen(true)
	told("revoked, another citizen", "staff.centrale.refused.spool", "through the spool folder only", 1)

	client.URL = cs.untrusting
	citizen(true)
	told("centrale's certificate of another CA", "staff.centrale.untrusted.spool", "does not trust centrale's certificate", 2)

	*client = *kioskClient(t, cs.ca, cs.good, cs.real).client // a new certificate installed
	citizen(false)
	told("centrale taking the kiosk again", "", "delivered again", 3)
}

// centrales are a CA, a centrale of it and one whose certificate is of
// another CA, both checking the CA's revocation list, and a kiosk's
// client of the first whose certificate is revoked.
type centrales struct {
	ca               *pki.CA
	real             time.Time // when the certificates were made: crypto/tls's clock
	good, untrusting string
	revoked          *kioskpost.Client
}

// refusingCentrales starts the centrales of a test of a kiosk refused.
func refusingCentrales(t *testing.T) centrales {
	t.Helper()
	real := time.Now() // crypto/tls's clock
	caDir := filepath.Join(t.TempDir(), "ca")
	ca, err := pki.Init(caDir, "pinsede test CA", real, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.Init(filepath.Join(t.TempDir(), "other"), "another CA", real, nil)
	if err != nil {
		t.Fatal(err)
	}
	good := startCentrale(t, ca, caDir, ca, real)
	untrusting := startCentrale(t, ca, caDir, other, real)
	revoked := kioskClient(t, ca, good, real)
	leaf, err := pki.ParseCert(revoked.certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Revoke(pki.Serial(leaf), "chiosco sostituito", real); err != nil {
		t.Fatal(err)
	}
	return centrales{ca: ca, real: real, good: good, untrusting: untrusting, revoked: revoked.client}
}

// kiosk is a kiosk's client of centrale at url, with a certificate of
// ca made at, and the certificate.
type kiosk struct {
	client  *kioskpost.Client
	certPEM []byte
}

// kioskClient loads, as chiosco does, the client of a kiosk of sede
// ROMA01 with a new certificate of ca made at, for centrale at url.
func kioskClient(t *testing.T, ca *pki.CA, url string, at time.Time) kiosk {
	t.Helper()
	certPEM, keyPEM, err := ca.Issue(pki.RoleKiosk, "ROMA01", at)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{"ca.crt": ca.CertPEM(), "chiosco.crt": certPEM, "chiosco.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := kioskpost.Load(url, filepath.Join(dir, "chiosco.crt"), filepath.Join(dir, "chiosco.key"), filepath.Join(dir, "ca.crt"), 0)
	if err != nil {
		t.Fatal(err)
	}
	return kiosk{c, certPEM}
}

// startCentrale starts centrale as cmd/centrale serves it, on the tests'
// clock: the client certificates of ca, its revocation list in caDir
// checked at the handshake, and a server certificate of issuer made at.
// It returns centrale's URL, and stops when the test ends.
func startCentrale(t *testing.T, ca *pki.CA, caDir string, issuer *pki.CA, at time.Time) string {
	t.Helper()
	certPEM, keyPEM, err := issuer.IssueServer([]string{"127.0.0.1"}, at)
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
	now := func() time.Time { return testNow }
	crl, err := pki.NewCRL(filepath.Join(caDir, pki.CRLFile), caCert, now, nil) // centrale's clock, as cmd/centrale's
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := server.New(store, central.NewVerifier(store, 3, now), crl, nil, now)
	cfg.VerifyConnection = srv.VerifyConnection
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
