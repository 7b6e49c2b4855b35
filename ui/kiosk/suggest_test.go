package kiosk

import (
	"fmt"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// assertAboveKeyboard checks that every object of objs shows whole in the
// window, above the on-screen keyboard's top and below the question's
// top, and that so does the entry e the citizen types in.
func (h *harness) assertAboveKeyboard(where string, e *entry, objs ...fyne.CanvasObject) {
	h.t.Helper()
	uitest.Settle(h.win)
	d := fyne.CurrentApp().Driver()
	w := h.app.session.wizard
	top := d.AbsolutePositionForObject(w.scroll).Y
	// Clear of the shadow the scrolled question casts on the keyboard.
	keys := d.AbsolutePositionForObject(w.scroll).Y + w.scroll.Size().Height - fynetheme.Padding()
	keys = min(keys, d.AbsolutePositionForObject(h.app.keyboard.object).Y)
	width := h.win.Canvas().Size().Width
	for _, o := range append([]fyne.CanvasObject{e}, objs...) {
		p, s := d.AbsolutePositionForObject(o), o.Size()
		if !o.Visible() || s.Height < o.MinSize().Height || p.Y < top-0.01 || p.Y+s.Height > keys+0.01 || p.X < 0 || p.X+s.Width > width {
			h.t.Errorf("%s: %T %q at %v, %v; want whole between the question's top %v and the keyboard's %v, within %v wide",
				where, o, textOf(o), p, s, top, keys, width)
		}
	}
}

// buttonsOf returns the buttons of a container of suggestions.
func buttonsOf(c *fyne.Container) []fyne.CanvasObject {
	var bs []fyne.CanvasObject
	walk(c, func(o fyne.CanvasObject) {
		if b, ok := o.(*button); ok && b.Visible() {
			bs = append(bs, b)
		}
	})
	return bs
}

// Ensure that the suggestions of a question (places of birth, states, the
// codice fiscale computed) and the problem above them show whole above
// the on-screen keyboard when they appear or change, with the entry the
// citizen types in still in view (a name of several places, confirmed
// with Enter, lists those places alone): at 1920x1080, at the window's
// narrowest width 1080 high, and at its smallest size (as narrow and as
// low as it goes: the keyboard gives up height, the suggestions show one
// row), at the normal and at the largest text size, in Italian and in
// German.
func TestSuggestionsAboveKeyboard(t *testing.T) {
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	for _, lang := range []string{"it", "de"} {
		for _, largest := range []bool{false, true} {
			for _, size := range []string{"1920x1080", "narrowest", "smallest"} {
				t.Run(fmt.Sprintf("%s largest=%v %s", lang, largest, size), func(t *testing.T) {
					h := newHarness(t)
					w := h.startWizard(lang)
					if largest {
						h.setScale(len(textScales) - 1)
					}
					// resize sizes the window for the screen showing.
					resize := func() {
						switch size {
						case "narrowest":
							// As narrow as the window goes, 1080 high: the
							// keyboard leaves the question no room below.
							h.win.Resize(fyne.NewSize(h.win.Content().MinSize().Width, 1080))
						case "smallest":
							h.smallest()
						}
					}
					resize()
					where := func(s string) string { return fmt.Sprintf("%v, %s", h.win.Canvas().Size(), s) }
					// many is how many places San shows: two rows of
					// them, one in the smallest window.
					many := 4
					if size == "smallest" {
						many = 2
					}
					h.reachCF(w)
					resize()
					if len(buttonsOf(w.proposal)) != 1 {
						t.Fatalf("the computed codice fiscale is not proposed")
					}
					h.assertAboveKeyboard(where("the code proposed"), w.cf, w.proposal)

					h.app.showQuestion(4)
					resize()
					h.assertAboveKeyboard(where("the place of birth shown"), w.luogo)
					h.typeInto(w.luogo, "San")
					uitest.Settle(h.win)
					if n := len(buttonsOf(w.places)); n < many {
						t.Fatalf("%s: San: %d suggestions, want %d or more", where(""), n, many)
					}
					h.assertAboveKeyboard(where("San typed"), w.luogo, buttonsOf(w.places)...)
					h.typeInto(w.luogo, "Castro")
					w.luogo.TypedKey(enter)
					if !w.errs[pinsede.FieldLuogoNascita].Visible() {
						t.Fatalf("Castro and Enter: no problem shown")
					}
					// The list holds the places of that name alone.
					var listed []string
					for _, b := range buttonsOf(w.places) {
						listed = append(listed, textOf(b))
					}
					if !slices.Contains(listed, "Castro (BG)") || !slices.Contains(listed, "Castro (LE)") || slices.Contains(listed, "Castrocielo (FR)") {
						t.Errorf("Castro and Enter: the list holds %q, want the places named Castro alone", listed)
					}
					h.assertAboveKeyboard(where("Castro and Enter"), w.luogo, append(buttonsOf(w.places), w.errs[pinsede.FieldLuogoNascita])...)
					w.hideProblems(pinsede.FieldLuogoNascita)
					h.typeInto(w.luogo, "Peglio")
					places := buttonsOf(w.places)
					if len(places) != 2 {
						t.Fatalf("Peglio: %d suggestions, want 2", len(places))
					}
					h.assertAboveKeyboard(where("Peglio typed"), w.luogo, places...)
					w.luogo.TypedKey(enter)
					problem := w.errs[pinsede.FieldLuogoNascita]
					if !problem.Visible() {
						t.Fatalf("Peglio and Enter: no problem shown")
					}
					h.assertAboveKeyboard(where("Peglio and Enter"), w.luogo, append(buttonsOf(w.places), problem)...)
					if lang == "de" && largest {
						h.shot(fmt.Sprintf("05-luogo-two-places-%s-largest-%s", lang, size))
					}

					h.app.showQuestion(6)
					resize()
					h.assertAboveKeyboard(where("the country shown"), w.stato)
					h.typeInto(w.stato, "ma")
					uitest.Settle(h.win)
					if n := len(buttonsOf(w.countries)); n < many {
						t.Fatalf("%s: ma: %d suggestions, want %d or more", where(""), n, many)
					}
					h.assertAboveKeyboard(where("ma typed"), w.stato, buttonsOf(w.countries)...)
				})
			}
		}
	}
}
