package desk

import (
	"context"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/i18n"
)

// linkDesk links the harness's desk to cen with a certificate of sede
// ROMA01 made at made, on the desk's clock (TLS too, as sportello's), and
// shows its state in the status bar; it returns the client and the
// certificate.
func linkDesk(t *testing.T, h *harness, cen *centrale, made time.Time) (*client.Client, *x509.Certificate) {
	t.Helper()
	certPEM, keyPEM, err := cen.ca.Issue(pki.RoleSede, "ROMA01", made)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ClientTLS(cen.ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg.Time = h.desk.Now // TLS reads the PC's clock, as sportello's does
	c := client.New(client.Config{
		URL: cen.http.URL, HTTP: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}},
		Sede: "ROMA01", Local: h.store, Desk: h.desk, Now: h.desk.Now, NotBefore: cert.NotBefore,
	})
	h.desk.Link = c
	h.app.UseSync(c, "")
	return c, cert
}

// Ensure that a desk that does not trust centrale's certificate (a real
// centrale whose server certificate expired a year ago, the desk's own
// valid) tells the clerk so: centrale's certificate, not the desk's; PINs
// go on being issued and the data waits; the desk's settings are not to
// be touched; centrale's operators are the ones to call. Before, the desk
// said centrale had refused the desk's certificate, and sent the clerk to
// the supervisor, at every sede at once.
func TestCentraleCertificateText(t *testing.T) {
	inEachLanguage(t, centraleCertificateText)
}

// centraleCertificateText is TestCentraleCertificateText in language.
func centraleCertificateText(t *testing.T, language string) {
	h := ready(t)
	cen := startCentraleOn(t, func() time.Time { return testNow.AddDate(-3, 0, 0) }) // its certificate of two years, ended
	c, _ := linkDesk(t, h, cen, testNow)
	if err := c.Sync(context.Background()); err == nil || c.State().Fault != client.FaultCentraleCertificate {
		t.Fatalf("sync to centrale with an expired certificate: %v, fault %q; want %q", err, c.State().Fault, client.FaultCentraleCertificate)
	}
	h.statusText()
	test.Tap(h.app.sync.button)
	details := strings.Join(h.texts(), "\n")
	want := lang.L("sync.fault.centralecert")
	if !strings.Contains(details, want) {
		t.Errorf("details lack %q:\n%s", want, details)
	}
	if wrong := lang.L("sync.fault.certificate"); strings.Contains(details, wrong) {
		t.Errorf("details say centrale refused the desk's certificate, %q:\n%s", wrong, details)
	}
	for _, says := range map[string][]string{
		"it": {"servizio centrale", "non dello sportello", "non modificare le impostazioni", "chiama gli operatori del servizio centrale", "continuare a emettere PIN"},
		"en": {"central service's", "not the desk's", "do not change the desk's settings", "call the central service's operators", "go on issuing PINs"},
	}[language] {
		if !strings.Contains(want, says) {
			t.Errorf("the message %q does not say %q", want, says)
		}
	}
	shot(t, h, "syncfault-centralecert-"+language)
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// Ensure that a desk whose clock runs 10 days ahead, with a certificate
// that has 5 days left on centrale's clock, is told its clock first and
// its certificate expiring on that date, not expired: centrale took the
// certificate, measured the clock and refused the push for it (a real
// centrale, 409 clock-ahead), and the desk judges its certificate on
// centrale's time once it knows its own is off. Before, the status bar
// and the details said the certificate had expired, by the PC's clock,
// and the clerk would have had a new one issued for nothing.
func TestClockAheadCertificate(t *testing.T) {
	inEachLanguage(t, clockAheadCertificate)
}

// clockAheadCertificate is TestClockAheadCertificate in language.
func clockAheadCertificate(t *testing.T, language string) {
	exp := testNow.Add(5 * 24 * time.Hour) // on centrale's clock, deskClock
	h := ready(t, func(_ *pinsede.Desk, c *Config) { c.CertExpires = exp })
	cen := startCentraleOn(t, deskClock)
	// An act of the supervisor's, for the push that centrale refuses.
	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{ID: "g.verdi", Name: "Giulia Verdi", Role: pinsede.RoleOperatore, Password: "password-di-prova"}); err != nil {
		t.Fatal(err)
	}
	ahead := 10 * 24 * time.Hour
	h.now = testNow.Add(ahead)
	c, _ := linkDesk(t, h, cen, testNow)
	if err := c.Sync(context.Background()); err == nil || c.State().Fault != client.FaultClock || c.State().Clock.Ahead() < ahead-time.Minute {
		t.Fatalf("sync on a clock %v ahead: %v, fault %q, %v ahead; want the push refused for the clock", ahead, err, c.State().Fault, c.State().Clock.Ahead())
	}
	date := exp.Format("02/01/2006")
	clock := lang.L("sync.clock.ahead", map[string]any{"Ahead": i18n.Duration(c.State().Clock.Ahead())})
	if bar := h.statusText(); !strings.HasPrefix(bar, clock) {
		t.Errorf("status bar %q, want the clock first, %q", bar, clock)
	}
	test.Tap(h.app.sync.button)
	details := strings.Join(h.texts(), "\n")
	for _, want := range []string{
		clock,
		lang.L("sync.fault.clock.ahead", map[string]any{"Ahead": i18n.Duration(c.State().Clock.Ahead())}),
		lang.L("sync.cert.expiring", map[string]any{"Date": date}),
		lang.L("sync.cert.expires", map[string]any{"Date": date}),
	} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q:\n%s", want, details)
		}
	}
	for _, wrong := range []string{
		lang.L("sync.cert.expired.bar", map[string]any{"Date": date}),
		lang.L("sync.cert.expired", map[string]any{"Date": date}),
	} {
		if strings.Contains(details, wrong) {
			t.Errorf("details say the certificate expired, %q:\n%s", wrong, details)
		}
	}
	shot(t, h, "syncfault-clockahead-cert-"+language)
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
}
