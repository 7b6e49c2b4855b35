package desk

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the login's fields and button stay where they are, to the
// pixel, whether a message shows or not, whichever it is (each the login
// foresees, a wrong password typed, an unexpected error longer than any
// of them), in every language of the desk, at 1280×800 and at the
// window's smallest size; and that the message shows whole, inside the
// window. So do the lock's password and buttons at a wrong password.
func TestLoginFieldsStay(t *testing.T) {
	testclock.RealDayOnly(t, "the login's fields in place")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := newHarness(t)
		test.ApplyTheme(t, theme.New())
		h.app.certSede = "ROMA01"
		h.setUp()
		l := h.app.login
		h.assertStays(stays{msg: l.msg, keep: []fyne.CanvasObject{l.id, l.password, l.submit}, above: 2, cases: []stayCase{
			shown(l.msg, "login.failed"),
			shown(l.msg, "setup.done"),
			shown(l.msg, "join.done", map[string]any{"Sede": h.app.certSede}),
			shown(l.msg, "password.change.idle"),
			{Name: "a wrong password", Show: func() {
				h.logIn("m.rossi", "password-sbagliata")
				if !strings.Contains(l.msg.text(), lang.L("login.failed")) {
					t.Fatalf("a wrong password: %q", l.msg.text())
				}
			}},
		}})
		if *shots != "" {
			l.msg.set(msgError, lang.L("login.failed"))
			writeShots(t, h, "login-problema-"+language)
		}

		// The lock's password and buttons stay at a wrong password.
		l.msg.set(msgError, "")
		h.logIn("m.rossi", "password-di-prova")
		h.tap(h.app.header.lockNow)
		k := h.app.lock
		h.assertStays(stays{msg: k.msg, keep: []fyne.CanvasObject{k.password, k.unlock, k.logout}, above: 1, cases: []stayCase{
			shown(k.msg, "login.failed"),
			h.submitted("a wrong password at the lock", func() { h.typeIn(k.password, "password-sbagliata") }, k.unlock, k.msg, lang.L("login.failed")),
		}})
	})
}

// Ensure that the first-run set-up keeps its fields and Crea sede where
// they are, to the pixel, when its message shows, in every language of
// the desk, at 1280×800 and at the window's smallest size; and that a
// real set-up refused, its problem shown under the confirmation of the
// password, moves none of the fields, and Crea sede only by the room of
// that problem: the form is kept at the top, not centred.
func TestSetupFieldsStay(t *testing.T) {
	testclock.RealDayOnly(t, "the set-up's fields in place")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := newHarness(t)
		test.ApplyTheme(t, theme.New())
		s := h.app.setup
		entries := []fyne.CanvasObject{s.code, s.name, s.address, s.opID, s.opName, s.pw, s.pwConfirm}
		h.assertStays(stays{msg: s.msg, keep: append(entries, s.create), above: len(entries), scrolls: true, cases: []stayCase{
			shown(s.msg, "form.haserrors"),
		}})

		h.fillSetUp("password-di-prova-2")
		for _, size := range []string{"1280×800", "smallest"} {
			h.win.Resize(fyne.NewSize(1280, 800))
			s.fields.show(nil, false)
			s.msg.set(msgError, "")
			if size == "smallest" {
				h.win.Resize(fyne.NewSize(h.smallest().Width, 800))
			}
			before := h.positions(append(entries, s.create)...)
			confirm := s.fields[fieldPasswordConfirm].object
			rest := confirm.MinSize().Height
			h.tap(s.create)
			if s.msg.text() != lang.L("form.haserrors") || s.fields[fieldPasswordConfirm].problemText() != lang.L("err.password.confirm") {
				t.Fatalf("%s: the passwords differ: %q, under the confirmation %q", size, s.msg.text(), s.fields[fieldPasswordConfirm].problemText())
			}
			got := h.positions(append(entries, s.create)...)
			if !slices.Equal(got[:len(entries)], before[:len(entries)]) {
				t.Errorf("%s, the passwords differ: the fields moved from %v to %v", size, before, got)
			}
			if grown := confirm.MinSize().Height - rest; got[len(entries)] != before[len(entries)].AddXY(0, grown) {
				t.Errorf("%s, the passwords differ: Crea sede moved from %v to %v, want down by the problem's %v", size, before[len(entries)], got[len(entries)], grown)
			}
		}
		if *shots != "" {
			h.win.Resize(fyne.NewSize(1280, 800))
			writeShots(t, h, "setup-problema-"+language)
		}
	})
}

// Ensure that a password typed on the login screen and left there, the
// clerk called away before Enter, is emptied after the idle time, as a
// session would lock: whoever came next pressed Enter and had the clerk's
// session. The id stays.
func TestLoginIdleForgetsPassword(t *testing.T) {
	h := newHarness(t)
	h.setUp()
	l := h.app.login
	h.typeIn(l.id, "m.rossi")
	h.typeIn(l.password, "password-di-prova")
	h.idle = h.idle.Add(DefaultIdle)
	h.app.checkIdle()
	if l.password.Text != "" || l.id.Text != "m.rossi" {
		t.Fatalf("after the idle time the login holds id %q, password %q; want the id, no password", l.id.Text, l.password.Text)
	}
	key(l.password, fyne.KeyReturn)
	h.wait()
	if h.app.session != nil {
		t.Fatal("Enter after the idle time opened a session")
	}
}
