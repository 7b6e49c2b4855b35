package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that "Il cittadino userà SPID, CIE o CNS" on the verification
// screen asks which, records the choice with no PIN, goes back home with a
// confirmation, and that the citizen's page shows it in the history.
func TestDigitalIdentityChoice(t *testing.T) {
	testclock.RealDayOnly(t, "the choice of SPID, CIE or CNS")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	if !strings.Contains(h.screenText(), "Il cittadino userà SPID, CIE o CNS") {
		t.Fatal("no SPID/CIE/CNS button on the verification screen")
	}
	h.tap(v.digital)
	d := v.digitalDialog
	if d == nil {
		t.Fatal("no dialog")
	}
	// No choice yet: the dialog says so, and nothing moves.
	h.assertStays(stays{msg: d.msg, keep: []fyne.CanvasObject{d.choice.object, d.cancel, d.confirm}, above: 1, cases: []stayCase{
		{Name: "no choice", Show: func() {
			h.tap(d.confirm)
			if got := d.msg.text(); !strings.Contains(got, "Scegli SPID, CIE o CNS") {
				t.Fatalf("no choice: %q", got)
			}
		}},
	}})
	d.choice.SetSelected("SPID")
	h.tap(d.confirm)
	if h.app.home == nil || h.app.current.View != h.app.home.screen.View {
		t.Fatal("not back home after the choice")
	}
	if h.app.request != nil || h.app.verify != nil {
		t.Error("the request was not dropped")
	}
	if d.done == nil || !strings.Contains(h.screenText(), "Rossi Mario userà SPID: nessun PIN emesso") {
		t.Fatalf("no confirmation:\n%s", h.screenText())
	}
	if len(h.printer.printed()) != 0 {
		t.Fatal("a slip was printed")
	}
	d.done.Hide()

	h.app.showCitizen(mario.CodiceFiscale)
	h.settle()
	if h.app.citizen == nil || h.app.current.View != h.app.citizen.screen.View {
		t.Fatal("no citizen page")
	}
	if len(h.app.citizen.page.Credentials) != 0 {
		t.Fatalf("credentials %+v", h.app.citizen.page.Credentials)
	}
	if text := h.screenText(); !strings.Contains(text, "Sceglie SPID, CIE o CNS al posto del PIN") || !strings.Contains("\n"+text+"\n", "\nSPID\n") {
		t.Fatalf("the history lacks the choice:\n%s", text)
	}
	found := false
	for _, e := range h.app.citizen.page.History {
		found = found || (e.Action == pinsede.ActionDigitalIdentity && e.Detail == "SPID" && e.Actor == "m.rossi")
	}
	if !found {
		t.Fatalf("history %+v", h.app.citizen.page.History)
	}
}
