package kiosk

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// setScale makes the text size the index i of textScales, as a citizen's
// taps on A- and A+ do.
func (h *harness) setScale(i int) {
	h.t.Helper()
	for h.app.scale < i {
		test.Tap(h.app.largerButton)
	}
	for h.app.scale > i {
		test.Tap(h.app.smallerButton)
	}
}

// smallest resizes the window to the smallest size the current screen
// accepts: its content's minimum size, which a real window does not go
// below (wrapped text may ask for more room once narrower: until it
// stays).
func (h *harness) smallest() fyne.Size {
	h.t.Helper()
	for range 10 {
		m := h.win.Content().MinSize()
		if m == h.win.Content().Size() {
			return h.win.Canvas().Size()
		}
		// The window pads its content.
		h.win.Resize(m.Add(h.win.Canvas().Size().Subtract(h.win.Content().Size())))
		uitest.Settle(h.win)
	}
	h.t.Fatalf("screen %s: the window's minimum size does not settle: %v", h.app.Screen(), h.win.Content().MinSize())
	return fyne.Size{}
}

// stepLabel returns the label of the question's step ("Domanda 5 di 10").
func (h *harness) stepLabel() *widget.Label {
	var found *widget.Label
	want := tr("wizard.step", map[string]any{"N": h.app.session.wizard.current + 1, "Of": len(questions)})
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == want && l.Visible() {
			found = l
		}
	})
	return found
}

// assertApart checks that every object of objs shows whole (as large as
// its minimum size) inside the kiosk's content and over none of the
// others.
func (h *harness) assertApart(where string, objs map[string]fyne.CanvasObject) {
	h.t.Helper()
	d := fyne.CurrentApp().Driver()
	root := h.app.root
	window := rect{d.AbsolutePositionForObject(root), root.Size()}
	var names []string
	for name, o := range objs {
		if o == nil {
			h.t.Errorf("%s: no %s", where, name)
			continue
		}
		r := rect{d.AbsolutePositionForObject(o), o.Size()}
		if !window.holds(r) {
			h.t.Errorf("%s: %s at %v, %v goes out of the window %v, %v", where, name, r.pos, r.size, window.pos, window.size)
		}
		if m := o.MinSize(); r.size.Width < m.Width-0.01 || r.size.Height < m.Height-0.01 {
			h.t.Errorf("%s: %s is cut: %v, wants %v", where, name, r.size, m)
		}
		for _, other := range names {
			if s := (rect{d.AbsolutePositionForObject(objs[other]), objs[other].Size()}); r.meets(s) {
				h.t.Errorf("%s: %s at %v, %v is over %s at %v, %v", where, name, r.pos, r.size, other, s.pos, s.size)
			}
		}
		names = append(names, name)
	}
}

// rect is an object's place in the window.
type rect struct {
	pos  fyne.Position
	size fyne.Size
}

// holds reports whether s lies inside r.
func (r rect) holds(s rect) bool {
	const e = 0.01
	return s.pos.X >= r.pos.X-e && s.pos.Y >= r.pos.Y-e &&
		s.pos.X+s.size.Width <= r.pos.X+r.size.Width+e && s.pos.Y+s.size.Height <= r.pos.Y+r.size.Height+e
}

// meets reports whether r and s share more than an edge.
func (r rect) meets(s rect) bool {
	const e = 0.01
	return r.pos.X+e < s.pos.X+s.size.Width && s.pos.X+e < r.pos.X+r.size.Width &&
		r.pos.Y+e < s.pos.Y+s.size.Height && s.pos.Y+e < r.pos.Y+r.size.Height
}

// Ensure that the navigation bar of every question (Annulla, Indietro,
// the step "Frage 5 von 10", Avanti) shows each of them whole, inside the
// window and over none of the others, and that the question's text shows
// whole (the heading scrolled off the top in the smallest window), in
// every language of the kiosk, at every text size, in the smallest
// window the kiosk accepts and at 1920x1080: the step was centred under
// Zurück in a narrow window.
func TestNavBarFits(t *testing.T) {
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, l Language, scale int) {
		for i, q := range questions {
			for _, size := range []string{"smallest", "1920x1080"} {
				h.win.Resize(fyne.NewSize(1920, 1080))
				h.app.showQuestion(i)
				uitest.Settle(h.win)
				got := h.win.Canvas().Size()
				if size == "smallest" {
					// Shown again in it, as in a kiosk whose
					// screen is that small: the field in view.
					h.smallest()
					h.app.showQuestion(i)
					got = h.smallest()
				}
				h.assertApart(fmt.Sprintf("%s, %s at %v", q.name, size, got), map[string]fyne.CanvasObject{
					"Annulla":  h.findButton(tr("nav.cancel")),
					"Indietro": h.findButton(tr("nav.back")),
					"Avanti":   h.findButton(tr("nav.next")),
					"the step": h.stepLabel(),
				})
				h.assertAsked(fmt.Sprintf("%s, %s at %v", q.name, size, got))
				if l.Code == "de" && q.name == "luogo" && size == "smallest" && (scale == defaultScale || scale == len(textScales)-1) {
					h.shot(fmt.Sprintf("04-q05-luogo-de-smallest-text-%v", textScales[scale]))
				}
			}
		}
	})
}

// Ensure that once the window is resized the field that has the focus is
// scrolled back into view over the keyboard, with its suggestions: the
// second row of the address (the CAP) focused at 1920x1080 and the
// window made its smallest, and back; the place of birth with the places
// of San listed, likewise; in Italian and German, at the normal and at
// the largest text size. The question stayed scrolled as it was, the
// field under the keyboard.
func TestFocusedFieldAfterResize(t *testing.T) {
	inItalianAndGerman(t, func(t *testing.T, h *harness, w *wizard, _ string, _ int) {
		big := func() {
			h.win.Resize(fyne.NewSize(1920, 1080))
			uitest.Settle(h.win)
		}
		where := func(s string) string { return fmt.Sprintf("%v, %s", h.win.Canvas().Size(), s) }

		big()
		h.app.showQuestion(7)
		h.win.Canvas().Focus(w.cap)
		h.smallest()
		h.assertAboveKeyboard(where("the CAP focused, then the window made smallest"), w.cap)
		big()
		h.assertAboveKeyboard(where("the CAP focused, then the window made 1920x1080 again"), w.cap)

		h.app.showQuestion(4)
		h.typeInto(w.luogo, "San")
		h.smallest()
		h.assertAboveKeyboard(where("San typed, then the window made smallest"), w.luogo, buttonsOf(w.places)...)
		big()
		h.assertAboveKeyboard(where("San typed, then the window made 1920x1080 again"), w.luogo, buttonsOf(w.places)...)
	})
}

// inEveryLanguageAndSize runs f on a new kiosk at its first question, in
// every language of the kiosk at every text size.
func inEveryLanguageAndSize(t *testing.T, f func(t *testing.T, h *harness, l Language, scale int)) {
	for _, l := range Languages {
		for scale := range textScales {
			t.Run(fmt.Sprintf("%s text %v", l.Code, textScales[scale]), func(t *testing.T) {
				h := newHarness(t)
				h.startWizard(l.Code)
				h.setScale(scale)
				f(t, h, l, scale)
			})
		}
	}
}

// inItalianAndGerman runs f on a new kiosk at its first question, in
// Italian and in German, at the normal and at the largest text size.
func inItalianAndGerman(t *testing.T, f func(t *testing.T, h *harness, w *wizard, lang string, scale int)) {
	for _, lang := range []string{"it", "de"} {
		for _, scale := range []int{defaultScale, len(textScales) - 1} {
			t.Run(fmt.Sprintf("%s text %v", lang, textScales[scale]), func(t *testing.T) {
				h := newHarness(t)
				w := h.startWizard(lang)
				h.setScale(scale)
				f(t, h, w, lang, scale)
			})
		}
	}
}

// Ensure that the top bar (INPS, the kiosk's name, A−, A+, the contrast
// and the audio) shows each of them whole, inside the window and over
// none of the others, in a window 1366 and MinWidth (1280) wide, 1080
// high, and in the smallest window, in every language of the kiosk at
// every text size; and that the bar never asks for more than MinWidth:
// it set the kiosk's smallest width by language (Romanian at A+ needed
// 1,419 px, a 1366-wide screen cut it).
func TestTopBarFits(t *testing.T) {
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, l Language, scale int) {
		if w := h.app.bar.MinSize().Width; w > MinWidth {
			t.Errorf("the top bar asks for %v px, more than MinWidth %v", w, MinWidth)
		}
		for _, width := range []float32{1366, MinWidth, 0} {
			if width == 0 {
				h.smallest()
			} else {
				h.win.Resize(fyne.NewSize(width, 1080))
				uitest.Settle(h.win)
			}
			objs := map[string]fyne.CanvasObject{
				"A−": h.app.smallerButton, "A+": h.app.largerButton,
				"the contrast": h.app.contrastButton, "the audio": h.app.audioButton,
			}
			walk(h.app.bar, func(o fyne.CanvasObject) {
				if t, ok := o.(*canvas.Text); ok && (t.Text == "INPS" || t.Text == tr("app.title")) {
					objs[t.Text] = t
				}
			})
			h.assertApart(fmt.Sprintf("the top bar at %v", h.win.Canvas().Size()), objs)
			if len(objs) != 6 {
				t.Errorf("the top bar holds %d of INPS, its name and the four buttons", len(objs))
			}
		}
		if l.Code == "ro" && scale == len(textScales)-1 {
			h.win.Resize(fyne.NewSize(1366, 1080))
			uitest.Settle(h.win)
			h.shot("04-top-bar-ro-largest-1366")
		}
	})
}

// Ensure that no screen asks for a window wider than MinWidth, in any
// language at any text size: the languages, the services, each service,
// every question and the review. The languages, four buttons of 400 px a
// row, asked for 1,640 px: a 1366-wide screen cut them.
func TestScreensFitMinWidth(t *testing.T) {
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, l Language, scale int) {
		fits := func(what string) {
			t.Helper()
			uitest.Settle(h.win)
			if w := h.app.root.MinSize().Width; w > MinWidth {
				t.Errorf("%s asks for %v px, more than MinWidth %v", what, w, MinWidth)
			}
		}
		h.everyScreen(scale, fits)
	})
}

// Ensure that every screen fits a window 800 px high (a 1280x800 kiosk
// screen) at the normal and at the smaller text size, in every language
// of the kiosk: the languages, the services, each service, every
// question (its text in view, and room for its field, a line of problem
// and a row of suggestions over the keyboard) and the review. Keeping
// the question's text above the scrolled part made the smallest window
// 866 px high at the normal size.
func TestScreensFit800(t *testing.T) {
	for _, l := range Languages {
		for _, scale := range []int{0, defaultScale} {
			t.Run(fmt.Sprintf("%s text %v", l.Code, textScales[scale]), func(t *testing.T) {
				h := newHarness(t)
				h.startWizard(l.Code)
				h.setScale(scale)
				fits := func(what string) {
					t.Helper()
					uitest.Settle(h.win)
					h.smallest() // its text may wrap on more lines
					if m := h.app.root.MinSize(); m.Height > 800 {
						t.Errorf("%s asks for a window %v high, more than 800 px", what, m)
					}
					h.win.Resize(fyne.NewSize(1920, 1080))
				}
				h.everyScreen(scale, fits)
			})
		}
	}
}

// everyScreen shows each screen of the wizard in turn, every question,
// the review, each service, the services and the languages (at text
// size scale, which the wipe before them resets), and calls check on each
// with its name.
func (h *harness) everyScreen(scale int, check func(what string)) {
	for i, q := range questions {
		h.app.showQuestion(i)
		check("question " + q.name)
	}
	h.app.showReview()
	check("the review")
	for _, s := range Services {
		h.app.showService(s)
		check("the service " + s)
	}
	h.app.showServices()
	check("the services")
	h.app.Wipe()
	h.setScale(scale)
	check("the languages")
}
