package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/ui/internal/uitest"
	"github.com/pinsede/pinsede/ui/theme"
)

// verdi is the i-th other person of the delegation tests, Luca Verdi born
// on the i-th of January 1970, with an Italian identity card.
func verdi(t *testing.T, i int) pinsede.Party {
	t.Helper()
	cf, err := pinsede.EncodeCodiceFiscale("Verdi", "Luca", pinsede.SexMale, pinsede.Date{Year: 1970, Month: time.January, Day: i}, "H501")
	if err != nil {
		t.Fatal(err)
	}
	return pinsede.Party{CodiceFiscale: cf, Cognome: "Verdi", Nome: "Luca", Document: pinsede.Document{
		Type: pinsede.DocCIE, Number: "CA12345AB", Authority: "Comune di Roma", Country: "IT",
		IssuedOn: pinsede.Date{Year: 2022, Month: 3, Day: 1}, ExpiresOn: pinsede.Date{Year: 2032, Month: 3, Day: 1},
	}}
}

// fillOther types the other person of a delegation.
func (h *harness) fillOther(v *delegationScreen, p pinsede.Party) {
	h.typeIn(v.otherCF, string(p.CodiceFiscale))
	h.typeIn(v.otherCognome, p.Cognome)
	h.typeIn(v.otherNome, p.Nome)
	h.fillDocument(v.otherDoc, p.Document)
}

// openDelegation opens the delegation form from mario's page.
func (h *harness) openDelegation() *delegationScreen {
	h.t.Helper()
	h.app.showCitizen(mario.CodiceFiscale)
	h.tap(h.app.citizen.registerDelegation)
	v := h.app.citizen.delegation
	if v == nil || h.app.current.View != v.screen.View {
		h.t.Fatal("the delegation form did not open")
	}
	return v
}

// lastEvent returns the last event of the outbox.
func (h *harness) lastEvent() pinsede.Event {
	h.t.Helper()
	items, err := h.store.Outbox(1000)
	if err != nil || len(items) == 0 {
		h.t.Fatalf("outbox %v, %v", items, err)
	}
	return items[len(items)-1].Event
}

// audited counts the audit entries of action a about cf.
func (h *harness) audited(a pinsede.AuditAction, cf pinsede.CodiceFiscale) int {
	h.t.Helper()
	n := 0
	err := h.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == a && e.Subject == cf {
			n++
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// Ensure that the clerk registers a delegation from the citizen's page,
// with the problems of the form under their fields and the rules of
// circolare 127/2021 explained; that the page lists the citizen's
// delegations on both sides; and that a delegation is revoked with a
// reason. Each action leaves its audit entries and its outbox event.
func TestDelegationFromCitizenPage(t *testing.T) {
	h := ready(t)
	if _, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport); err != nil {
		t.Fatal(err)
	}
	v := h.openDelegation()

	// Given the form, then the citizen's document is filled from the record;
	if v.ownDoc.number.Text != foreignPassport.Document.Number || v.ownDoc.country.code() != "AR" {
		t.Errorf("own document %q %q", v.ownDoc.number.Text, v.ownDoc.country.code())
	}
	// when sent empty, then the fields say what is missing;
	h.tap(v.register)
	for _, name := range []string{pinsede.FieldDelegationForm, prefixOther + pinsede.FieldCodiceFiscale, prefixOther + pinsede.FieldDocNumber} {
		if v.fields[name].problemText() == "" {
			t.Errorf("no problem under %s", name)
		}
	}
	// when the other person is the citizen, then the code says so;
	h.typeIn(v.otherCF, string(mario.CodiceFiscale))
	h.win.Canvas().Unfocus()
	if got := v.fields[prefixOther+pinsede.FieldCodiceFiscale].problemText(); !strings.Contains(got, "diversa") {
		t.Errorf("self-delegation: problem %q", got)
	}
	// when an AA09 has no certificate, then it is asked;
	v.form.SetSelectedIndex(indexOf(pinsede.DelegationForms(), pinsede.FormAA09))
	if !v.certificateRow.Visible() {
		t.Fatal("no medical certificate for an AA09")
	}
	first := verdi(t, 1)
	h.fillOther(v, first)
	h.typeIn(v.until, "31/12/2026")
	h.win.Canvas().Unfocus()
	h.tap(v.register)
	if got := v.fields[pinsede.FieldDelegationCertificate].problemText(); got == "" {
		t.Errorf("AA09 without a certificate: message %q", v.msg.text())
	}
	// when filled but the originals not confirmed, then it asks for them;
	h.typeIn(v.certificate, "dott. Neri, ASL Roma 1, 2 marzo 2026")
	h.tap(v.register)
	if got := v.msg.text(); !strings.Contains(got, "documenti") {
		t.Errorf("not confirmed: message %q", got)
	}
	// when confirmed, then it is registered and the page shows it.
	v.checked.SetChecked(true)
	h.tap(v.register)
	c := h.app.citizen
	if h.app.current.View != c.screen.View {
		t.Fatalf("not back on the citizen page: %q", v.msg.text())
	}
	if got := c.msg.text(); !strings.Contains(got, "Delega registrata") {
		t.Errorf("citizen page message %q", got)
	}
	if len(c.page.Delegations) != 1 || len(c.revokeDelegation) != 1 {
		t.Fatalf("page delegations %+v", c.page.Delegations)
	}
	dl := c.page.Delegations[0]
	if dl.Form != pinsede.FormAA09 || dl.Delegante.CodiceFiscale != mario.CodiceFiscale || dl.Delegato.CodiceFiscale != first.CodiceFiscale ||
		dl.Until != (pinsede.Date{Year: 2026, Month: 12, Day: 31}) || dl.Delegante.Document.Number != foreignPassport.Document.Number {
		t.Fatalf("registered %+v", dl)
	}
	text := h.screenText()
	for _, want := range []string{"Delega a", "Verdi Luca (" + string(first.CodiceFiscale) + ")", "Attiva", "dal 10/03/2026 al 31/12/2026", "dott. Neri"} {
		if !strings.Contains(text, want) {
			t.Errorf("citizen page lacks %q", want)
		}
	}
	if ev := h.lastEvent(); ev.Kind != pinsede.EventDelegationRegistered || ev.Delegation == nil || ev.Delegation.ID != dl.ID {
		t.Errorf("last event %+v", ev)
	}
	if h.audited(pinsede.ActionDelegationRegistered, mario.CodiceFiscale) != 1 || h.audited(pinsede.ActionDelegationRegistered, first.CodiceFiscale) != 1 {
		t.Error("registration not audited about both parties")
	}

	// Given a delegate already, when the citizen delegates another person,
	// then the rule is explained and nothing is registered;
	v = h.openDelegation()
	v.form.SetSelectedIndex(indexOf(pinsede.DelegationForms(), pinsede.FormAA08))
	h.fillOther(v, verdi(t, 2))
	v.checked.SetChecked(true)
	h.tap(v.register)
	if got := v.msg.text(); !strings.Contains(got, "ha già un delegato (Verdi Luca)") {
		t.Errorf("second delegate: message %q", got)
	}

	// when the citizen is delegated by someone else, then the page shows
	// both sides.
	v.side.SetSelected(v.side.Options[1])
	h.fillOther(v, verdi(t, 3))
	h.tap(v.register)
	c = h.app.citizen
	if h.app.current.View != c.screen.View || len(c.page.Delegations) != 2 {
		t.Fatalf("as delegato: %q", v.msg.text())
	}
	received := 0
	for _, got := range c.page.Delegations {
		if got.Delegato.CodiceFiscale == mario.CodiceFiscale && got.Delegante.CodiceFiscale == verdi(t, 3).CodiceFiscale && got.Form == pinsede.FormAA08 {
			received++
		}
	}
	if received != 1 {
		t.Fatalf("as delegato: registered %+v", c.page.Delegations)
	}
	if !strings.Contains(h.screenText(), "Delegato da") {
		t.Error("citizen page lacks the delegation received")
	}

	// When the first delegation is revoked with a reason, then the page
	// shows it revoked, audited and queued.
	h.tap(c.revokeDelegation[dl.ID])
	d := c.revokeDeleg
	if d == nil {
		t.Fatal("no revocation dialog")
	}
	h.typeIn(d.reason, "no")
	d.checked.SetChecked(true)
	h.tap(d.confirm)
	if got := d.reasonF.problemText(); !strings.Contains(got, "10") {
		t.Errorf("short reason: problem %q, message %q", got, d.msg.text())
	}
	h.typeIn(d.reason, "richiesta del delegante")
	h.tap(d.confirm)
	c = h.app.citizen
	if _, ok := c.revokeDelegation[dl.ID]; ok || len(c.revokeDelegation) != 1 {
		t.Fatalf("still offered after the revocation: %q", d.msg.text())
	}
	if text := h.screenText(); !strings.Contains(text, "Revocata") || !strings.Contains(text, "richiesta del delegante") {
		t.Errorf("citizen page lacks the revocation:\n%s", text)
	}
	if ev := h.lastEvent(); ev.Kind != pinsede.EventDelegationRevoked || ev.Delegation.ID != dl.ID || ev.Delegation.RevokeReason != "richiesta del delegante" {
		t.Errorf("last event %+v", ev)
	}
	if h.audited(pinsede.ActionDelegationRevoked, mario.CodiceFiscale) != 1 || h.audited(pinsede.ActionDelegationRevoked, first.CodiceFiscale) != 1 {
		t.Error("revocation not audited about both parties")
	}
}

// Ensure that the delegation form and the citizen's page with
// delegations (given, received and revoked) and a PIN telefonico render
// as reviewed.
func TestDelegationScreensGolden(t *testing.T) {
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	s := h.app.session
	if _, err := h.desk.IssueTelephonePIN(context.Background(), s, mario, foreignPassport, pinsede.ValidityMonth); err != nil {
		t.Fatal(err)
	}
	v := h.openDelegation()
	v.form.SetSelectedIndex(indexOf(pinsede.DelegationForms(), pinsede.FormAA09))
	h.typeIn(v.certificate, "dott. Neri, ASL Roma 1, 2 marzo 2026")
	h.fillOther(v, verdi(t, 1))
	h.typeIn(v.until, "31/12/2026")
	h.win.Canvas().Unfocus()
	v.checked.SetChecked(true)
	h.settle()
	assertScreen(t, h, "delega")

	self := pinsede.Party{CodiceFiscale: mario.CodiceFiscale, Cognome: mario.Cognome, Nome: mario.Nome, Document: foreignPassport.Document}
	given, err := h.desk.RegisterDelegation(s, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: self, Delegato: verdi(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.desk.RevokeDelegation(s, given.ID, "richiesta del delegante"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.desk.RegisterDelegation(s, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: self, Delegato: verdi(t, 2),
		Until: pinsede.Date{Year: 2027, Month: 3, Day: 9}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.desk.RegisterDelegation(s, pinsede.Delegation{Form: pinsede.FormAA10, Delegante: verdi(t, 3), Delegato: self,
		From: pinsede.Date{Year: 2026, Month: 4, Day: 1}}); err != nil {
		t.Fatal(err)
	}
	h.app.showCitizen(mario.CodiceFiscale)
	h.win.Resize(h.win.Canvas().Size().AddWidthHeight(0, 900)) // the whole page
	h.settle()
	assertScreen(t, h, "cittadino-deleghe")
}

// linkCentrale links the desk to a centrale started for the test, with its
// sync client running until the test ends.
func (h *harness) linkCentrale() *centrale {
	h.t.Helper()
	cen := startCentrale(h.t)
	c := cen.client(h.t, "ROMA01", h.store)
	h.desk.Link = c
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	h.t.Cleanup(func() { cancel(); uitest.Await(h.t, done, "the sync client's end") })
	return cen
}

// eventually polls ok until it holds (what centrale and the sync
// client do tells no event to wait on), or fails the test at the waits'
// bound (uitest.Bound: the test's deadline), not after a fixed time that
// a loaded machine could pass, saying it waited for what.
func eventually(t testing.TB, what string, ok func() bool) {
	t.Helper()
	bound, release := uitest.Bound(t)
	defer release()
	for !ok() {
		select {
		case <-bound:
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Ensure that a conversion, a delegation and its revocation done at the
// desk reach centrale at once: the desk asks its link to push when it
// commits.
func TestConvertAndDelegationReachCentrale(t *testing.T) {
	// Given a desk linked to centrale, on today's clock (centrale checks
	// expiries against its own), and a PIN ordinario of this sede that
	// centrale holds,
	h := ready(t)
	cen := h.linkCentrale()
	ctx := context.Background()
	ord := h.putOrdinario("ord1")
	ord.Sede = "ROMA01"
	hash, err := pinsede.HashSecret([]byte("ABCDEFGHJKLMNPQR"), cheap, h.desk.Rand)
	if err != nil {
		t.Fatal(err)
	}
	ord.PINHash = hash
	err = h.store.Update(func(tx pinsede.Tx) error {
		if err := tx.PutCredential(ord); err != nil {
			return err
		}
		return tx.Enqueue(pinsede.Event{ID: "issued-ord1", Kind: pinsede.EventIssued, Time: ord.IssuedAt, Sede: "ROMA01", Credential: ord})
	})
	if err != nil {
		t.Fatal(err)
	}
	h.desk.Link.Notify()
	eventually(t, "the PIN ordinario", func() bool {
		r, err := cen.store.Current(ctx, mario.CodiceFiscale, central.SlotPIN)
		return err == nil && r.Credential.ID == ord.ID
	})

	// when the clerk converts it from the citizen's page,
	h.app.showCitizen(mario.CodiceFiscale)
	h.tap(h.app.citizen.convertCred[ord.ID])
	v := h.app.citizen.convertScreen
	h.fillDocument(v.doc, passport)
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	v.checkSigned.SetChecked(true)
	h.tap(v.convert)

	// then centrale holds it dispositivo;
	eventually(t, "the conversion", func() bool {
		r, err := cen.store.Current(ctx, mario.CodiceFiscale, central.SlotPIN)
		return err == nil && r.Credential.ID == ord.ID && r.Credential.Type == pinsede.Dispositivo
	})

	// when a delegation is registered and then revoked, then centrale
	// holds it, then holds it revoked.
	self := pinsede.Party{CodiceFiscale: mario.CodiceFiscale, Cognome: mario.Cognome, Nome: mario.Nome, Document: passport}
	dl, err := h.desk.RegisterDelegation(h.app.session, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: self, Delegato: verdi(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the delegation", func() bool {
		r, err := cen.store.Delegation(ctx, dl.ID)
		return err == nil && r.Status == central.DelegationActive
	})
	h.app.showCitizen(mario.CodiceFiscale)
	h.tap(h.app.citizen.revokeDelegation[dl.ID])
	d := h.app.citizen.revokeDeleg
	h.typeIn(d.reason, "richiesta del delegante")
	d.checked.SetChecked(true)
	h.tap(d.confirm)
	eventually(t, "the revocation of the delegation", func() bool {
		r, err := cen.store.Delegation(ctx, dl.ID)
		return err == nil && r.Status == central.DelegationRevoked && r.Delegation.RevokeReason == "richiesta del delegante"
	})
	// Every event was accepted: none is left in the outbox.
	eventually(t, "every event", func() bool { s, err := h.desk.Summary(); return err == nil && s.PendingSync == 0 })
}

// Ensure that Tab to the delegation's check box, below the window,
// scrolls it into view as it does the fields, that its buttons, at the
// foot of the window (footedPage), show with the page at its top: the
// focus on Registra delega was drawn out of sight (found by
// TestXInputEveryKey), and that a button in the header does not scroll
// the page.
func TestDelegationTabShowsButtons(t *testing.T) {
	h := ready(t)
	if _, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport); err != nil {
		t.Fatal(err)
	}
	v := h.openDelegation()
	sc := h.app.currentScroll()
	d := fyne.CurrentApp().Driver()
	c := h.win.Canvas()
	// In the page's scroll, or else in the window.
	visible := func(o fyne.CanvasObject) bool {
		top, height := d.AbsolutePositionForObject(o).Y-d.AbsolutePositionForObject(sc).Y, sc.Size().Height
		if !holds(sc.Content, o) {
			top, height = d.AbsolutePositionForObject(o).Y, c.Size().Height
		}
		return top >= 0 && top+o.Size().Height <= height
	}
	for _, o := range []fyne.Focusable{v.checked, v.back, v.register} {
		sc.ScrollToTop()
		c.Focus(o)
		if !visible(o.(fyne.CanvasObject)) {
			t.Errorf("%T focused: out of sight, the page at %v of %v", o, sc.Offset.Y, sc.Content.MinSize().Height)
		}
	}
	at := sc.Offset.Y
	c.Focus(h.app.header.help)
	if sc.Offset.Y != at {
		t.Errorf("Guida focused: the page scrolled from %v to %v", at, sc.Offset.Y)
	}
}
