package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
	"github.com/pinsede/pinsede/ui/theme"
)

// putOrdinario stores mario's record and an active PIN ordinario of his,
// issued a month before the desk's clock by another channel.
func (h *harness) putOrdinario(id string) pinsede.Credential {
	h.t.Helper()
	issued := h.now.AddDate(0, -1, 0)
	c := pinsede.Credential{
		ID: id, CodiceFiscale: mario.CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo,
		PINHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", IssuedAt: issued,
		ExpiresAt: issued.AddDate(0, pinsede.ValidityMonths, 0), IssuedBy: "web", Sede: "WEB", SlipSerial: "WEB-20260210-ABC123",
	}
	err := h.store.Update(func(tx pinsede.Tx) error {
		if err := tx.PutCitizen(pinsede.Citizen{Request: mario, UpdatedAt: issued}); err != nil {
			return err
		}
		return tx.PutCredential(c)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// fillDocument types a document into a document form.
func (h *harness) fillDocument(d *documentForm, doc pinsede.Document) {
	d.docType.SetSelectedIndex(indexOf(pinsede.DocumentTypes(), doc.Type))
	h.typeIn(d.number, doc.Number)
	h.typeIn(d.authority, doc.Authority)
	if doc.Country != "" {
		d.country.set(doc.Country)
	}
	h.typeIn(d.issued, doc.IssuedOn.Italian())
	h.typeIn(d.expires, doc.ExpiresOn.Italian())
	h.win.Canvas().Unfocus()
}

// Ensure that the citizen's page offers "Converti in dispositivo" only for
// an active PIN ordinario, shows the duration of a PIN telefonico, and
// that the conversion asks the identity check of an issue, then converts
// the PIN at once with no slip, leaving an audit entry and an outbox event.
func TestConvertFromCitizenPage(t *testing.T) {
	h := ready(t)
	ord := h.putOrdinario("ord1")
	tel, err := h.desk.IssueTelephonePIN(context.Background(), h.app.session, mario, foreignPassport, pinsede.ValidityWeek)
	if err != nil {
		t.Fatal(err)
	}
	printed := len(h.printer.printed())

	// Given the citizen's page, then only the PIN ordinario can be
	// converted, and the PIN telefonico shows its duration;
	h.app.showCitizen(mario.CodiceFiscale)
	c := h.app.citizen
	if c.convertCred[ord.ID] == nil || c.convertCred[tel.Credential.ID] != nil || len(c.convertCred) != 1 {
		t.Fatalf("convert buttons %v", c.convertCred)
	}
	if text := h.screenText(); !strings.Contains(text, "Durata") || !strings.Contains(text, "1 settimana") {
		t.Errorf("citizen page lacks the validity of the PIN telefonico:\n%s", text)
	}

	// when the clerk converts with the check not done, then nothing happens
	// and the fields say why;
	h.tap(c.convertCred[ord.ID])
	v := c.convertScreen
	if v == nil || h.app.current.View != v.screen.View {
		t.Fatal("the conversion screen did not open")
	}
	h.tap(v.convert)
	if got := v.msg.text(); !strings.Contains(got, "da correggere") {
		t.Errorf("empty form: message %q", got)
	}
	if got := v.fields[pinsede.FieldCheckPhoto].problemText(); got == "" {
		t.Error("no problem under an unticked check")
	}

	// when the document is typed and the checks ticked, then it converts;
	h.fillDocument(v.doc, passport)
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	v.checkSigned.SetChecked(true)
	h.tap(v.convert)
	c = h.app.citizen
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("not back on the citizen page: %q", v.msg.text())
	}
	if got := c.msg.text(); !strings.Contains(got, "dispositivo") {
		t.Errorf("citizen page message %q", got)
	}
	if len(c.convertCred) != 0 || !strings.Contains(h.screenText(), "Convertito in dispositivo") {
		t.Errorf("page after conversion: buttons %v\n%s", c.convertCred, h.screenText())
	}
	if len(h.printer.printed()) != printed {
		t.Error("a slip was printed for a conversion")
	}
	var got pinsede.Credential
	err = h.store.View(func(tx pinsede.Tx) (err error) { got, err = tx.Credential(ord.ID); return err })
	if err != nil || got.Type != pinsede.Dispositivo || got.PINHash != ord.PINHash || got.ConvertedBy != "m.rossi" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	audited := false
	err = h.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		audited = audited || (e.Action == pinsede.ActionConverted && e.Credential == ord.ID)
		return nil
	})
	if err != nil || !audited {
		t.Errorf("conversion not audited: %v", err)
	}
	items, err := h.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	if ev := items[len(items)-1].Event; ev.Kind != pinsede.EventConverted || ev.Credential.ID != ord.ID || ev.Credential.Type != pinsede.Dispositivo {
		t.Errorf("last event %+v", ev)
	}
}

// Ensure that a keyboard-only clerk converts a PIN ordinario obtained
// online: the citizen's page opens with the keyboard on Converti in
// dispositivo, its only action (nothing had it, five Tabs away), and Space
// opens the conversion with the keyboard on its first field, the document's
// type, as every form screen opens (nothing had it).
func TestConvertByKeyboard(t *testing.T) {
	h := ready(t)
	ord := h.putOrdinario("ord1")
	h.app.showCitizen(mario.CodiceFiscale)
	c := h.app.citizen
	cv := c.convertCred[ord.ID]
	if f := h.win.Canvas().Focused(); cv == nil || f != fyne.Focusable(cv) {
		t.Fatalf("the citizen's page opened with the keyboard on %T, want Converti in dispositivo", f)
	}
	pressSpaceOn(h, cv)
	if v := c.convertScreen; v == nil || h.app.current.View != v.screen.View {
		t.Fatalf("Space on Converti in dispositivo did not open the conversion:\n%s", h.screenText())
	}
	if f, want := h.win.Canvas().Focused(), c.convertScreen.doc.docType; f != fyne.Focusable(want) {
		t.Errorf("the conversion opened with the keyboard on %T, want the document's type", f)
	}
}

// Ensure that the conversion screen renders as reviewed, filled in.
func TestConvertScreenGolden(t *testing.T) {
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	ord := h.putOrdinario("ord1")
	h.app.showCitizen(mario.CodiceFiscale)
	h.tap(h.app.citizen.convertCred[ord.ID])
	v := h.app.citizen.convertScreen
	h.fillDocument(v.doc, passport)
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	h.settle()
	assertScreen(t, h, "converti")
}

// portal returns an HTTP client of the INPS portal for centrale.
func (c *centrale) portal(t *testing.T) *http.Client {
	t.Helper()
	certPEM, keyPEM, err := c.ca.Issue(pki.RolePortal, "PORTALE", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ClientTLS(c.ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// verifyPIN asks centrale's portal check for a PIN of mario.
func (c *centrale) verifyPIN(t *testing.T, req wire.VerifyRequest) wire.VerifyResponse {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.portal(t).Post(c.http.URL+"/v1/pin/verify", wire.ContentJSON, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.VerifyResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("verify: %s, %v", resp.Status, err)
	}
	return out
}

// Ensure that a PIN ordinario obtained online, which the sede does not
// hold, is found at centrale from the citizen's page and converted there:
// the lookup starts by itself for a citizen with no PIN at the sede, says
// so in plain words when centrale is down (the form stays as typed, and
// nothing is written), and once converted the PIN verifies at centrale as
// dispositivo; the sede's copy offers no slip replacement nor revocation.
func TestConvertFoundAtCentrale(t *testing.T) {
	// Given a desk linked to centrale, a citizen known at the sede with
	// no PIN here, and a PIN ordinario of the online channel at centrale,
	const pin = "ACEFHJKMNPRTUVWX"
	h := ready(t)
	cen := h.linkCentrale()
	h.desk.Central = h.desk.Link.(*client.Client)
	ctx := context.Background()
	hash, err := pinsede.HashSecret([]byte(pin), cheap, h.desk.Rand)
	if err != nil {
		t.Fatal(err)
	}
	issued := h.now.AddDate(0, -1, 0)
	web := pinsede.Credential{
		ID: "web-ord", CodiceFiscale: mario.CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo, PINHash: hash,
		IssuedAt: issued, ExpiresAt: issued.AddDate(0, pinsede.ValidityMonths, 0), IssuedBy: "portale", Sede: "WEB",
	}
	res, err := cen.store.Apply(ctx, "WEB", []pinsede.Event{{ID: "web-1", Kind: pinsede.EventIssued, Time: issued, Sede: "WEB", Credential: web}}, issued)
	if err != nil || res[0].Verdict != wire.Accepted {
		t.Fatalf("seed: %+v, %v", res, err)
	}
	if err := h.store.Update(func(tx pinsede.Tx) error {
		return tx.PutCitizen(pinsede.Citizen{Request: mario, UpdatedAt: issued})
	}); err != nil {
		t.Fatal(err)
	}

	// when the clerk opens the citizen's page, then the lookup runs by
	// itself and offers to convert the PIN ordinario;
	h.app.showCitizen(mario.CodiceFiscale)
	h.wait()
	l := h.app.citizen.central
	if l == nil || l.convert[web.ID] == nil {
		t.Fatalf("no conversion offered: %q\n%s", l.msg.text(), h.screenText())
	}
	if text := h.screenText(); !strings.Contains(text, "sede o canale WEB") || strings.Contains(text, "argon2") {
		t.Errorf("the PIN found is not shown as expected:\n%s", text)
	}

	// when centrale is down, then "Cerca a centrale" says so;
	cen.down.Store(true)
	h.tap(l.search)
	if got := l.msg.text(); !strings.HasPrefix(got, "Centrale non raggiungibile") {
		t.Errorf("lookup with centrale down: %q", got)
	}
	if len(l.convert) != 0 {
		t.Errorf("conversion still offered with centrale down: %v", l.convert)
	}
	cen.down.Store(false)
	h.tap(l.search)
	if l.convert[web.ID] == nil {
		t.Fatalf("centrale back: %q", l.msg.text())
	}

	// when the clerk converts it after the identity check while centrale
	// is down, then the screen says so and nothing is written;
	h.tap(l.convert[web.ID])
	v := h.app.citizen.convertScreen
	if v == nil || !v.central || h.app.current.View != v.screen.View {
		t.Fatal("the conversion screen did not open")
	}
	h.fillDocument(v.doc, passport)
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	v.checkSigned.SetChecked(true)
	cen.down.Store(true)
	h.tap(v.convert)
	if got := v.msg.text(); !strings.HasPrefix(got, "Centrale non raggiungibile") || h.app.current.View != v.screen.View {
		t.Fatalf("conversion with centrale down: %q", got)
	}
	if err := h.store.View(func(tx pinsede.Tx) error { _, err := tx.Credential(web.ID); return err }); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("a conversion that failed wrote the credential: %v", err)
	}

	// when centrale is back and the clerk confirms again, then the page
	// shows the PIN dispositivo, with no slip replacement nor revocation,
	cen.down.Store(false)
	h.tap(v.convert)
	c := h.app.citizen
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("not back on the citizen page: %q", v.msg.text())
	}
	if got := c.msg.text(); !strings.Contains(got, "dispositivo") {
		t.Errorf("citizen page message %q", got)
	}
	if text := h.screenText(); !strings.Contains(text, "Convertito in dispositivo") || c.replaceSlip[web.ID] != nil || c.revokeCred[web.ID] != nil {
		t.Errorf("page after the conversion: replace %v, revoke %v\n%s", c.replaceSlip, c.revokeCred, text)
	}

	// and centrale holds it dispositivo: the portal's check says so.
	eventually(t, "the conversion", func() bool {
		r, err := cen.store.Current(ctx, mario.CodiceFiscale, central.SlotPIN)
		return err == nil && r.Credential.ID == web.ID && r.Credential.Type == pinsede.Dispositivo && r.Credential.Sede == "WEB"
	})
	cf := string(mario.CodiceFiscale)
	if got := cen.verifyPIN(t, wire.VerifyRequest{CodiceFiscale: cf, PIN: pin}); got.Outcome != wire.ChangeRequired || got.Type != pinsede.Dispositivo {
		t.Errorf("first login: %+v, want change_required, dispositivo", got)
	}
	if got := cen.verifyPIN(t, wire.VerifyRequest{CodiceFiscale: cf, PIN: pin, NewPIN: "Mare2026"}); got.Outcome != wire.Valid || got.Type != pinsede.Dispositivo {
		t.Errorf("login: %+v, want valid, dispositivo", got)
	}
	eventually(t, "every event", func() bool { s, err := h.desk.Summary(); return err == nil && s.PendingSync == 0 })
	if na, err := h.desk.NotAcceptedEvents(); err != nil || len(na) != 0 {
		t.Errorf("events not accepted: %+v, %v", na, err)
	}
}

// Ensure that the citizen's page renders as reviewed with the PINs found
// at centrale: a PIN ordinario of the online channel, active, which can be
// converted, and an older one it replaced.
func TestCentralLookupGolden(t *testing.T) {
	h := ready(t)
	test.ApplyTheme(t, theme.New())
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
	old := web
	old.ID, old.IssuedAt, old.ExpiresAt = "web-old", issued.AddDate(-1, 0, 0), issued.AddDate(-1, pinsede.ValidityMonths, 0)
	evs := []pinsede.Event{
		{ID: "web-0", Kind: pinsede.EventIssued, Time: old.IssuedAt, Sede: "WEB", Credential: old},
		{ID: "web-1", Kind: pinsede.EventIssued, Time: issued, Sede: "WEB", Credential: web},
	}
	for _, ev := range evs { // each accepted when it was issued: centrale takes no event a year old
		if res, err := cen.store.Apply(context.Background(), "WEB", []pinsede.Event{ev}, ev.Time); err != nil || res[0].Verdict != wire.Accepted {
			t.Fatalf("%s: %+v, %v", ev.ID, res, err)
		}
	}
	if err := h.store.Update(func(tx pinsede.Tx) error {
		return tx.PutCitizen(pinsede.Citizen{Request: mario, UpdatedAt: issued})
	}); err != nil {
		t.Fatal(err)
	}
	h.app.showCitizen(mario.CodiceFiscale)
	h.wait()
	if l := h.app.citizen.central; l == nil || len(l.convert) != 1 || l.convert[web.ID] == nil {
		t.Fatalf("lookup: %+v", l)
	}
	h.settle()
	assertScreen(t, h, "cittadino-centrale")
}
