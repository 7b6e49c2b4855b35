package desk

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that a key pressed after the issue reaches nothing of the identity
// check that is gone. The clerk read the MRZ, ticked "Il cittadino ha
// firmato il modello MV35" and pressed Emetti PIN; then Space, on the "PIN
// emesso" screen, toggled that check box, still focused, whose handler read
// the dropped request: a nil-pointer panic that closed the desk.
func TestSpaceAfterIssueReachesNoOldScreen(t *testing.T) {
	testclock.RealDayOnly(t, "a Space after the issue")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	h.fillVerification(passport)
	h.typeIn(v.mrz, passportMRZ)
	if v.mrzRead == nil {
		t.Fatalf("the passport's MRZ does not parse: %v", v.mrzErr)
	}
	h.win.Canvas().Focus(v.checkSigned) // where the clerk's last key left it
	h.tap(v.issue)
	if h.app.result == nil || h.app.current.View != h.app.result.screen.View {
		t.Fatalf("not issued: %s", h.screenText())
	}
	if f := h.win.Canvas().Focused(); f == fyne.Focusable(v.checkSigned) || f == fyne.Focusable(v.mrz) {
		t.Fatalf("the focus stayed on the identity check's %T after the issue", f)
	}
	if f := h.win.Canvas().Focused(); f != nil {
		test.Type(f, " ")
	}
	// The real driver may still deliver a key in flight to the old widget.
	v.checkSigned.TypedRune(' ')
	test.Type(v.mrz, "X")
	if h.app.current.View != h.app.result.screen.View {
		t.Errorf("a key after the issue left the result screen: %s", h.screenText())
	}
}

// Ensure that the window's title names the screen shown, after the desk's
// own title: the task bar shows where the desk is, and the X input test of
// cmd/sportello waits on it.
func TestWindowTitleNamesTheScreen(t *testing.T) {
	testclock.RealDayOnly(t, "the window's title")
	h := newHarness(t)
	h.win.SetTitle("PIN Sede – Sportello")
	h.app.winTitle = h.win.Title() // as New finds it on the real window
	h.app.showSetup()
	if got, want := h.win.Title(), "PIN Sede – Sportello · "+lang.L("setup.title"); got != want {
		t.Errorf("set-up: title %q, want %q", got, want)
	}
	h.setUp()
	h.logIn("m.rossi", "password-di-prova")
	if got, want := h.win.Title(), "PIN Sede – Sportello · "+lang.L("home.title"); got != want {
		t.Errorf("home: title %q, want %q", got, want)
	}
	h.tap(h.app.home.newRequest)
	if got, want := h.win.Title(), "PIN Sede – Sportello · "+lang.L("mv35.short"); got != want {
		t.Errorf("MV35: title %q, want %q", got, want)
	}
}

// Ensure that the keyboard goes on to "Pagina del cittadino" once the
// handover is recorded. Registra consegna hid itself with the focus, and
// the next Tab started again from the top of the screen: six Tabs past the
// details to reach the next step.
func TestHandoverLeavesTheFocusOnTheNextStep(t *testing.T) {
	testclock.RealDayOnly(t, "the focus after the handover")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	h.fillVerification(passport)
	h.typeIn(v.mrz, passportMRZ)
	h.tap(v.issue)
	r := h.app.result
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatalf("not issued: %s", h.screenText())
	}
	h.win.Canvas().Focus(r.handover)
	pressSpace(h.win.Canvas().Focused())
	h.wait()
	if r.handover.Visible() {
		t.Fatalf("Space on Registra consegna recorded nothing: %s", h.screenText())
	}
	if f := h.win.Canvas().Focused(); f != fyne.Focusable(r.toCitizen) {
		t.Fatalf("after the handover the focus is on %T, want Pagina del cittadino", f)
	}
	pressSpace(h.win.Canvas().Focused())
	if h.app.current.View == r.screen.View {
		t.Errorf("Space on Pagina del cittadino left the desk on the result screen")
	}
}

// pressSpace sends Space to f as the real driver does: the key, then its
// rune.
func pressSpace(f fyne.Focusable) {
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	f.TypedRune(' ')
}

// Ensure that the citizen's page does not keep a keyboard from its
// buttons: its read-only values are no stops of the Tab key, except the
// codice fiscale and the envelope's serial, which a clerk copies. Each
// selectable value was one, 16 of them before Revoca.
func TestCitizenPageTabStops(t *testing.T) {
	testclock.RealDayOnly(t, "the citizen page's tab stops")
	h, out := onMariosPage(t)
	h.wait()
	revoke := h.app.citizen.revokeCred[out.Credential.ID]
	c := h.win.Canvas()
	labels := 0
	for tabs := 1; ; tabs++ {
		c.FocusNext()
		switch f := c.Focused().(type) {
		case *button:
			if f == revoke {
				if tabs > 8 || labels > 2 {
					t.Errorf("Revoca is %d Tabs away, past %d selectable values; want at most 8, past 2", tabs, labels)
				}
				return
			}
		case nil:
			t.Fatal("the focus left the window")
		default:
			if _, ok := f.(*widget.Entry); !ok {
				labels++
			}
		}
		if tabs > 100 {
			t.Fatal("Tab never reaches Revoca")
		}
	}
}
