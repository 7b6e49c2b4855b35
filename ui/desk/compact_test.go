package desk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/deskconn"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the forms are compact at 1280x800, the desk PC's screen: the
// MV35, filled (with a problem under the codice fiscale), fits in at most
// two screens of the window's content area, and the identity check, filled
// with a valid MRZ and a scan attached, in one, as does the first-run
// set-up. The window has what sportello shows at make run: the
// development-printer banner at the top, the status bar at the foot.
func TestFormsFitTheScreen(t *testing.T) {
	testclock.RealDayOnly(t, "the forms' fit")
	h := newHarness(t, devPrinter)
	h.app.UseSync(nil, "")
	test.ApplyTheme(t, theme.New())
	screens := map[string]float32{"setup": 1, "mv35": 2, "verifica": 1} // at most, in screens
	walkScreens(t, h, func(name string) {
		most, ok := screens[name]
		if !ok {
			return
		}
		delete(screens, name)
		h.settle()
		sc := h.app.currentScroll()
		if sc == nil {
			t.Fatalf("%s: no scroll", name)
		}
		content, area := sc.Content.MinSize().Height, sc.Size().Height
		t.Logf("%s: %.0f px in an area of %.0f: %.2f screens", name, content, area, content/area)
		if content > most*area {
			t.Errorf("%s: %.0f px, more than %g screens of %.0f", name, content, most, area)
		}
	})
	if len(screens) > 0 {
		t.Errorf("screens not reached: %v", screens)
	}
}

// Ensure that Indietro and Emetti PIN show inside the window at 1280×800,
// under the development printer's banner and above the status bar,
// whatever the identity check says, in Italian and in English: the
// refusal of a PC whose clock went back to the year 2000, and then every
// panel at once (no printer, a failed print with its cause, the policy's
// refusal with its sheet's failure). A long message pushed them below the
// window: Ctrl+Enter still reached Emetti PIN, a mouse saw no button. The
// message shows too, from its top, above the buttons.
func TestVerifyButtonsInWindow(t *testing.T) {
	testclock.RealDayOnly(t, "the identity check's buttons in the window")
	inEachLanguage(t, func(t *testing.T, language string) {
		link := &clockLink{offset: -testNow.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, testNow.Location()))}
		h := ready(t, devPrinter, func(d *pinsede.Desk, _ *Config) { d.Link = link })
		h.app.UseSync(nil, "")
		test.ApplyTheme(t, theme.New())
		h.toVerification(mario)
		h.fillVerification(passport)
		v := h.app.verify
		h.frame()
		h.tap(v.issue)
		if !strings.Contains(v.msg.text(), i18n.Duration(link.ClockBehind())) {
			t.Fatalf("Emetti PIN with the clock behind: message %q", v.msg.text())
		}
		h.buttonsInWindow("clock", v.msg.box, v.back, v.issue)
		shot(t, h, "verify-long-"+language+"-clock")

		v.printerNote.set(msgError, lang.L("issue.noprinter"))
		cause := lang.L("issue.printfailed.cause", map[string]any{"Cause": strings.Repeat("IPP client-error-not-possible: printer-state-reasons media-jam-error, door-open-error, toner-empty-error; ", 3)})
		v.msg.set(msgError, lang.L("issue.printfailed.detail", map[string]any{"Serial": "ROMA01-2026-000123"})+"\n"+cause)
		italian := pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Questura di Roma",
			IssuedOn: passport.IssuedOn, ExpiresOn: passport.ExpiresOn}
		err := h.desk.PolicyRefusal(h.app.session, mario, &italian, false)
		if !errors.Is(err, pinsede.ErrNotEligible) {
			t.Fatalf("an Italian document abroad: %v, want a refusal", err)
		}
		v.policy.show(mario, err)
		v.policy.sheetMsg.set(msgError, lang.L("policy.infosheet.failed")+"\n"+cause)
		h.buttonsInWindow("every panel", v.printerNote.box, v.back, v.issue)
		shot(t, h, "verify-long-"+language+"-all")

		// The keyboard goes from the policy's buttons, scrolled into
		// sight in their panel, on to Indietro, then Emetti PIN.
		c := h.win.Canvas()
		c.Focus(v.policy.override)
		h.settle()
		sc, d := v.msgScroll, fyne.CurrentApp().Driver()
		if top, bottom := d.AbsolutePositionForObject(sc).Y, d.AbsolutePositionForObject(v.policy.override).Y+v.policy.override.Size().Height; bottom > top+sc.Size().Height {
			t.Errorf("%q has the keyboard below the messages' panel: its foot at %.0f, the panel's at %.0f", v.policy.override.Text, bottom, top+sc.Size().Height)
		}
		shot(t, h, "verify-long-"+language+"-override")
		for _, want := range []*button{v.back, v.digital, v.issue} {
			if c.FocusNext(); c.Focused() != want {
				t.Errorf("Tab went to %v, want %q", c.Focused(), want.Text)
			}
		}
	})
}

// buttonsInWindow lays the window out as the real driver's next frame
// would and fails the test unless each of the buttons lies whole between
// the top of the window and the status bar, and the top of msg, a panel,
// shows there too. The test lays out a frame (frame) before what it does.
func (h *harness) buttonsInWindow(name string, msg fyne.CanvasObject, buttons ...*button) {
	h.t.Helper()
	h.frame()
	d := fyne.CurrentApp().Driver()
	bar := d.AbsolutePositionForObject(h.app.sync.button).Y
	for _, b := range buttons {
		p := d.AbsolutePositionForObject(b)
		if p.Y < 0 || p.Y+b.Size().Height > bar || p.X < 0 || p.X+b.Size().Width > h.win.Canvas().Size().Width {
			h.t.Errorf("%s: %q at %v, %v: out of the window above the status bar (at %.0f)", name, b.Text, p, b.Size(), bar)
		}
	}
	if y := d.AbsolutePositionForObject(msg).Y; !msg.Visible() || y < 0 || y+fynetheme.TextSize() > bar {
		h.t.Errorf("%s: the message's top at %.0f, out of the window above the status bar (at %.0f)", name, y, bar)
	}
}

// Ensure that the buttons under each form with a message show inside the
// window at 1280×800, under the development printer's banner and above
// the status bar, in Italian and in English: once the form is submitted
// empty (its summary of problems), and then with the longest message it
// can show, an unexpected error with a long cause, its top in sight above
// them. The MV35's Annulla and Avanti were below the window with no
// message at all (the form is two screens tall); the conversion's and the
// delegation's went below with a long error, or with none.
func TestFormButtonsInWindow(t *testing.T) {
	testclock.RealDayOnly(t, "the forms' buttons in the window")
	for _, tc := range []struct {
		name string
		// open shows the screen and returns its message, the button
		// that submits it and its buttons.
		open func(h *harness) (*message, *button, []*button)
		// config sets the desk up for the screen, if needed.
		config func(t *testing.T, d *pinsede.Desk, c *Config)
	}{
		{"mv35", func(h *harness) (*message, *button, []*button) {
			r := h.newRequest()
			return r.msg, r.next, []*button{r.cancel, r.next}
		}, nil},
		{"converti", func(h *harness) (*message, *button, []*button) {
			ord := h.putOrdinario("ord1")
			h.app.showCitizen(mario.CodiceFiscale)
			h.tap(h.app.citizen.convertCred[ord.ID])
			v := h.app.citizen.convertScreen
			return v.msg, v.convert, []*button{v.back, v.convert}
		}, nil},
		{"delega", func(h *harness) (*message, *button, []*button) {
			h.putOrdinario("ord1")
			v := h.openDelegation()
			return v.msg, v.register, []*button{v.back, v.register}
		}, nil},
		{"operatori", func(h *harness) (*message, *button, []*button) {
			for i := range 6 { // a sede's desks
				h.addOperator(fmt.Sprintf("op.%d", i), fmt.Sprintf("Operatore %d", i), pinsede.RoleOperatore, "password-di-prova-1")
			}
			h.app.showOperators()
			o := h.app.operators
			return o.msg, o.add, []*button{o.add}
		}, nil},
		{"impostazioni", func(h *harness) (*message, *button, []*button) {
			h.app.showSettings()
			h.wait()
			c := h.app.settings.conn
			return c.msg, c.save, []*button{c.try, c.save}
		}, func(t *testing.T, d *pinsede.Desk, c *Config) {
			c.Printers = func(context.Context) ([]cups.Printer, error) { return nil, nil }
			c.Connector = &deskconn.Files{File: filepath.Join(t.TempDir(), "sportello.toml"), Now: d.Now}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inEachLanguage(t, func(t *testing.T, language string) {
				h := ready(t, devPrinter, func(d *pinsede.Desk, c *Config) {
					if tc.config != nil {
						tc.config(t, d, c)
					}
				})
				h.app.UseSync(nil, "")
				test.ApplyTheme(t, theme.New())
				msg, submit, buttons := tc.open(h)
				h.frame()
				h.tap(submit)
				if msg.text() == "" {
					t.Fatalf("submitted empty: no message")
				}
				h.buttonsInWindow("submitted", msg.box, buttons...)
				msg.set(msgError, longError())
				h.buttonsInWindow("long", msg.box, buttons...)
				shot(t, h, tc.name+"-long-"+language)
			})
		})
	}
}

// longError is the longest message a form or a dialog can show: an
// unexpected error with a long cause (about 400 characters).
func longError() string {
	return lang.L("err.unexpected", map[string]any{"Err": strings.Repeat("open store /var/lib/pinsede/sportello.db: input/output error; ", 6)})
}

// Ensure that the buttons of the dialogs that ask a supervisor's approval
// (the revocation of a PIN issued by another operator, the override of a
// policy's refusal) show inside the window at 1280×800, in Italian and in
// English, whatever their message: an unexpected error of two long causes
// (about 800 characters) scrolls in its panel, from its start, rather than
// push the dialog's buttons out of the window, as it did past about 450
// characters.
func TestDialogButtonsInWindow(t *testing.T) {
	testclock.RealDayOnly(t, "the dialogs' buttons in the window")
	longer := func() string { return longError() + "\n" + longError() }
	inEachLanguage(t, func(t *testing.T, language string) {
		h := ready(t, devPrinter)
		h.app.UseSync(nil, "")
		test.ApplyTheme(t, theme.New())
		h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-verdi")
		other := h.issuedByVerdi()
		h.tap(h.app.citizen.revokeCred[other.Credential.ID])
		r := h.app.citizen.revoke
		r.msg.set(msgError, longer())
		h.buttonsInWindow("revoca", r.msg.box, r.cancel, r.confirm)
		if r.msg.text() != longer() {
			t.Errorf("the revocation's message is %q, want the whole error", r.msg.text())
		}
		shot(t, h, "revoca-long-"+language)
		r.dialog.Hide()

		h.toVerification(mario)
		h.fillVerification(passport)
		italian := pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Questura di Roma",
			IssuedOn: passport.IssuedOn, ExpiresOn: passport.ExpiresOn}
		v := h.app.verify
		v.policy.show(mario, h.desk.PolicyRefusal(h.app.session, mario, &italian, false))
		h.frame()
		h.tap(v.policy.override)
		o := v.policy.dialog
		o.msg.set(msgError, longer())
		h.buttonsInWindow("deroga", o.msg.box, o.cancel, o.confirm)
		shot(t, h, "deroga-long-"+language)
	})
}
