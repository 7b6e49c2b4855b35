package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that nothing typed is lost to a crash: the MV35 and the identity
// check half done, the desk gone without a logout, the same operator's
// next login offers the request, and resuming it brings back every field
// on the screen it was left on.
func TestDraftResumedAfterCrash(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	v.docType.SetSelectedIndex(indexOf(pinsede.DocumentTypes(), passport.Type))
	h.typeIn(v.number, passport.Number)
	h.typeIn(v.expires, "03/05/20") // half typed
	v.checkOriginal.SetChecked(true)
	h.app.checkDraft()
	h.wait()

	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	if h.app.request != nil {
		t.Fatal("a request opened before the clerk chose to resume it")
	}
	if got := h.screenText(); !strings.Contains(got, "Rossi Mario") {
		t.Fatalf("no offer to resume the request of Rossi Mario:\n%s", got)
	}
	h.tapDialogConfirm()
	if h.app.verify == nil || h.app.current.View != h.app.verify.screen.View {
		t.Fatal("resumed, but not on the identity check")
	}
	v = h.app.verify
	if v.documentType() != passport.Type || v.number.Text != passport.Number || v.expires.Text != "03/05/20" ||
		!v.checkOriginal.Checked || v.checkPhoto.Checked {
		t.Errorf("identity check resumed as type %q, number %q, expiry %q, checks %v %v",
			v.documentType(), v.number.Text, v.expires.Text, v.checkOriginal.Checked, v.checkPhoto.Checked)
	}
	r := h.app.request
	if got := r.request(); got.Cognome != mario.Cognome || got.CodiceFiscale != mario.CodiceFiscale ||
		got.Residenza.Country != mario.Residenza.Country || got.Sesso != mario.Sesso || got.LuogoNascita.Code != mario.LuogoNascita.Code {
		t.Errorf("MV35 resumed as %+v", got)
	}

	// Issued, the request leaves no draft: the next start offers nothing.
	h.typeIn(v.expires, passport.ExpiresOn.Italian())
	h.typeIn(v.issued, passport.IssuedOn.Italian())
	h.typeIn(v.authority, passport.Authority)
	v.country.set(passport.Country)
	v.checkPhoto.SetChecked(true)
	v.checkSigned.SetChecked(true)
	h.tap(v.issue)
	if h.app.result == nil {
		t.Fatalf("not issued:\n%s", h.screenText())
	}
	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	if n := len(h.win.Canvas().Overlays().List()); n != 0 {
		t.Errorf("after the issue, the next login opens %d dialogs:\n%s", n, h.screenText())
	}
}

// Ensure that a logout leaves no draft behind: the work was left on
// purpose.
func TestDraftWipedAtLogout(t *testing.T) {
	h := ready(t)
	h.tap(h.app.home.newRequest)
	h.typeIn(h.app.request.cognome, "Bianchi")
	h.app.checkDraft()
	h.wait()
	if _, ok, err := h.desk.Draft(h.app.session); !ok || err != nil {
		t.Fatalf("no draft kept: %v", err)
	}
	s := h.app.session
	h.app.logout()
	h.wait()
	if _, ok, err := h.desk.Draft(s); ok || err != nil {
		t.Errorf("after the logout Draft = %v, %v; want none", ok, err)
	}
}

// Ensure that the offer to resume a request takes keys as a clerk expects:
// Riprendi has the keyboard (Enter resumes), Esc closes the question and
// wipes nothing (the next login offers it again), Scarta wipes it. (Esc
// answered no, and wiped the request.)
func TestDraftOfferKeys(t *testing.T) {
	testclock.RealDayOnly(t, "the draft offer's keys")
	h := ready(t)
	h.typeIn(h.newRequest().cognome, "Bianchi")
	h.app.checkDraft()
	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	cv := h.win.Canvas()
	if b, ok := cv.Focused().(*button); !ok || b.Text != "Riprendi" {
		t.Fatalf("the offer's keyboard is on %T, want Riprendi:\n%s", cv.Focused(), h.screenText())
	}
	key(cv.Focused(), fyne.KeyEscape)
	h.wait()
	if len(h.app.dialogs) != 0 || h.app.request != nil {
		t.Fatalf("Esc on the offer: %d dialogs, request %v; want it closed, none resumed", len(h.app.dialogs), h.app.request != nil)
	}
	if _, ok, err := h.desk.Draft(h.app.session); !ok || err != nil {
		t.Fatalf("Esc on the offer wiped the request: %v, %v", ok, err)
	}

	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	key(h.win.Canvas().Focused(), fyne.KeyReturn)
	h.wait()
	if r := h.app.request; r == nil || r.cognome.Text != "Bianchi" {
		t.Fatal("Enter on the offer did not resume the request")
	}

	h.restart()
	h.logIn("m.rossi", "password-di-prova")
	h.tap(dialogButtonOf(h, "Scarta"))
	if _, ok, err := h.desk.Draft(h.app.session); ok || err != nil {
		t.Errorf("after Scarta Draft = %v, %v; want none", ok, err)
	}
}
