package desk

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/ui/internal/uitest"
	"github.com/pinsede/pinsede/ui/theme"
)

// foreignPassport is the verification of the credentials these tests issue
// through the domain: a passport of the country of residence.
var foreignPassport = pinsede.Verification{
	Document: pinsede.Document{
		Type: pinsede.DocPassaportoEstero, Number: "AAA123456", Authority: "Ministerio del Interior", Country: "AR",
		IssuedOn: pinsede.Date{Year: 2022, Month: 5, Day: 4}, ExpiresOn: pinsede.Date{Year: 2032, Month: 5, Day: 3},
	},
	Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
}

// Ensure that the clerk revokes their own PIN from the citizen's page with
// the document checked and a reason, with no approval asked; and that a
// PIN issued by another operator asks for another supervisor's id and
// password.
func TestRevokeFromCitizenPage(t *testing.T) {
	testclock.RealDayOnly(t, "the revocation's approval")
	h := ready(t)
	for _, n := range []pinsede.NewOperator{
		{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-verdi"},
		{ID: "c.bianchi", Name: "Carla Bianchi", Role: pinsede.RoleSupervisore, Password: "password-bianchi"},
	} {
		h.addOperator(n.ID, n.Name, n.Role, n.Password)
	}
	// Given a PIN the operator on the desk issued,
	own, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	h.app.showCitizen(mario.CodiceFiscale)
	b := h.app.citizen.revokeCred[own.Credential.ID]
	if b == nil {
		t.Fatal("no Revoca button for the active credential")
	}
	h.tap(b)
	d := h.app.citizen.revoke
	if d == nil || d.approvalFields != nil || !strings.Contains(h.screenText(), own.Credential.SlipSerial) {
		t.Fatal("the revocation dialog does not show the slip, or asks for an approval")
	}
	// when the document is not confirmed, then it asks for it;
	h.typeIn(d.reason, "richiesta del cittadino")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "documento") {
		t.Errorf("document not confirmed: message %q", got)
	}
	// when the reason is too short, then the field says so;
	d.checked.SetChecked(true)
	h.typeIn(d.reason, "boh")
	h.tap(d.confirm)
	if got := d.reasonF.problemText(); !strings.Contains(got, "10") {
		t.Errorf("short reason: problem %q, message %q", got, d.msg.text())
	}
	// when the reason has a character centrale refuses, then the field
	// names it and its place, and the reason stays as typed;
	const turned = "richiesta del \u202Ecittadino"
	h.typeIn(d.reason, turned)
	h.tap(d.confirm)
	if got := d.reasonF.problemText(); !strings.Contains(got, "invisibile in posizione 15") || !strings.Contains(got, "U+202E") || d.reason.Text != turned {
		t.Errorf("reason with U+202E: problem %q, reason now %q", got, d.reason.Text)
	}
	// when confirmed with a reason, then the page shows it revoked.
	h.typeIn(d.reason, "richiesta del cittadino")
	h.tap(d.confirm)
	if _, ok := h.app.citizen.revokeCred[own.Credential.ID]; ok || h.app.citizen.revoke != nil {
		t.Fatalf("still offered after the revocation, message %q", d.msg.text())
	}
	if text := h.screenText(); !strings.Contains(text, "richiesta del cittadino") || !strings.Contains(text, "Revocato") {
		t.Errorf("citizen page lacks the revocation:\n%s", text)
	}

	// Given a PIN another operator issued,
	other := h.issuedByVerdi()
	h.tap(h.app.citizen.revokeCred[other.Credential.ID])
	d = h.app.citizen.revoke
	if d.approvalFields == nil || !strings.Contains(h.screenText(), "l.verdi") {
		t.Fatal("no approval asked for another operator's PIN")
	}
	d.checked.SetChecked(true)
	h.typeIn(d.reason, "sospetto uso da parte di altri")
	// when the operator approves it themself, then it is refused;
	h.typeIn(d.supID, "m.rossi")
	h.typeIn(d.supPW, "password-di-prova")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "diverso da te") {
		t.Errorf("own approval: message %q", got)
	}
	test.ApplyTheme(t, theme.New())
	assertScreen(t, h, "revoca-approvazione") // the dual-control dialog, with its message
	// when another supervisor approves, then it is revoked and audited.
	h.typeIn(d.supID, "c.bianchi")
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if _, ok := h.app.citizen.revokeCred[other.Credential.ID]; ok {
		t.Fatalf("still offered after the approved revocation, message %q", d.msg.text())
	}
	if text := h.screenText(); !strings.Contains(text, "approvato da c.bianchi") {
		t.Errorf("citizen page lacks the approver:\n%s", text)
	}
}

// Ensure that a revocation at the desk reaches centrale at once: the desk
// asks its link to push when it commits, and centrale holds the PIN
// revoked.
func TestRevokeReachesCentrale(t *testing.T) {
	// Given a desk linked to centrale, and a PIN centrale holds active,
	h := ready(t)
	cen := startCentrale(t)
	c := cen.client(t, "ROMA01", h.store)
	h.desk.Link = c
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); uitest.Await(t, done, "the sync client's end") })
	out, err := h.desk.Issue(ctx, h.app.session, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	centraleState := func(want pinsede.CredentialState) {
		t.Helper()
		eventually(t, "the PIN "+string(want)+" at centrale", func() bool {
			r, err := cen.store.Current(ctx, mario.CodiceFiscale, central.SlotPIN)
			return err == nil && r.Credential.ID == out.Credential.ID && r.Credential.State == want
		})
	}
	centraleState(pinsede.StateAttivo)

	// when the clerk revokes it from the citizen's page, with a Return
	// in the reason (the box has three lines, and its hint says that a
	// Return is a space),
	h.app.showCitizen(mario.CodiceFiscale)
	h.tap(h.app.citizen.revokeCred[out.Credential.ID])
	d := h.app.citizen.revoke
	if !strings.Contains(d.reason.PlaceHolder, lang.L("reason.oneline")) {
		t.Errorf("the reason's hint %q does not say that a Return is a space", d.reason.PlaceHolder)
	}
	d.checked.SetChecked(true)
	h.typeIn(d.reason, "richiesta")
	d.reason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(d.reason, "del cittadino")
	h.tap(d.confirm)

	// then centrale holds it revoked, the reason on one line, without
	// waiting for a pull or a retry: a line break, refused there, left
	// the PIN working at the portal.
	centraleState(pinsede.StateRevocato)
	if r, err := cen.store.Current(ctx, mario.CodiceFiscale, central.SlotPIN); err != nil || r.Credential.RevokeReason != "richiesta del cittadino" {
		t.Errorf("centrale holds the reason %q, %v", r.Credential.RevokeReason, err)
	}
}

// Ensure that the revocation's dialog keeps its fields and buttons where
// they are, to the pixel, whichever problem shows, in the message or
// under the reason (real revocations refused: the document not
// confirmed, a reason too short, the approver's own password), in every
// language of the desk, at 1280×800 and at the window's smallest size:
// the window centres the dialog, and a taller dialog would move them all.
func TestRevokeDialogFieldsStay(t *testing.T) {
	testclock.RealDayOnly(t, "the revoke dialog's fields in place")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := ready(t)
		test.ApplyTheme(t, theme.New())
		h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-verdi")
		other := h.issuedByVerdi()
		h.tap(h.app.citizen.revokeCred[other.Credential.ID])
		d := h.app.citizen.revoke
		refused := func(name, reason string, checked bool, want string) stayCase {
			return h.submitted(name, func() {
				d.checked.SetChecked(checked)
				h.typeIn(d.reason, reason)
				h.typeIn(d.supID, "m.rossi")
				h.typeIn(d.supPW, "password-di-prova")
			}, d.confirm, d.msg, want)
		}
		h.assertStays(stays{msg: d.msg, keep: []fyne.CanvasObject{d.reason, d.checked, d.supID, d.supPW, d.cancel, d.confirm}, above: 4, cases: []stayCase{
			shown(d.msg, "revoke.err.notchecked"),
			shown(d.msg, "revoke.err.reason"),
			shown(d.msg, "replace.err.same"),
			shown(d.msg, "replace.err.badcredentials"),
			shown(d.msg, "revoke.err.notsupervisor"),
			shown(d.msg, "revoke.err.notactive"),
			refused("the document not confirmed", "richiesta del cittadino", false, lang.L("revoke.err.notchecked")),
			refused("a reason too short", "boh", true, lang.L("revoke.err.reason")),
			refused("the approver's own", "richiesta del cittadino", true, lang.L("replace.err.same")),
		}})
		if *shots != "" {
			h.win.Resize(fyne.NewSize(1280, 800))
			refused("", "boh", true, lang.L("revoke.err.reason")).Show()
			writeShots(t, h, "revoca-problema-"+language)
			// An unexpected error longer than the room: it scrolls inside
			// the panel's border.
			d.msg.set(msgError, lang.L("err.unexpected", map[string]any{"Err": strings.Repeat("open store /var/lib/pinsede/sportello.db: input/output error; ", 6)}))
			writeShots(t, h, "revoca-errore-lungo-"+language)
		}
	})
}

// issuedByVerdi issues Mario Rossi a PIN as l.verdi, an operatore of the
// sede, and shows his page.
func (h *harness) issuedByVerdi() pinsede.Issued {
	h.t.Helper()
	verdi, err := h.desk.Login("l.verdi", "password-verdi")
	if err != nil {
		h.t.Fatal(err)
	}
	other, err := h.desk.Issue(context.Background(), verdi, mario, foreignPassport)
	if err != nil {
		h.t.Fatal(err)
	}
	h.app.showCitizen(mario.CodiceFiscale)
	return other
}
