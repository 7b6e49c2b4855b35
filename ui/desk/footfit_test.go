package desk

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that a message taking room from a form above its buttons
// (footedPage) leaves in view what the clerk was looking at, at 1280×800
// and 1024×768 with the development printer's banner and the status bar,
// laid out as the real driver does: the field that has the keyboard, the
// end of a form that showed it; the message's top and the buttons too.
// The MV35 gave the keyboard to the first field in error, the e-mail at
// the foot of the view, before its summary took room: the panel came over
// the field. A failed print came over the duration of a PIN telefonico,
// chosen last on the identity check, and a refused conversion over the
// last check box of a form that just fitted. The conversion and the
// delegation submitted with problems by the mouse give the keyboard to
// the first, as the MV35 does: they left it nowhere.
func TestFootedFormKeepsInView(t *testing.T) {
	testclock.RealDayOnly(t, "the footed forms' fields in view")
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 1024, Height: 768}} {
		for _, tc := range []struct {
			name string
			// act opens the screen, gets it as the clerk had it, and
			// does what shows the message; it returns the message, what
			// must stay in view and the buttons.
			act func(h *harness) (*message, fyne.CanvasObject, []*button)
		}{
			{"mv35", func(h *harness) (*message, fyne.CanvasObject, []*button) {
				r := h.newRequest()
				q := mario
				q.Recapiti.Email = "mario.rossi@"
				h.fillRequest(q)
				// Scrolled so that the e-mail ends 30 px above the foot
				// of the view: in view, as Tab leaves a field (scrollTo).
				h.scrollBy(r.email, h.app.currentScroll().Size().Height-30)
				h.tap(r.next)
				if h.win.Canvas().Focused() != r.email {
					h.t.Fatalf("Avanti: the keyboard in %v, want the e-mail (%v)", h.win.Canvas().Focused(), r.problems())
				}
				return r.msg, r.email, []*button{r.cancel, r.next}
			}},
			{"verifica", func(h *harness) (*message, fyne.CanvasObject, []*button) {
				h.toVerification(mario)
				h.fillVerification(passport)
				v := h.app.verify
				h.printer.fail = errPrinterJam
				// A PIN telefonico: the duration, the form's last field,
				// chosen from the keyboard keeps it, and Ctrl+Enter
				// issues.
				v.choice.kind.SetSelected(v.choice.kind.Options[1])
				v.choice.duration.SetSelectedIndex(0)
				h.win.Canvas().Focus(v.choice.duration)
				h.frame()
				h.app.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
				h.wait()
				return v.msg, v.choice.duration, []*button{v.back, v.issue}
			}},
			{"converti", func(h *harness) (*message, fyne.CanvasObject, []*button) {
				ord := h.putOrdinario("ord1")
				h.app.showCitizen(mario.CodiceFiscale)
				h.tap(h.app.citizen.convertCred[ord.ID])
				v := h.app.citizen.convertScreen
				h.fillDocument(v.doc, passport)
				for _, c := range []*check{v.checkOriginal, v.checkPhoto, v.checkSigned} {
					c.SetChecked(true)
				}
				// Seen to its end, as the clerk ticked the checks.
				h.app.currentScroll().ScrollToBottom()
				h.frame()
				// Revoked at another desk meanwhile: the domain refuses.
				ord.State = pinsede.StateRevocato
				if err := h.store.Update(func(tx pinsede.Tx) error { return tx.PutCredential(ord) }); err != nil {
					h.t.Fatal(err)
				}
				h.tap(v.convert) // the mouse: nothing has the keyboard
				return v.msg, v.checkSigned, []*button{v.back, v.convert}
			}},
			{"converti-errori", func(h *harness) (*message, fyne.CanvasObject, []*button) {
				ord := h.putOrdinario("ord1")
				h.app.showCitizen(mario.CodiceFiscale)
				h.tap(h.app.citizen.convertCred[ord.ID])
				v := h.app.citizen.convertScreen
				doc := passport
				doc.ExpiresOn = pinsede.Date{}
				h.fillDocument(v.doc, doc)
				for _, c := range []*check{v.checkOriginal, v.checkPhoto, v.checkSigned} {
					c.SetChecked(true)
				}
				h.app.currentScroll().ScrollToBottom()
				h.frame()
				h.tap(v.convert) // the mouse: the keyboard goes to the expiry left empty
				if f := h.win.Canvas().Focused(); f != fyne.Focusable(v.doc.expires) {
					h.t.Errorf("Converti with no expiry: the keyboard on %T, want the expiry", f)
				}
				return v.msg, v.doc.expires, []*button{v.back, v.convert}
			}},
			{"delega-errori", func(h *harness) (*message, fyne.CanvasObject, []*button) {
				h.putOrdinario("ord1")
				v := h.openDelegation()
				h.app.currentScroll().ScrollToBottom()
				h.frame()
				h.tap(v.register) // empty: the keyboard goes to its first problem
				f, _ := h.win.Canvas().Focused().(fyne.CanvasObject)
				if f == nil {
					h.t.Fatal("Registra delega, empty: nothing has the keyboard")
				}
				return v.msg, f, []*button{v.back, v.register}
			}},
		} {
			t.Run(fmt.Sprintf("%s-%.0fx%.0f", tc.name, size.Width, size.Height), func(t *testing.T) {
				h := ready(t, devPrinter)
				h.app.UseSync(nil, "")
				test.ApplyTheme(t, theme.New())
				h.win.Resize(size)
				h.frame()
				msg, keep, buttons := tc.act(h)
				if msg.text() == "" {
					t.Fatal("no message")
				}
				h.buttonsInWindow("message", msg.box, buttons...)
				sc := h.app.currentScroll()
				if top, bottom := h.inScroll(sc, keep); top < 0 || bottom > sc.Size().Height {
					t.Errorf("%T at %.0f-%.0f in the form's view of %.0f px: out of sight (message %q)", keep, top, bottom, sc.Size().Height, msg.text())
				}
				shot(t, h, "footfit-"+tc.name+fmt.Sprintf("-%.0f", size.Width))
			})
		}
	}
}

// inScroll returns the top and the bottom of o, which lies in sc, from
// the top of sc's view.
func (h *harness) inScroll(sc *container.Scroll, o fyne.CanvasObject) (top, bottom float32) {
	d := fyne.CurrentApp().Driver()
	top = d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc).Y
	return top, top + o.Size().Height
}

// scrollBy scrolls the current screen, as the mouse's wheel would, so that
// o ends y px from the top of its view, and lays out a frame.
func (h *harness) scrollBy(o fyne.CanvasObject, y float32) {
	sc := h.app.currentScroll()
	_, bottom := h.inScroll(sc, o)
	sc.Offset.Y = max(0, sc.Offset.Y+bottom-y)
	sc.Refresh()
	h.frame()
}

// Ensure that the desk fits a 1024×768 screen, in Italian and in English:
// each of its main screens, with the development printer's banner and
// the status bar, is at most 1024 px wide at its narrowest. Who is logged
// in, at its full length in the header, made it 1057 px wide at home and
// 1125 on the identity check: the window could not be narrower than
// that, and a 1024 px screen lost Esci, and the forms' right edge. The
// identity check is measured in its states too: a PIN telefonico shows
// the label of its duration, which made it 1187 px wide in Italian, and
// its problem when none is chosen.
func TestDeskFitsA1024Screen(t *testing.T) {
	testclock.RealDayOnly(t, "the desk on a 1024 px screen")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := newHarness(t, devPrinter)
		h.app.UseSync(nil, "")
		test.ApplyTheme(t, theme.New())
		fits := func(name string) {
			if w := h.smallest().Width; w > 1024 {
				t.Errorf("%s: %.0f px wide at its narrowest, more than a 1024 px screen", name, w)
			}
			h.win.Resize(fyne.NewSize(1024, 768))
			h.frame()
			for _, l := range h.squeezed() {
				t.Errorf("%s at 1024×768: %q drawn in %.0f px, needs %.0f: it runs over what lies beside it", name, l.Text, l.Size().Width, l.MinSize().Width)
			}
			shot(t, h, "fit1024-"+language+"-"+name)
			h.win.Resize(fyne.NewSize(1280, 800))
			h.frame()
		}
		walkScreens(t, h, func(name string) {
			fits(name)
			if name != "verifica" {
				return
			}
			c := h.app.verify.choice
			c.kind.SetSelected(c.kind.Options[1])
			fits("verifica-telefonico")
			h.app.verify.validate(true) // no duration chosen: its problem
			fits("verifica-telefonico-senza-durata")
			c.duration.SetSelectedIndex(len(c.duration.Options) - 1)
			fits("verifica-telefonico-3-mesi")
			c.kind.SetSelected(c.kind.Options[0])
		})
	})
}

// squeezed returns the labels that show in less width than their text
// needs, on one line: drawn whole all the same, they run over what lies
// beside them, or past the window's edge. A label not laid out yet (0 px
// wide: a dialog's title, until the dialog is drawn) is not counted.
func (h *harness) squeezed() []*widget.Label {
	var out []*widget.Label
	h.walkShown(func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Wrapping == fyne.TextWrapOff && l.Truncation == fyne.TextTruncateOff &&
			l.Text != "" && l.Size().Width > 0 && l.Size().Width < l.MinSize().Width-0.5 {
			out = append(out, l)
		}
	})
	return out
}
