package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the login's fields and button stay where they are, to the
// pixel, whether a message shows or not, whichever it is (each the login
// foresees, a wrong password typed, an unexpected error longer than any
// of them), in every language of the desk, at 1280×800 and at the
// window's smallest size; and that the message shows whole, inside the
// window. So do the lock's password and buttons at a wrong password.
func TestLoginFieldsStay(t *testing.T) {
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
			{"a wrong password", func() {
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
			{"a wrong password", func() {
				h.typeIn(k.password, "password-sbagliata")
				h.tap(k.unlock)
				if k.msg.text() != lang.L("login.failed") {
					t.Fatalf("a wrong password at the lock: %q", k.msg.text())
				}
			}},
		}})
	})
}
