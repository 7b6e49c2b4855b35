package desk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that a slip whose result screen was left is still handed over:
// the home page lists today's slips not handed over, an entry opens the
// citizen's page, whose "Registra consegna" asks, then records the
// handover with its audit entry, and the home page lists it no more.
func TestHandoverFromCitizenPage(t *testing.T) {
	h := ready(t)
	out, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	// The clerk left the result screen without recording the handover.
	h.app.showHome()
	p := h.app.home.handover
	if !p.object.Visible() || p.count.Text != "1" || len(p.open) != 1 || !strings.Contains(p.open[0].Text, out.Credential.SlipSerial) {
		t.Fatalf("home lists %s slips to hand over (%d entries), want 1 with %s", p.count.Text, len(p.open), out.Credential.SlipSerial)
	}
	h.tap(p.open[0])
	c := h.app.citizen
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatal("the entry does not open the citizen's page")
	}
	ho := c.handover[out.Credential.ID]
	if ho == nil {
		t.Fatalf("no Registra consegna on the citizen's page:\n%s", h.screenText())
	}
	h.tap(ho)
	if !strings.Contains(h.screenText(), out.Credential.SlipSerial) {
		t.Fatalf("the confirmation does not name the envelope:\n%s", h.screenText())
	}
	h.tapDialogConfirm()
	page, err := h.desk.Citizen(h.app.session, mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if got := page.Credentials[0]; got.HandedOverAt.IsZero() || got.HandedOverBy != "m.rossi" {
		t.Fatalf("handover not recorded: %+v", got)
	}
	var audited bool
	for _, e := range page.History {
		audited = audited || e.Action == pinsede.ActionHandedOver && e.Credential == out.Credential.ID
	}
	if !audited {
		t.Error("no audit entry of the handover")
	}
	if c := h.app.citizen; c.handover[out.Credential.ID] != nil || !strings.Contains(h.screenText(), "Consegna registrata") {
		t.Errorf("the page does not show the handover done:\n%s", h.screenText())
	}
	h.app.showHome()
	if p := h.app.home.handover; p.object.Visible() || p.count.Text != "0" {
		t.Errorf("after the handover the home still lists %s slips", p.count.Text)
	}
}

// buttonOf returns o as the desk's button, nil when it is not one.
func buttonOf(o fyne.CanvasObject) *button {
	b, _ := o.(*button)
	return b
}

// tapDialogConfirm taps the confirm button of the dialog open on the
// window and waits for the work it started.
func (h *harness) tapDialogConfirm() {
	h.t.Helper()
	var found *button
	if len(h.win.Canvas().Overlays().List()) == 0 {
		h.t.Fatalf("no dialog open:\n%s", h.screenText())
	}
	h.walkShown(func(o fyne.CanvasObject) {
		if b := buttonOf(o); b != nil && b.Importance == widget.HighImportance {
			found = b // the dialog's, drawn last
		}
	})
	if found == nil {
		h.t.Fatalf("no dialog with a confirm button:\n%s", h.screenText())
	}
	h.tap(found)
}

// Ensure that the screen of a PIN just issued keeps Registra consegna
// where it was, to the pixel, when the handover is refused (each refusal
// it foresees, and a real one: the PIN revoked meanwhile), in every
// language of the desk, at 1280×800 and at the window's smallest size.
func TestResultFieldsStay(t *testing.T) {
	testclock.RealDayOnly(t, "the result's fields in place")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := ready(t)
		test.ApplyTheme(t, theme.New())
		out, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
		if err != nil {
			t.Fatal(err)
		}
		h.app.showResult(mario, out)
		r := h.app.result
		h.assertStays(stays{msg: r.msg, keep: []fyne.CanvasObject{r.serial, r.handover}, above: 1, scrolls: true, cases: []stayCase{
			shown(r.msg, "err.notactive"),
			shown(r.msg, "err.handedover"),
			{Name: "revoked meanwhile", Show: func() {
				if _, err := h.desk.Revoke(h.app.session, out.Credential.ID, "richiesta del cittadino"); err != nil && !errors.Is(err, pinsede.ErrNotActive) {
					t.Fatal(err)
				}
				h.tap(r.handover)
				if r.msg.text() == "" || !r.handover.Visible() {
					t.Fatalf("a handover of a revoked PIN: %q", r.msg.text())
				}
			}},
		}})
	})
}
