package desk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/wire"
	"github.com/pinsede/pinsede/ui/theme"
)

// walkIn is a desk linked to centrale on the clock now, which holds no record of mario, while
// centrale holds a PIN ordinario of his obtained online: the citizen who
// walks in to convert it.
func walkIn(t *testing.T, now time.Time) (*harness, *centrale, pinsede.Credential) {
	t.Helper()
	h := ready(t)
	h.now = now
	cen := h.linkCentrale()
	h.desk.Central = h.desk.Link.(*client.Client)
	hash, err := pinsede.HashSecret([]byte("ACEFHJKMNPRTUVWX"), cheap, h.desk.Rand)
	if err != nil {
		t.Fatal(err)
	}
	issued := h.now.AddDate(0, -1, 0)
	web := pinsede.Credential{
		ID: "web-ord", CodiceFiscale: mario.CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo, PINHash: hash,
		IssuedAt: issued, ExpiresAt: issued.AddDate(0, pinsede.ValidityMonths, 0), IssuedBy: "portale", Sede: "WEB",
	}
	res, err := cen.store.Apply(context.Background(), "WEB", []pinsede.Event{{ID: "web-1", Kind: pinsede.EventIssued, Time: issued, Sede: "WEB", Credential: web}}, issued)
	if err != nil || res[0].Verdict != wire.Accepted {
		t.Fatalf("seed: %+v, %v", res, err)
	}
	return h, cen, web
}

// searchCF searches cf from the home screen.
func (h *harness) searchCF(cf pinsede.CodiceFiscale) *homeScreen {
	h.t.Helper()
	h.app.showHome()
	home := h.app.home
	h.typeIn(home.cf, string(cf))
	h.tap(home.search)
	return home
}

// Ensure that a walk-in the sede holds no record of is found at centrale
// from the home screen's search by codice fiscale: the search offers
// "Cerca a centrale"; centrale down, it says so and the search stays as
// typed; centrale up, the citizen's page opens with the name unknown and
// the PIN ordinario found, which converts after the identity check. A
// codice fiscale unknown at centrale too is said so plainly.
func TestWalkInFoundAtCentrale(t *testing.T) {
	h, cen, web := walkIn(t, testNow)
	cf := string(mario.CodiceFiscale)

	// Given a search by codice fiscale that finds nobody at the sede,
	// then "Cerca a centrale" is offered;
	home := h.searchCF(mario.CodiceFiscale)
	if home.centralCF != mario.CodiceFiscale || !home.central.Visible() || !strings.Contains(h.screenText(), "Nessuno con questo codice fiscale in sede") {
		t.Fatalf("no lookup at centrale offered (%q):\n%s", home.centralCF, h.screenText())
	}

	// when centrale is down, then the home screen says so, the search
	// stays as typed and nothing opens;
	cen.down.Store(true)
	h.tap(home.central)
	if got := home.centralMsg.text(); !strings.HasPrefix(got, "Centrale non raggiungibile") {
		t.Errorf("lookup with centrale down: %q", got)
	}
	if h.app.current.View != home.screen.View || home.cf.Text != cf || home.central.Disabled() {
		t.Fatalf("after a failed lookup: screen %q, search %q", h.app.current.Title, home.cf.Text)
	}

	// when centrale is back, then the citizen's page opens, with the name
	// unknown, no request of theirs to start from, and the PIN ordinario
	// found, which can be converted but neither replaced nor revoked;
	cen.down.Store(false)
	h.tap(home.central)
	c := h.app.citizen
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("the citizen's page did not open: %q", home.centralMsg.text())
	}
	if !c.page.Unknown || c.central == nil || c.central.convert[web.ID] == nil || c.registerDelegation != nil {
		t.Fatalf("page %+v, lookup %+v", c.page, c.central)
	}
	if text := h.screenText(); !strings.Contains(text, "Cittadino non registrato in sede") || !strings.Contains(text, cf) ||
		!strings.Contains(text, "sede o canale WEB") || strings.Contains(text, "argon2") {
		t.Errorf("page of the walk-in:\n%s", text)
	}
	if !strings.Contains(c.page.History[len(c.page.History)-2].Detail, "1 non presenti") {
		t.Errorf("lookup not audited before the view: %+v", c.page.History)
	}

	// when the clerk opens the conversion and goes back, then the page
	// opens again and looks him up at centrale anew;
	h.tap(c.central.convert[web.ID])
	if v := c.convertScreen; v == nil || h.app.current.View != v.screen.View {
		t.Fatal("the conversion screen did not open")
	}
	h.tap(c.convertScreen.back)
	if c = h.app.citizen; h.app.current.View != c.screen.View || !c.page.Unknown || c.central.convert[web.ID] == nil {
		t.Fatalf("back from the conversion: %q on %q", c.central.msg.text(), h.app.current.Title)
	}

	// when the clerk converts it after the identity check, then the page
	// opens again with the PIN dispositivo, with no slip replacement nor
	// revocation,
	h.tap(c.central.convert[web.ID])
	v := c.convertScreen
	if v == nil || !v.central || h.app.current.View != v.screen.View {
		t.Fatal("the conversion screen did not open")
	}
	h.fillDocument(v.doc, passport)
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	v.checkSigned.SetChecked(true)
	h.tap(v.convert)
	c = h.app.citizen
	if c == nil || h.app.current.View != c.screen.View || !c.page.Unknown {
		t.Fatalf("not back on the citizen page: %q", v.msg.text())
	}
	if got := c.msg.text(); !strings.Contains(got, "dispositivo") {
		t.Errorf("citizen page message %q", got)
	}
	if len(c.page.Credentials) != 1 || c.page.Credentials[0].Type != pinsede.Dispositivo || c.replaceSlip[web.ID] != nil || c.revokeCred[web.ID] != nil {
		t.Errorf("page after the conversion: %+v, replace %v, revoke %v", c.page.Credentials, c.replaceSlip, c.revokeCred)
	}
	// a new request starts from his codice fiscale alone;
	h.tap(c.newRequest)
	if r := h.app.request; r == nil || h.app.current.View != r.screen.View || r.cf.Text != cf || r.cognome.Text != "" {
		t.Fatalf("new request from the page: %q on %q", r.cf.Text, h.app.current.Title)
	}
	// and the domain refuses the slip replacement and the revocation as
	// well;
	var p *pinsede.Problem
	if _, err := h.desk.Revoke(h.app.session, web.ID, "il cittadino chiede la revoca"); !errors.As(err, &p) || p.Key != pinsede.KeyOtherSede {
		t.Errorf("revocation of the copy: %v", err)
	}

	// and centrale holds it dispositivo.
	eventually(t, "the conversion", func() bool {
		r, err := cen.store.Current(context.Background(), mario.CodiceFiscale, central.SlotPIN)
		return err == nil && r.Credential.ID == web.ID && r.Credential.Type == pinsede.Dispositivo
	})

	// Given the same search again, the sede still holds no record of him:
	// then centrale's lookup opens the page of the copy converted here.
	home = h.searchCF(mario.CodiceFiscale)
	h.tap(home.central)
	if c = h.app.citizen; h.app.current.View != c.screen.View || len(c.page.Credentials) != 1 || len(c.page.Central) != 0 {
		t.Fatalf("second lookup: %q, page %+v", home.centralMsg.text(), c.page)
	}

	// Given a codice fiscale that neither the sede nor centrale knows,
	// then the home screen says so and stays.
	home = h.searchCF("BNCLCU85M41F205T")
	h.tap(home.central)
	if got := home.centralMsg.text(); !strings.Contains(got, "Neanche l'archivio centrale") || h.app.current.View != home.screen.View {
		t.Errorf("unknown at centrale: %q on %q", got, h.app.current.Title)
	}
}

// Ensure that a search by name, or on a desk without centrale, offers no
// lookup at centrale.
func TestHomeNoCentralLookup(t *testing.T) {
	h := ready(t)
	home := h.searchCF(mario.CodiceFiscale)
	if home.centralCF != "" || strings.Contains(h.screenText(), "Cerca a centrale") {
		t.Errorf("lookup offered without centrale:\n%s", h.screenText())
	}
	h, _, _ = walkIn(t, testNow)
	h.app.showHome()
	home = h.app.home
	h.typeIn(home.cognome, "Rossi")
	h.typeIn(home.nome, "Mario")
	h.tap(home.search)
	if home.centralCF != "" || strings.Contains(h.screenText(), "Cerca a centrale") {
		t.Errorf("lookup offered for a search by name:\n%s", h.screenText())
	}
}

// Ensure that the home screen renders as reviewed when a search by codice
// fiscale found nobody at the sede and offers the lookup at centrale.
func TestHomeCentralLookupGolden(t *testing.T) {
	h, _, _ := walkIn(t, testNow)
	test.ApplyTheme(t, theme.New())
	h.searchCF(mario.CodiceFiscale)
	h.settle()
	assertScreen(t, h, "home-centrale")
}

// Ensure that the page of a walk-in found at centrale renders as reviewed:
// the codice fiscale alone, the name unknown until an MV35, and the PIN
// ordinario found, which can be converted.
func TestWalkInPageGolden(t *testing.T) {
	h, _, _ := walkIn(t, testNow)
	test.ApplyTheme(t, theme.New())
	h.tap(h.searchCF(mario.CodiceFiscale).central)
	if c := h.app.citizen; c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("the citizen's page did not open: %q", h.app.home.centralMsg.text())
	}
	h.settle()
	assertScreen(t, h, "cittadino-sconosciuto")
}
