package desk

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// centrale is a real central records server for the desk's tests: a bbolt
// store behind sync/server, over mutual TLS on loopback, with its own CA.
type centrale struct {
	ca    *pki.CA
	store *boltstore.Store
	srv   *server.Server
	http  *httptest.Server
	// pushes counts the pushes received (POST /v1/events).
	pushes atomic.Int32
	// down, when set, makes centrale answer 503 to everything.
	down atomic.Bool
	// loseAnswer, when set, makes centrale serve the next request and
	// then drop its connection without answering.
	loseAnswer atomic.Bool
}

// startCentrale starts centrale; it stops when the test ends.
func startCentrale(t *testing.T) *centrale {
	t.Helper()
	return startCentraleOn(t, time.Now)
}

// startCentraleOn starts centrale whose CA makes its certificates, and
// its list of those revoked, on the clock caNow.
func startCentraleOn(t *testing.T, caNow func() time.Time) *centrale {
	t.Helper()
	return startCentraleAt(t, caNow, deskClock)
}

// startCentraleAt is startCentraleOn with centrale's own clock now (its
// server's and verifier's).
func startCentraleAt(t *testing.T, caNow, now func() time.Time) *centrale {
	t.Helper()
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "pinsede test CA", caNow(), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer([]string{"127.0.0.1", "localhost"}, caNow())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ServerTLS(ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(filepath.Join(dir, "ca", pki.CRLFile), caCert, caNow, nil) // the CA's clock, as for the certificates
	if err != nil {
		t.Fatal(err)
	}
	store, err := boltstore.Open(filepath.Join(dir, "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.SetLimits(central.Limits{PINParams: []pinsede.Argon2Params{cheap}})
	v := central.NewVerifier(store, 3, now)
	v.Params, v.ChosenParams = cheap, cheap
	c := &centrale{ca: ca, store: store, srv: server.New(store, v, crl, nil, now)}
	api := c.srv.Handler()
	c.http = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/events" {
			c.pushes.Add(1)
		}
		if c.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if c.loseAnswer.Swap(false) {
			api.ServeHTTP(httptest.NewRecorder(), r)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		api.ServeHTTP(w, r)
	}))
	c.http.TLS = tlsCfg
	c.http.Config.ErrorLog = log.New(io.Discard, "", 0)
	c.http.StartTLS()
	t.Cleanup(c.http.Close)
	return c
}

// client returns a sync client of sede on the desk's store, with short
// back-off.
func (c *centrale) client(t *testing.T, sede string, ls *local.Store) *client.Client {
	t.Helper()
	certPEM, keyPEM, err := c.ca.Issue(pki.RoleSede, sede, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.clientWith(t, certPEM, keyPEM, sede, ls, pinsede.NewDesk(ls, nil, deskClock))
}

// clientAt is client on the clock now.
func (c *centrale) clientAt(t *testing.T, sede string, ls *local.Store, now func() time.Time) *client.Client {
	t.Helper()
	certPEM, keyPEM, err := c.ca.Issue(pki.RoleSede, sede, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.clientOn(t, certPEM, keyPEM, sede, ls, pinsede.NewDesk(ls, nil, now), now)
}

// clientWith returns a sync client of sede with the certificate given,
// driving d on ls, with short back-off.
func (c *centrale) clientWith(t *testing.T, certPEM, keyPEM []byte, sede string, ls *local.Store, d *pinsede.Desk) *client.Client {
	t.Helper()
	return c.clientOn(t, certPEM, keyPEM, sede, ls, d, deskClock)
}

// clientOn is clientWith on the clock now.
func (c *centrale) clientOn(t *testing.T, certPEM, keyPEM []byte, sede string, ls *local.Store, d *pinsede.Desk, now func() time.Time) *client.Client {
	t.Helper()
	tlsCfg, err := pki.ClientTLS(c.ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: tlsCfg, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext,
	}}
	return client.New(client.Config{
		URL: c.http.URL, HTTP: hc, Sede: sede, Local: ls, Desk: d,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, PullEvery: time.Minute,
		Now: now,
	})
}

// statusText shows the latest sync state and returns the text of the
// status bar.
func (h *harness) statusText() string {
	h.app.sync.poll()
	return h.app.sync.button.Text
}

// waitStatus waits until the sync status in the status bar reads want(),
// worked out again each time from the client's state.
func (h *harness) waitStatus(want func() string) {
	h.t.Helper()
	eventually(h.t, fmt.Sprintf("the sync status %q", want()), func() bool { return h.statusText() == want() })
}

// online is the status of c online with nothing pending.
func online(c *client.Client) func() string {
	return func() string {
		return lang.L("sync.online", map[string]any{"N": 0, "Last": c.State().LastSync.Format("15:04")})
	}
}

// offline is the status of c offline with n events pending.
func offline(c *client.Client, n int) func() string {
	return func() string {
		return lang.L("sync.offline", map[string]any{"Since": c.State().OfflineSince.Format("15:04"), "N": n})
	}
}

// Ensure that the desk shows its link to a real centrale: online at once;
// an issue is pushed at once and the pending count drops back to 0 with
// the event at centrale; with centrale down, the status says offline since
// when, the next PIN is issued as awaiting activation, and the details
// dialog says why; when centrale is back, the PIN activates and the result
// screen says so.
func TestSyncStatus(t *testing.T) {
	// Given a desk of sede ROMA01 linked to centrale,
	h := ready(t)
	cen := startCentrale(t)
	c := cen.client(t, "ROMA01", h.store)
	h.desk.Link = c
	h.app.UseSync(c, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); uitest.Await(t, done, "the sync client's end") })

	// it shows online, nothing pending;
	h.waitStatus(online(c))

	// when a PIN is issued,
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	res := h.app.result
	if res == nil || h.app.current.View != res.screen.View {
		t.Fatalf("not on the result screen: %q", h.app.verify.msg.text())
	}
	// then it is not pending, the event reaches centrale at once, and the
	// status and the home's figure show nothing pending.
	if res.issued.Pending || strings.Contains(h.screenText(), lang.L("issue.pending")) {
		t.Errorf("issued online, but shown as awaiting activation")
	}
	if !strings.Contains(strings.Join(h.texts(), "\n"), lang.L("issue.done.note")) {
		t.Errorf("issued online, but the result screen does not say it is active")
	}
	eventually(t, "one event at centrale", func() bool { n, _ := cen.store.Events(ctx); return n == 1 })
	h.waitStatus(online(c))
	h.tap(res.toHome)
	// The client acknowledges the event in the local outbox just after
	// centrale stores it: the home's figure follows within the deadline.
	eventually(t, "nothing pending on the home", func() bool { h.app.sync.poll(); return h.app.home.pendingSync.Text == "0" })

	// Given centrale down,
	cen.down.Store(true)
	c.Notify()
	eventually(t, "the client offline", func() bool { return c.State().Status == client.Offline })
	h.waitStatus(offline(c, 0))
	// when another PIN is issued,
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	res = h.app.result
	// then it awaits activation, on screen and in the status (the first PIN
	// revoked, the new one issued),
	if !res.issued.Pending {
		t.Errorf("issued offline, but not pending")
	}
	if !strings.Contains(h.screenText(), lang.L("issue.pending")) {
		t.Errorf("result screen lacks %q", lang.L("issue.pending"))
	}
	// and the note above it does not say the PIN is already active.
	if text := strings.Join(h.texts(), "\n"); strings.Contains(text, lang.L("issue.done.note")) || !strings.Contains(text, lang.L("issue.done.note.pending")) {
		t.Errorf("the result screen of a pending PIN says it is active, or not that it activates once centrale has it:\n%s", text)
	}
	h.waitStatus(offline(c, 2))
	// and the details say why.
	test.Tap(h.app.sync.button)
	if h.app.sync.details == nil {
		t.Fatal("no details dialog")
	}
	text := strings.Join(h.texts(), "\n") // whole labels: a long error wraps on screen
	for _, want := range []string{lang.L("sync.status.offline"), lang.L("sync.notaccepted.none"), "503"} {
		if !strings.Contains(text, want) {
			t.Errorf("sync details lack %q", want)
		}
	}

	// When centrale is back,
	cen.down.Store(false)
	c.Notify()
	// then the status is online, nothing waits, centrale holds every event
	// (issued, revoked, issued) and the result screen says the PIN is active.
	h.waitStatus(online(c))
	if n, err := cen.store.Events(ctx); n != 3 || err != nil {
		t.Errorf("centrale holds %d events (%v), want 3", n, err)
	}
	if !strings.Contains(strings.Join(h.texts(), "\n"), lang.L("issue.activated")) {
		t.Errorf("result screen lacks %q", lang.L("issue.activated"))
	}

	// Given an event centrale rejects (a kind it does not know),
	bad := pinsede.Event{ID: "bad-event", Kind: "credential.lost", Time: testNow, Sede: "ROMA01", Credential: res.issued.Credential}
	if err := h.store.Update(func(tx pinsede.Tx) error { return tx.Enqueue(bad) }); err != nil {
		t.Fatal(err)
	}
	// when it is pushed,
	c.Notify()
	// then the status bar counts it, and the open details show it with
	// its verdict and reason in the operator's words.
	h.waitStatus(func() string { return lang.L("sync.notaccepted.count", map[string]any{"N": 1}) }) // the gravest: online goes to the details
	text = strings.Join(h.texts(), "\n")
	for _, want := range []string{lang.L("sync.verdict.rejected"), lang.L("sync.reason.unknownkind"), res.issued.Credential.SlipSerial} {
		if !strings.Contains(text, want) {
			t.Errorf("sync details lack %q", want)
		}
	}
}

// Ensure that an event centrale did not accept is described in the
// operator's words: what, which envelope, the verdict and the reason.
func TestNotAcceptedText(t *testing.T) {
	for _, tc := range []struct {
		reason string
		want   string
	}{
		{"credential superseded by ROMA02-20260310-ABCDEF", lang.L("sync.reason.superseded")},
		{central.ReasonOtherSede, lang.L("sync.reason.othersede")},
		{central.ReasonBadEvent + ": pin hash", lang.L("sync.reason.badevent", map[string]any{"Detail": "pin hash"})},
		{"something new", "something new"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			n := pinsede.NotAccepted{
				Event: pinsede.Event{Kind: pinsede.EventIssued, Time: testNow, Credential: pinsede.Credential{
					CodiceFiscale: "RSSMRA80A01H501U", SlipSerial: "ROMA01-20260310-123456",
				}},
				Verdict: pinsede.VerdictSuperseded, Reason: tc.reason,
			}
			got := notAcceptedText(n)
			for _, want := range []string{tc.want, lang.L("sync.verdict.superseded"), lang.L("sync.event.issued"), "ROMA01-20260310-123456", "10/03/2026 09:30"} {
				if !strings.Contains(got, want) {
					t.Errorf("%q lacks %q", got, want)
				}
			}
		})
	}
}

// Ensure that the status bar shows the desk's date and time, and the next
// minute from the first tick in it: the ticker's fyne.Do feeds it, which
// wakes an idle window (third_party/fyne-idle).
func TestStatusBarShowsTime(t *testing.T) {
	h := ready(t)
	h.app.UseSync(nil, "")
	if got, want := h.app.sync.clock.Text, h.now.Format("02/01/2006 15:04"); got != want {
		t.Fatalf("the status bar shows %q, want %q", got, want)
	}
	h.now = h.now.Truncate(time.Minute).Add(time.Minute)
	h.app.everyTick()
	if got, want := h.app.sync.clock.Text, h.now.Format("02/01/2006 15:04"); got != want {
		t.Errorf("after the minute changed the status bar shows %q, want %q", got, want)
	}
}

// Ensure that a desk without central records says so in the status bar, and
// that its details explain it.
func TestSyncStatusOffline(t *testing.T) {
	h := ready(t)
	h.app.UseSync(nil, "")
	if got := h.statusText(); got != lang.L("sync.none") {
		t.Errorf("status %q, want %q", got, lang.L("sync.none"))
	}
	test.Tap(h.app.sync.button)
	if text := strings.Join(h.texts(), "\n"); !strings.Contains(text, lang.L("sync.none.note")) {
		t.Errorf("details lack %q", lang.L("sync.none.note"))
	}
}

// Ensure that the sync status says when the desk's certificate expires,
// and warns on its button from CertWarning before: time for a new one;
// once expired, that it has (TestCertExpiryWhileRunning).
func TestCertExpiryWarning(t *testing.T) {
	for _, tc := range []struct {
		name string
		left time.Duration
		warn bool
		says string // on the button when it warns, and in the details
	}{
		{"in 40 days", 40 * 24 * time.Hour, false, "scade il "},
		{"in 10 days", 10 * 24 * time.Hour, true, "scade il "},
		{"expired", -time.Hour, true, "è scaduto il "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp := testNow.Add(tc.left)
			h := ready(t, func(_ *pinsede.Desk, c *Config) { c.CertExpires = exp })
			h.app.UseSync(nil, "")
			s := h.app.sync
			if got := strings.Contains(s.button.Text, "certificato") && strings.Contains(s.button.Text, tc.says+exp.Format("02/01/2006")); got != tc.warn {
				t.Errorf("button %q: warns %v, want %v", s.button.Text, got, tc.warn)
			}
			s.showDetails()
			if !strings.Contains(h.screenText(), strings.TrimPrefix(tc.says, "è ")+exp.Format("02/01/2006")) {
				t.Errorf("the sync details do not say when the certificate expires:\n%s", h.screenText())
			}
		})
	}
}
