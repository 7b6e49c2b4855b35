package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the login's fields and button stay where they are, to the
// pixel, whether a message shows or not, whichever it is (each the login
// foresees, a wrong password typed, an unexpected error longer than any
// of them), in every language of the desk, at 1280×800 and at the
// window's smallest size; and that the message shows whole, inside the
// window. So do the lock's password and buttons at a wrong password.
func TestLoginFieldsStay(t *testing.T) {
	t.Cleanup(func() {
		if err := i18n.Load(""); err != nil {
			t.Fatal(err)
		}
	})
	for _, language := range i18n.Languages {
		t.Run(language, func(t *testing.T) {
			if err := i18n.Load(language); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t)
			test.ApplyTheme(t, theme.New())
			h.app.certSede = "ROMA01"
			h.setUp()
			l := h.app.login
			d := fyne.CurrentApp().Driver()
			where := func() [3]fyne.Position {
				h.settle()
				return [3]fyne.Position{d.AbsolutePositionForObject(l.id), d.AbsolutePositionForObject(l.password), d.AbsolutePositionForObject(l.submit)}
			}
			messages := map[string]func(){
				"login.failed": func() { l.msg.set(msgError, lang.L("login.failed")) },
				"setup.done":   func() { l.msg.set(msgSuccess, lang.L("setup.done")) },
				"join.done":    func() { l.msg.set(msgSuccess, lang.L("join.done", map[string]any{"Sede": h.app.certSede})) },
				"a wrong password": func() {
					h.logIn("m.rossi", "password-sbagliata")
					if !strings.Contains(l.msg.text(), lang.L("login.failed")) {
						t.Fatalf("a wrong password: %q", l.msg.text())
					}
				},
			}
			for _, size := range []string{"1280×800", "smallest"} {
				h.win.Resize(fyne.NewSize(1280, 800))
				l.msg.set(msgError, "")
				if size == "smallest" {
					h.win.Resize(h.win.Content().MinSize())
				}
				before := where()
				for name, show := range messages {
					show()
					if got := where(); got != before {
						t.Errorf("%s, %s: the id, the password and Accedi moved from %v to %v", size, name, before, got)
					}
					box := l.msg.box
					bottom := d.AbsolutePositionForObject(box).Y + box.Size().Height
					if !box.Visible() || box.Size().Height < box.MinSize().Height || bottom > h.win.Canvas().Size().Height {
						t.Errorf("%s, %s: the message is not whole in the window: %v of %v, its bottom at %v of %v",
							size, name, box.Size(), box.MinSize(), bottom, h.win.Canvas().Size().Height)
					}
					l.msg.set(msgError, "")
					if got := where(); got != before {
						t.Errorf("%s, %s gone: the id, the password and Accedi moved from %v to %v", size, name, before, got)
					}
				}
			}

			// An unexpected error, longer than any message foreseen,
			// grows the card downward.
			h.win.Resize(fyne.NewSize(1280, 800))
			before := where()
			l.msg.set(msgError, lang.L("err.unexpected", map[string]any{"Err": strings.Repeat("open store /var/lib/pinsede/sportello.db: input/output error; ", 6)}))
			if got := where(); got[0] != before[0] || got[1] != before[1] {
				t.Errorf("a long unexpected error: the id and the password moved from %v to %v", before, got)
			}

			if *shots != "" {
				l.msg.set(msgError, lang.L("login.failed"))
				writeShots(t, h, "login-problema-"+language)
			}

			// The lock's password and buttons stay at a wrong password.
			l.msg.set(msgError, "")
			h.logIn("m.rossi", "password-di-prova")
			h.tap(h.app.header.lockNow)
			k := h.app.lock
			lockWhere := func() [3]fyne.Position {
				h.settle()
				return [3]fyne.Position{d.AbsolutePositionForObject(k.password), d.AbsolutePositionForObject(k.unlock), d.AbsolutePositionForObject(k.logout)}
			}
			before = lockWhere()
			h.typeIn(k.password, "password-sbagliata")
			h.tap(k.unlock)
			if k.msg.text() != lang.L("login.failed") {
				t.Fatalf("a wrong password at the lock: %q", k.msg.text())
			}
			if got := lockWhere(); got != before {
				t.Errorf("a wrong password at the lock: the password and the buttons moved from %v to %v", before, got)
			}
		})
	}
}
