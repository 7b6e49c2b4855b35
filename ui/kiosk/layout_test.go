package kiosk

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/internal/testclock"
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

// roomy resizes the window to the smallest size in which the current
// question keeps its room over the keyboard (wizard.room: its field, a
// line of problem and a row of suggestions), as wide as the smallest:
// below it, on a low screen at a large text size, the question keeps its
// field alone in view, and the rest scrolls.
func (h *harness) roomy() fyne.Size {
	h.t.Helper()
	w := h.app.session.wizard
	for range 10 {
		s := h.smallest()
		h.win.Resize(s.AddWidthHeight(0, w.room()-w.leastRoom()))
		uitest.Settle(h.win)
		if w.scroll.Size().Height >= w.room()-0.01 {
			return h.win.Canvas().Size()
		}
	}
	h.t.Fatalf("screen %s: no window keeps the question's room %v", h.app.Screen(), w.room())
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
// Zurück in a narrow window. In the smallest window at a large text size
// the step gives way to the buttons; at 1920x1080 it always shows.
func TestNavBarFits(t *testing.T) {
	layoutOnce(t)
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, l Language, scale int) {
		for i, q := range questions {
			// At 1920x1080 first: the smallest window starts from the
			// question as checked there, shown at 1920x1080.
			for _, size := range []string{"1920x1080", "smallest"} {
				var got fyne.Size
				if size == "1920x1080" {
					h.win.Resize(fyne.NewSize(1920, 1080))
					h.app.showQuestion(i)
					uitest.Settle(h.win)
					got = h.win.Canvas().Size()
				} else {
					// Shown again in it, as in a kiosk whose
					// screen is that small: the field in view.
					h.smallest()
					h.app.showQuestion(i)
					got = h.smallest()
				}
				objs := map[string]fyne.CanvasObject{
					"Annulla":  h.findButton(tr("nav.cancel")),
					"Indietro": h.findButton(tr("nav.back")),
					"Avanti":   h.findButton(tr("nav.next")),
				}
				// The step gives way to the buttons when they leave it
				// no room, in the smallest window; at 1920x1080 it shows.
				if step := h.stepLabel(); step != nil {
					objs["the step"] = step
				} else if size == "1920x1080" {
					t.Errorf("%s at %v: no step", q.name, got)
				}
				h.assertApart(fmt.Sprintf("%s, %s at %v", q.name, size, got), objs)
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
// window made the smallest that keeps the question's room, and back; the place of birth with the places
// of San listed, likewise; in Italian and German, at the normal and at
// the largest text size. The question stayed scrolled as it was, the
// field under the keyboard.
func TestFocusedFieldAfterResize(t *testing.T) {
	layoutOnce(t)
	inItalianAndGerman(t, func(t *testing.T, h *harness, w *wizard, _ string, _ int) {
		big := func() {
			h.win.Resize(fyne.NewSize(1920, 1080))
			uitest.Settle(h.win)
		}
		where := func(s string) string { return fmt.Sprintf("%v, %s", h.win.Canvas().Size(), s) }

		big()
		h.app.showQuestion(7)
		h.win.Canvas().Focus(w.cap)
		h.roomy()
		h.assertAboveKeyboard(where("the CAP focused, then the window made the smallest with the question's room"), w.cap)
		big()
		h.assertAboveKeyboard(where("the CAP focused, then the window made 1920x1080 again"), w.cap)

		h.app.showQuestion(4)
		h.typeInto(w.luogo, "San")
		h.roomy()
		h.assertAboveKeyboard(where("San typed, then the window made the smallest with the question's room"), w.luogo, buttonsOf(w.places)...)
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

// Ensure that the top bar (INPS, the kiosk's name when it has room, A−,
// A+, the contrast and the audio) shows each of them whole, inside the window and over
// none of the others, in a window 1366 and MinWidth (1280) wide, 1080
// high, and in the smallest window, in every language of the kiosk at
// every text size; and that the bar never asks for more than MinWidth:
// it set the kiosk's smallest width by language (Romanian at A+ needed
// 1,419 px, a 1366-wide screen cut it).
func TestTopBarFits(t *testing.T) {
	layoutOnce(t)
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
			// The kiosk's name gives way when the bar has no room for it.
			walk(h.app.bar, func(o fyne.CanvasObject) {
				if t, ok := o.(*canvas.Text); ok && t.Visible() && (t.Text == "INPS" || t.Text == tr("app.title")) {
					objs[t.Text] = t
				}
			})
			h.assertApart(fmt.Sprintf("the top bar at %v", h.win.Canvas().Size()), objs)
			if _, ok := objs["INPS"]; !ok || len(objs) < 5 {
				t.Errorf("the top bar holds %d of INPS and the four buttons", len(objs))
			}
		}
		if l.Code == "ro" && scale == len(textScales)-1 {
			h.win.Resize(fyne.NewSize(1366, 1080))
			uitest.Settle(h.win)
			h.shot("04-top-bar-ro-largest-1366")
		}
	})
}

// kioskScreens are the screens the kiosk is laid out for: a small
// landscape one (1280x800), the smallest (1024x768, MinWidth wide) and a
// portrait totem (1080x1920). cmd/chiosco's TestXInputKioskScreens runs
// the real kiosk on the first two.
var kioskScreens = []fyne.Size{{Width: 1280, Height: 800}, {Width: 1024, Height: 768}, {Width: 1080, Height: 1920}}

// Ensure that every screen fits each of kioskScreens whole, in every
// language of the kiosk at every text size, with its primary action in
// view without scrolling: the languages' buttons, the services, the
// forward button (Avanti, Conferma, Continua, Fine) and Annulla at the
// bottom, and, on a question, its text and the field typed in over the
// keyboard. The screens asked for 886 px at 1.2 and 1,148 at A+, and
// 1,280 of width: on a 1280x800 screen Avanti went under its bottom
// edge.
func TestScreensFitKioskScreens(t *testing.T) {
	layoutOnce(t)
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, l Language, scale int) {
		h.everyScreen(scale, func(what string) {
			t.Helper()
			for _, size := range kioskScreens {
				h.win.Resize(size)
				uitest.Settle(h.win)
				where := fmt.Sprintf("%s at %v", what, size)
				// The window pads its content.
				if m := h.win.Content().MinSize().Add(size.Subtract(h.win.Content().Size())); m.Width > size.Width || m.Height > size.Height {
					t.Errorf("%s asks for a window %v", where, m)
				}
				h.assertInView(where, h.primaryActions())
				if w := h.app.session; w != nil && w.wizard != nil && strings.HasPrefix(h.app.Screen(), "question:") && h.app.Screen() != "question:sesso" {
					h.assertAboveKeyboard(where, questions[w.wizard.current].focus(w.wizard).(*entry))
				}
			}
			h.win.Resize(fyne.NewSize(1920, 1080))
		})
	})
}

// primaryActions returns the buttons of the screen that a citizen needs
// to go on, by name: the languages or the services, or the navigation
// bar's.
func (h *harness) primaryActions() map[string]fyne.CanvasObject {
	objs := map[string]fyne.CanvasObject{}
	switch h.app.Screen() {
	case "languages":
		for _, l := range Languages {
			objs[l.Name] = h.findButton(l.Name)
		}
		return objs
	case "services":
		for _, s := range Services {
			objs[s] = h.findButton(tr("service." + s + ".title"))
		}
	}
	for _, key := range []string{"nav.cancel", "nav.next", "nav.confirm", "service.continue", "nav.done"} {
		if b := h.findButton(tr(key)); b != nil {
			objs[key] = b
		}
	}
	return objs
}

// assertInView checks that every object of objs shows whole in the
// window's canvas, out of any scroll's hidden part: the window is the
// screen, and a citizen sees nothing past its edges.
func (h *harness) assertInView(where string, objs map[string]fyne.CanvasObject) {
	h.t.Helper()
	d := fyne.CurrentApp().Driver()
	screen := rect{size: h.win.Canvas().Size()}
	for name, o := range objs {
		if o == nil {
			h.t.Errorf("%s: no %s", where, name)
			continue
		}
		r := rect{d.AbsolutePositionForObject(o), o.Size()}
		if !o.Visible() || !screen.holds(r) {
			h.t.Errorf("%s: %s at %v, %v is not in view in the window %v", where, name, r.pos, r.size, screen.size)
		}
		walk(h.win.Canvas().Content(), func(x fyne.CanvasObject) {
			if sc, ok := x.(*container.Scroll); ok {
				if _, in := positionIn(sc.Content, o); !in {
					return
				}
				if view := (rect{d.AbsolutePositionForObject(sc), sc.Size()}); !view.holds(r) {
					h.t.Errorf("%s: %s at %v, %v is scrolled out of view, %v, %v", where, name, r.pos, r.size, view.pos, view.size)
				}
			}
		})
		if m := o.MinSize(); r.size.Width < m.Width-0.01 || r.size.Height < m.Height-0.01 {
			h.t.Errorf("%s: %s is cut: %v, wants %v", where, name, r.size, m)
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

// Ensure that the screens render at A+ on the low screens as reviewed
// (testdata/low-*.xml): the languages, the services, a service, the
// first question and the review, in Romanian at 1024x768 and in Italian
// at 1280x800. With KIOSK_SCREENSHOTS set, each is also saved as PNG.
func TestLowScreensGolden(t *testing.T) {
	for _, c := range []struct {
		lang string
		size fyne.Size
	}{{"ro", fyne.NewSize(1024, 768)}, {"it", fyne.NewSize(1280, 800)}} {
		t.Run(c.lang, func(t *testing.T) {
			h := newHarness(t)
			h.win.Resize(c.size)
			h.setScale(len(textScales) - 1)
			assert := func() {
				t.Helper()
				uitest.Settle(h.win)
				name := fmt.Sprintf("low-%s-%vx%v-%s", c.lang, c.size.Width, c.size.Height, strings.ReplaceAll(h.app.Screen(), ":", "-"))
				test.AssertRendersToMarkup(t, name+".xml", h.win.Canvas())
				h.shot(name)
			}
			assert()
			h.app.ChooseLanguage(c.lang)
			assert()
			h.tapText(tr("service.request.title"))
			assert()
			h.tapText(tr("service.continue"))
			assert()
			h.fill(rossi)
			assert()
		})
	}
}

// Ensure that a question shown by a background job (a timer, a print
// job, an answer of centrale: its last step runs through fyne.Do, after
// or before the driver's next frame, in no order the kiosk can rely on)
// keeps the field typed in whole over the keyboard once the driver lays
// it out again for its first frame, its texts measured again: here the
// hint measured taller than when the screen was built (as long again),
// and the question's scroll laid out again at the same size, as the real
// driver's frame does when the minimum size of what it holds changed.
// In every language at A+ on the low screens. The field was scrolled
// into view again only by a function queued after the screen (run after
// the frame of a key, before it or after it for a job) or when the
// window changed size: it stayed under the keyboard.
func TestQuestionFromJobFieldInView(t *testing.T) {
	layoutOnce(t)
	for _, l := range Languages {
		for _, size := range kioskScreens[:2] {
			t.Run(fmt.Sprintf("%s %v", l.Code, size), func(t *testing.T) {
				h := newHarness(t)
				w := h.startWizard(l.Code)
				h.setScale(len(textScales) - 1)
				h.win.Resize(size)
				uitest.Settle(h.win)
				for i, q := range questions {
					e, ok := q.focus(w).(*entry)
					if !ok {
						continue
					}
					h.app.background(func() func() {
						return func() { h.app.showQuestion(i) }
					})
					h.wait()
					hint := h.label(tr("h." + q.name))
					hint.SetText(hint.Text + "\n" + hint.Text)
					layoutNow(w.scroll.Content)
					test.WidgetRenderer(w.scroll).Layout(w.scroll.Size())
					h.assertShown(fmt.Sprintf("%s shown by a job", q.name), e)
				}
			})
		}
	}
}

// label returns the label of the window that shows text.
func (h *harness) label(text string) *widget.Label {
	h.t.Helper()
	var found *widget.Label
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == text && found == nil {
			found = l
		}
	})
	if found == nil {
		h.t.Fatalf("screen %s: no label %q", h.app.Screen(), text)
	}
	return found
}

// assertShown checks, as the window is laid out now (not laid out again
// first, as assertAboveKeyboard does), that o shows whole in the
// question's part that scrolls, above the on-screen keyboard.
func (h *harness) assertShown(where string, o fyne.CanvasObject) {
	h.t.Helper()
	d := fyne.CurrentApp().Driver()
	s := h.app.session.wizard.scroll
	top := d.AbsolutePositionForObject(s).Y
	bottom := min(top+s.Size().Height, d.AbsolutePositionForObject(h.app.keyboard.object).Y)
	if y := d.AbsolutePositionForObject(o).Y; !o.Visible() || y < top-0.01 || y+o.Size().Height > bottom+0.01 {
		h.t.Errorf("%s: %q from %v to %v, want whole between the question's top %v and the keyboard's %v",
			where, textOf(o), y, y+o.Size().Height, top, bottom)
	}
}

// layoutOnce skips t, a test of where things lie on every screen size,
// text size and language, on a run with the suite's clock moved
// (internal/testclock's PINSEDE_TEST_NOW, as in PINSEDE_TEST_NOW=...
// go test ./...; make test's passes with a moved clock leave the whole
// of ui/kiosk out): the calendar moves none of it, and a run on the
// suite's own day runs it. A moved clock changes nothing such a test
// reads: its kiosk's clock is the harness's (testNow, in a zone of its
// own), never PINSEDE_TEST_NOW; the kiosk reads the time through
// Config.Now alone, and writes it in that time's zone, never in TZ's; and
// the language's set-up under LC_ALL=C is ui/i18n's TestUse (the kiosk's
// German and Romanian, LC_ALL=C).
func layoutOnce(t *testing.T) {
	t.Helper()
	if os.Getenv(testclock.Env) != "" {
		t.Skip("layout: checked on the suite's own day")
	}
}
