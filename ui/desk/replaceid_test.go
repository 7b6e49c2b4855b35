package desk

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that the replacement of a slip checks the identity as an issue
// does: the dialog holds the desk's document form, filled with the
// citizen's document on record, and the clerk's checklist, unticked; a
// check not ticked and an expired document are refused, each problem under
// its field, with what was typed kept and no slip printed; the document
// checked goes to the citizen's record and the audit entry. Before, the
// dialog asked only for a reason and a supervisor's password, and a new PIN
// was printed with no identity check.
func TestReplaceSlipChecksIdentity(t *testing.T) {
	h, out := onMariosPage(t)
	h.addOperator("c.bianchi", "Carla Bianchi", pinsede.RoleSupervisore, "password-bianchi")
	h.app.showCitizen(mario.CodiceFiscale)
	h.tap(h.app.citizen.replaceSlip[out.Credential.ID])
	d := h.app.citizen.replace
	if d == nil || d.doc == nil {
		t.Fatal("the replacement dialog has no document form")
	}
	doc := foreignPassport.Document
	if d.doc.number.Text != doc.Number || d.doc.expires.Text != doc.ExpiresOn.Italian() || d.doc.documentType() != doc.Type || d.doc.country.code() != doc.Country {
		t.Errorf("the document is not filled in from the record: %+v", d.doc.document())
	}
	if d.checkOriginal.Checked || d.checkPhoto.Checked || d.checkSigned.Checked {
		t.Error("a check is ticked before the clerk saw the original")
	}
	assertScreen(t, h, "sostituzione")

	problem := func(field string) string { return d.fields[field].errText }
	d.reason.SetSelected(reason(pinsede.ReasonSlipLost))
	h.typeIn(d.supID, "c.bianchi")
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	for _, f := range []string{pinsede.FieldCheckOriginal, pinsede.FieldCheckPhoto, pinsede.FieldCheckSigned} {
		if got, want := problem(f), lang.L(pinsede.KeyCheckNotDone); got != want {
			t.Errorf("%s unticked: problem %q, want %q", f, got, want)
		}
	}
	if got := d.msg.text(); got != lang.L("form.haserrors") {
		t.Errorf("message %q", got)
	}
	if h.win.Canvas().Focused() != fyne.Focusable(d.checkOriginal) {
		t.Errorf("the focus is on %T, want the first check not ticked", h.win.Canvas().Focused())
	}
	assertScreen(t, h, "sostituzione-controlli")
	if d.supID.Text != "c.bianchi" || d.supPW.Text != "password-bianchi" || d.doc.number.Text != doc.Number {
		t.Errorf("what was typed was lost: id %q, password kept %v, number %q", d.supID.Text, d.supPW.Text != "", d.doc.number.Text)
	}

	// The citizen shows a document expired yesterday.
	d.checkOriginal.SetChecked(true)
	d.checkPhoto.SetChecked(true)
	d.checkSigned.SetChecked(true)
	yesterday := pinsede.DateOf(testNow.AddDate(0, 0, -1)).Italian()
	h.typeIn(d.doc.expires, yesterday)
	h.tap(d.confirm)
	if got := problem(pinsede.FieldDocExpires); !strings.Contains(got, "scaduto il "+yesterday) {
		t.Errorf("an expired document: problem %q", got)
	}
	if n := len(h.printer.printed()); n != 1 {
		t.Fatalf("a replacement refused printed: %d slips", n)
	}
	if h.win.Canvas().Focused() != fyne.Focusable(d.doc.expires) || d.doc.expires.Text != yesterday {
		t.Errorf("focus on %T, expiry %q; want the expiry, as typed", h.win.Canvas().Focused(), d.doc.expires.Text)
	}

	// A new passport, seen now.
	h.typeIn(d.doc.number, "AAB654321")
	h.typeIn(d.doc.issued, pinsede.DateOf(testNow.AddDate(0, 0, -2)).Italian())
	h.typeIn(d.doc.expires, "01/02/2036")
	if p := problem(pinsede.FieldDocExpires); p != "" {
		t.Errorf("a valid expiry still shows %q", p)
	}
	h.tap(d.confirm)
	if h.app.result == nil || h.app.current.View != h.app.result.screen.View {
		t.Fatalf("want the result screen, message %q", d.msg.text())
	}
	if n := len(h.printer.printed()); n != 2 {
		t.Fatalf("%d slips printed, want 2", n)
	}
	p, err := h.desk.Citizen(h.app.session, mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if p.Citizen.Document.Number != "AAB654321" {
		t.Errorf("the citizen's record keeps the document %+v", p.Citizen.Document)
	}
	named := false
	for _, e := range p.History {
		named = named || e.Action == pinsede.ActionSlipReplaced && strings.Contains(e.Detail, "n. AAB654321 (AR), scade il 01/02/2036")
	}
	if !named {
		t.Errorf("no audit entry names the document checked: %+v", p.History)
	}
}

// Ensure that the replacement's dialog goes by Tab in the order it shows:
// the reasons, the document, the checks, the supervisor's id and
// password, Annulla, Sostituisci e stampa, and round again.
func TestReplaceDialogTabOrder(t *testing.T) {
	testclock.RealDayOnly(t, "the replace dialog's tab order")
	h, out := onMariosPage(t)
	h.tap(h.app.citizen.replaceSlip[out.Credential.ID])
	d := h.app.citizen.replace
	c := h.win.Canvas()
	want := []fyne.Focusable{
		d.reason.boxes[0], d.reason.boxes[1],
		d.doc.docType, d.doc.number, d.doc.authority, d.doc.country.entry, d.doc.issued, d.doc.expires,
		d.checkOriginal, d.checkPhoto, d.checkSigned,
		d.supID, d.supPW, d.cancel, d.confirm, d.reason.boxes[0],
	}
	if c.Focused() != want[0] {
		t.Fatalf("the dialog opens with the focus on %T, want the first reason", c.Focused())
	}
	var got []string
	for i := 1; i < len(want); i++ {
		c.FocusNext()
		got = append(got, fmt.Sprintf("%T", c.Focused()))
		if c.Focused() != want[i] {
			t.Fatalf("Tab %d: focus on %T (%v), want %T", i, c.Focused(), got, want[i])
		}
	}
}

// Ensure that the replacement's dialog fits a 1024×768 screen, in Italian
// and in English, with a problem under every field and the longest
// message it foresees: its buttons in view.
func TestReplaceDialogFitsA1024Screen(t *testing.T) {
	testclock.RealDayOnly(t, "the replace dialog on a 1024 px screen")
	inEachLanguage(t, func(t *testing.T, language string) {
		h, out := onMariosPage(t)
		h.tap(h.app.citizen.replaceSlip[out.Credential.ID])
		d := h.app.citizen.replace
		for _, e := range []*entry{d.doc.number, d.doc.authority, d.doc.issued, d.doc.expires} {
			h.typeIn(e, "x")
		}
		d.validate(true)
		d.msg.set(msgError, lang.L("replace.err.print", map[string]any{"Serial": out.Credential.SlipSerial}))
		if m := h.smallest(); m.Width > 1024 || m.Height > 768 {
			t.Errorf("the dialog needs %.0f×%.0f px, more than a 1024×768 screen", m.Width, m.Height)
		}
		h.win.Resize(fyne.NewSize(1024, 768))
		h.frame()
		box := h.win.Canvas().Overlays().Top().(*widget.PopUp).Content // the dialog
		for _, l := range h.squeezed() {
			if within(l, box) {
				t.Errorf("at 1024×768: %q drawn in %.0f px, needs %.0f", l.Text, l.Size().Width, l.MinSize().Width)
			}
		}
		for _, b := range []*button{d.cancel, d.confirm} {
			if !within(b, box) || !within(box, h.win.Content()) {
				t.Errorf("at 1024×768 %q is out of the window", b.Text)
			}
		}
		shot(t, h, "sostituzione-1024-"+language)
	})
}

// within reports whether o is drawn inside the bounds of in.
func within(o, in fyne.CanvasObject) bool {
	d := fyne.CurrentApp().Driver()
	p, q := d.AbsolutePositionForObject(o), d.AbsolutePositionForObject(in)
	return p.X >= q.X && p.Y >= q.Y && p.X+o.Size().Width <= q.X+in.Size().Width && p.Y+o.Size().Height <= q.Y+in.Size().Height
}
