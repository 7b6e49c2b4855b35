package desk

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/theme"
)

// cutPulls is a transport that cuts the link at the pull numbered cut
// (from 1; 0: never), and passes every other request on.
type cutPulls struct {
	next       http.RoundTripper
	pulls, cut atomic.Int32
}

func (c *cutPulls) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/v1/changes") && c.pulls.Add(1) == c.cut.Load() {
		return nil, errors.New("link cut by the test")
	}
	return c.next.RoundTrip(r)
}

// Ensure that a desk on an empty store, with the certificate of desk 04
// of a sede that desk 01 set up and works at, offers on its first-run
// screen to join the sede: the catch-up from a real centrale shows its
// progress; the link cut mid-way, the screen says how many changes were
// applied and offers to resume, keeping them; resumed, it ends at the
// login, where desk 01's supervisor logs in and finds the citizen desk 01
// issued to.
func TestJoinSedeScreen(t *testing.T) {
	testclock.RealDayOnly(t, "joining a sede's desks")
	cen := startCentrale(t)
	ctx := context.Background()

	// Desk 01, with no window: sets the sede up, adds an operator and
	// issues three PINs.
	one, ls, sess := windowlessDesk(t, "01")
	if err := one.AddOperator(sess, pinsede.NewOperator{ID: "g.neri", Name: "Giulia Neri", Role: pinsede.RoleOperatore, Password: "password-di-giulia"}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := one.Issue(ctx, sess, mario, foreignPassport); err != nil {
			t.Fatal(err)
		}
	}
	if err := cen.deskClient(t, "ROMA01", "01", ls, one).Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// Desk 04, the app under test, on an empty store: pages of two
	// changes, the link cut at the third.
	h := newHarness(t)
	h.desk.DeskID = "04"
	h.store.SetDesk("04")
	certPEM, keyPEM, err := cen.ca.IssueDesk("ROMA01", "04", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ClientTLS(cen.ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cut := &cutPulls{next: &http.Transport{TLSClientConfig: tlsCfg, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}}
	cut.cut.Store(3)
	jc := client.New(client.Config{URL: cen.http.URL, HTTP: &http.Client{Timeout: 5 * time.Second, Transport: cut},
		Sede: "ROMA01", Local: h.store, Desk: h.desk, PullPage: 2, Now: deskClock})
	h.app.UseSync(jc, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	h.app.showSetup()
	j := h.app.setup.join
	if j == nil {
		t.Fatalf("no way to join the sede on the first-run screen:\n%s", h.screenText())
	}
	if shown := h.screenText(); !strings.Contains(shown, "certificato della sede ROMA01") {
		t.Errorf("the first-run screen does not offer to join ROMA01:\n%s", shown)
	}
	if j.bar.Visible() {
		t.Error("a progress bar before the catch-up")
	}
	// Its messages and its progress keep their room: its button and the
	// set-up's fields below stay where they are.
	s := h.app.setup
	keep := []fyne.CanvasObject{j.button, s.code, s.pwConfirm, s.create}
	h.assertStays(stays{msg: j.msg, keep: keep, scrolls: true, cases: []stayCase{
		shown(j.msg, "join.cut", map[string]any{"Applied": 123456}),
		shown(j.msg, "join.nosetup", map[string]any{"Sede": "ROMA01"}),
		{Name: "the progress", Show: func() {
			j.bar.Show()
			j.progress.Show()
			j.show(pinsede.CatchUp{Applied: 4, Cursor: 4, Latest: 9})
			j.msg.set(msgError, lang.L("join.cut", map[string]any{"Applied": 4}))
		}},
	}})
	j.bar.Hide()
	j.progress.Hide()
	j.last = pinsede.CatchUp{}
	if *shots != "" {
		test.ApplyTheme(t, theme.New())
		writeShots(t, h, "join")
	}
	before := h.positions(keep...)

	h.tap(j.button)
	if got := h.positions(keep...); !slices.Equal(got, before) {
		t.Errorf("the link cut: the button and the fields moved from %v to %v", before, got)
	}
	if f := j.bar.Value; !j.bar.Visible() || f <= 0 || f >= 1 {
		t.Errorf("the bar after two pages of the catch-up: %.2f (shown %v), want part of the way", f, j.bar.Visible())
	}
	shown := h.screenText()
	for _, want := range []string{"Modifiche applicate: 4 (", "collegamento con centrale si è interrotto", "Le 4 modifiche già applicate restano"} {
		if !strings.Contains(shown, want) {
			t.Errorf("after the link was cut, the screen lacks %q:\n%s", want, shown)
		}
	}
	if j.button.Text != "Riprendi" || h.app.current.View != h.app.setup.screen.View {
		t.Errorf("after the link was cut: button %q, want Riprendi on the first-run screen", j.button.Text)
	}
	if *shots != "" {
		writeShots(t, h, "join-cut")
	}

	cut.cut.Store(0)
	h.tap(j.button)
	if h.app.login == nil || h.app.current.View != h.app.login.screen.View {
		t.Fatalf("after the catch-up: want the login, got:\n%s", h.screenText())
	}
	if j.bar.Value != 1 || j.last.Cursor != j.last.Latest {
		t.Errorf("the catch-up ended at %+v (bar %.2f), want centrale's newest change", j.last, j.bar.Value)
	}
	if msg := h.app.login.msg.text(); !strings.Contains(msg, "entrato nella sede ROMA01") {
		t.Errorf("login message %q", msg)
	}
	if *shots != "" {
		writeShots(t, h, "join-login")
	}
	h.logIn("l.bianchi", "password-di-prova")
	if h.app.session == nil || h.app.session.Operator.Role != pinsede.RoleSupervisore || h.app.session.Sede.Name != "Roma Eur" {
		t.Fatalf("desk 01's supervisor at desk 04: %+v, %q", h.app.session, h.app.login.msg.text())
	}
	home := h.searchCF(mario.CodiceFiscale)
	if n := len(home.resultButtons); n != 1 {
		t.Errorf("search at desk 04: %d results, want desk 01's citizen:\n%s", n, h.screenText())
	}
}
