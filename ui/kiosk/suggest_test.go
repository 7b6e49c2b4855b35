package kiosk

import (
	"fmt"
	"image/color"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// assertAboveKeyboard checks that every object of objs shows whole in the
// window, above the on-screen keyboard's top and below the question's
// top, and that so do the entry e the citizen types in and the question's
// text (assertAsked).
func (h *harness) assertAboveKeyboard(where string, e *entry, objs ...fyne.CanvasObject) {
	h.t.Helper()
	h.assertOverKeys(where, append([]fyne.CanvasObject{e}, objs...)...)
}

// assertOverKeys checks that every object of objs shows whole in the
// window, above the on-screen keyboard's top and below the question's
// top, that so does the question's text (assertAsked), and that the
// field typed in shows whole or not at all: never cut at the question's
// top.
func (h *harness) assertOverKeys(where string, objs ...fyne.CanvasObject) {
	h.t.Helper()
	uitest.Settle(h.win)
	d := fyne.CurrentApp().Driver()
	w := h.app.session.wizard
	top := d.AbsolutePositionForObject(w.scroll).Y
	// Clear of the shadow the scrolled question casts on the keyboard.
	keys := d.AbsolutePositionForObject(w.scroll).Y + w.scroll.Size().Height - fynetheme.Padding()
	keys = min(keys, d.AbsolutePositionForObject(h.app.keyboard.object).Y)
	width := h.win.Canvas().Size().Width
	h.askedInView(where) // the window settled above
	if f, ok := questions[w.current].focus(w).(*entry); ok {
		if p, s := d.AbsolutePositionForObject(f), f.Size(); p.Y < top-0.5 && p.Y+s.Height > top+0.5 {
			h.t.Errorf("%s: the field typed in at %v, %v is cut at the question's top %v: %v px of %v show",
				where, p, s, top, p.Y+s.Height-top, s.Height)
		}
	}
	for _, o := range objs {
		p, s := d.AbsolutePositionForObject(o), o.Size()
		if !o.Visible() || s.Height < o.MinSize().Height || p.Y < top-0.01 || p.Y+s.Height > keys+0.01 || p.X < 0 || p.X+s.Width > width {
			h.t.Errorf("%s: %T %q at %v, %v; want whole between the question's top %v and the keyboard's %v, within %v wide",
				where, o, textOf(o), p, s, top, keys, width)
		}
	}
}

// assertAsked checks that the current question's text (its heading:
// "Dove è nato/a?") shows whole in the window, under the top bar, above
// the on-screen keyboard and the navigation bar, and, should it be in
// the part of the question that scrolls, in the part scrolled into
// view: a citizen always sees what is asked.
func (h *harness) assertAsked(where string) {
	h.t.Helper()
	uitest.Settle(h.win)
	h.askedInView(where)
}

// askedInView checks what assertAsked does, in the window as it is laid
// out now.
func (h *harness) askedInView(where string) {
	h.t.Helper()
	w := h.app.session.wizard
	text := tr("q." + questions[w.current].name)
	var asked fyne.CanvasObject
	walk(h.app.body, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == text && l.Visible() {
			asked = l
		}
	})
	if asked == nil {
		h.t.Errorf("%s: the question's text %q is not on the screen", where, text)
		return
	}
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(h.app.body).Y
	bottom := d.AbsolutePositionForObject(h.findButton(tr("nav.next"))).Y
	walk(h.app.body, func(o fyne.CanvasObject) {
		if o == h.app.keyboard.object {
			bottom = min(bottom, d.AbsolutePositionForObject(o).Y)
		}
	})
	walk(w.scroll.Content, func(o fyne.CanvasObject) {
		if o == asked { // scrolled with the question: in view only under its top
			top = max(top, d.AbsolutePositionForObject(w.scroll).Y)
			bottom = min(bottom, d.AbsolutePositionForObject(w.scroll).Y+w.scroll.Size().Height)
		}
	})
	p, s := d.AbsolutePositionForObject(asked), asked.Size()
	// The label's inner padding may go under the bar or the keyboard: its
	// text not.
	pad := fynetheme.InnerPadding()
	if p.Y+pad < top-0.01 || p.Y+s.Height-pad > bottom+0.01 || s.Height < asked.MinSize().Height-0.01 || p.X < 0 || p.X+s.Width > h.win.Canvas().Size().Width+0.01 {
		h.t.Errorf("%s: the question's text %q at %v, %v; want it whole between %v and %v", where, text, p, s, top, bottom)
	}
}

// buttonsOf returns the buttons of a container of suggestions that show,
// but its more button.
func buttonsOf(c *fyne.Container) []fyne.CanvasObject {
	var more fyne.CanvasObject
	if g, ok := c.Layout.(*suggestionGrid); ok {
		more = g.more
	}
	var bs []fyne.CanvasObject
	walk(c, func(o fyne.CanvasObject) {
		if b, ok := o.(*button); ok && b.Visible() && o != more {
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
// narrowest width 1080 high, and at the smallest size that keeps the
// question's room (as narrow as it goes, and as low as keeps a row of
// suggestions: the keyboard gives up height, the suggestions show one
// row), at the normal and at the largest text size, in Italian and in
// German.
func TestSuggestionsAboveKeyboard(t *testing.T) {
	layoutOnce(t)
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
							// As narrow as the window goes, 1080 high (or
							// higher, if the screen asks for more at that
							// width): the keyboard leaves the question no
							// room below.
							h.win.Resize(fyne.NewSize(h.win.Content().MinSize().Width, 1080))
							uitest.Settle(h.win)
							if h.win.Content().MinSize().Height > h.win.Content().Size().Height {
								h.roomy()
							}
						case "smallest":
							h.roomy()
						}
					}
					resize()
					where := func(s string) string { return fmt.Sprintf("%v, %s", h.win.Canvas().Size(), s) }
					// many is how many places San shows: two rows of
					// two at 1920x1080, two rows in the narrowest window
					// (MinWidth: a long name may take a row), one in the
					// smallest, and at the largest text size one row,
					// which a long name may take (the question's text
					// stays in view above; the more button shows the
					// others).
					many := 4
					switch {
					case largest || size == "smallest":
						many = 1
					case size == "narrowest":
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
					// The list holds the places of that name alone: at
					// the largest text size in the narrowest window, the
					// second after the more button.
					var listed []string
					for _, b := range buttonsOf(w.places) {
						listed = append(listed, textOf(b))
					}
					second := slices.Contains(listed, "Castro (LE)") || w.places.Layout.(*suggestionGrid).more.Visible()
					if !slices.Contains(listed, "Castro (BG)") || !second || slices.Contains(listed, "Castrocielo (FR)") {
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

// Ensure that every suggestion can be reached when they are more than the
// rows show: in the smallest window (one row) at the normal and at the
// largest text size, in Italian and German, the six places of San show a
// row and the more button at its end; Tab goes from the field through
// the places shown to the more button, and Enter on it shows the next
// ones, again and again, until every one of the six has shown whole over
// the keyboard, and then the first ones again; the focus stays on the
// button all along. Tapped, it does the same. With two places at
// 1920x1080, the button is not there.
func TestEverySuggestionReachable(t *testing.T) {
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	inItalianAndGerman(t, func(t *testing.T, h *harness, w *wizard, lang string, scale int) {
		h.app.showQuestion(4)
		h.typeInto(w.luogo, "San")
		h.roomy()
		var want []string
		for _, p := range pinsede.SearchPlaces("San", 6) {
			want = append(want, p.String())
		}
		more := w.places.Layout.(*suggestionGrid).more
		shown := buttonsOf(w.places)
		if len(shown) >= len(want) || !more.Visible() {
			t.Fatalf("%v: %d of the %d places of San show, more button shown %v; want one row and the button", h.win.Canvas().Size(), len(shown), len(want), more.Visible())
		}
		c := h.win.Canvas()
		c.Focus(w.luogo)
		for range shown {
			c.FocusNext()
		}
		c.FocusNext()
		if c.Focused() != more {
			t.Fatalf("Tab %d times from the field: the focus is on %T %q, not on the more button", len(shown)+1, c.Focused(), textOf(c.Focused().(fyne.CanvasObject)))
		}
		seen := map[string]bool{}
		first := textOf(shown[0])
		for page := 0; ; page++ {
			shown = buttonsOf(w.places)
			h.assertAboveKeyboard(fmt.Sprintf("%v, page %d", h.win.Canvas().Size(), page), w.luogo, append(shown, more)...)
			if page > 0 && textOf(shown[0]) == first {
				break // back to the first ones
			}
			if page == len(want) {
				t.Fatalf("the more button never comes back to the first places: saw %v", seen)
			}
			for _, b := range shown {
				seen[textOf(b)] = true
			}
			if page == 1 && lang == "de" && scale != defaultScale {
				h.shot("05-luogo-more-de-largest-smallest")
			}
			if page%2 == 0 {
				more.TypedKey(enter)
			} else {
				test.Tap(more)
			}
			uitest.Settle(h.win)
			if c.Focused() != more {
				t.Fatalf("page %d: the focus left the more button for %T", page, c.Focused())
			}
		}
		for _, p := range want {
			if !seen[p] {
				t.Errorf("%s never showed: saw %v", p, seen)
			}
		}

		h.win.Resize(fyne.NewSize(1920, 1080))
		var two []suggestion
		for _, o := range w.places.Objects[:2] {
			two = append(two, suggestion{text: o.(*button).Text})
		}
		h.app.setSuggestions(w.places, two)
		uitest.Settle(h.win)
		if more.Visible() {
			t.Errorf("two places at 1920x1080: the more button shows")
		}
	})
}

// Ensure that the first suggestion shows with the field typed in, both
// whole over the on-screen keyboard, on the low screens the kiosk is laid
// out for (1280x800, 1024x768), in every language at every text size:
// the code computed from the answers with its button, the first place
// of "San" and the first state of "Bel". At A+ on 1024x768 they were
// under the field, under the keyboard: reached only by Tab or by
// scrolling, a citizen might not see them. Likewise, once Enter asks to
// choose in the list (Castro, a name of two places; "ma", a state not
// chosen) or finds the code typed wrong, the problem that says so and the
// first suggestion under it (the code computed and its button) show
// whole, the field above them if there is room; the place tapped, the
// field shows it; a key typed on takes the problem away and brings the
// field back. At A+ the first place, the first state and the code
// computed were under the keyboard, and on 1024x768 the problem's text
// with them.
func TestFirstSuggestionInView(t *testing.T) {
	layoutOnce(t)
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, _ Language, _ int) {
		w := h.app.session.wizard
		for _, size := range kioskScreens[:2] {
			h.win.Resize(size)
			uitest.Settle(h.win)
			where := func(s string) string { return fmt.Sprintf("%v, %s", size, s) }
			h.app.showQuestion(0)
			h.reachCF(w)
			code := h.label(rossi.cf) // reachCF answers as Maria Rossi
			use := h.findButton(tr("cf.use"))
			h.assertAboveKeyboard(where("the code computed"), w.cf, code, use)
			w.cf.SetText("RSSMRA85C47H501Z") // typed, as one change: each key costs a layout
			w.cf.TypedKey(enter)
			h.assertOverKeys(where("a wrong code and Enter"), w.errs[pinsede.FieldCodiceFiscale], code, use)
			test.Type(w.cf, "Z") // typed on: the problem goes, the field comes back
			h.assertAboveKeyboard(where("a wrong code, Enter and a key"), w.cf, code, use)
			h.app.showQuestion(4)
			h.typeInto(w.luogo, "San")
			h.assertAboveKeyboard(where("San typed"), w.luogo, buttonsOf(w.places)[0])
			w.luogo.SetText("Castro")
			w.luogo.TypedKey(enter)
			castro := buttonsOf(w.places)[0]
			h.assertOverKeys(where("Castro and Enter"), w.errs[pinsede.FieldLuogoNascita], castro)
			test.Tap(castro.(*button))
			if w.luogo.Text != textOf(castro) {
				t.Errorf("%s: %s tapped, the field shows %q", where("Castro and Enter"), textOf(castro), w.luogo.Text)
			}
			h.assertAboveKeyboard(where("Castro's first place tapped"), w.luogo)
			h.app.showQuestion(6)
			h.typeInto(w.stato, "Bel")
			h.assertAboveKeyboard(where("Bel typed"), w.stato, buttonsOf(w.countries)[0])
			h.typeInto(w.stato, "ma")
			w.stato.TypedKey(enter)
			h.assertOverKeys(where("ma and Enter"), w.errs[pinsede.FieldStato], buttonsOf(w.countries)[0])
			test.Type(w.stato, "r") // typed on: the problem goes, the field comes back
			if w.errs[pinsede.FieldStato].Visible() {
				t.Errorf("%s: the problem still shows", where("ma, Enter and r"))
			}
			h.assertAboveKeyboard(where("ma, Enter and r"), w.stato, buttonsOf(w.countries)[0])
		}
	})
}

// TestSuggestionsFollowTheme checks that every suggestion shown wears the
// session's contrast and text size, those relabelled from a list longer
// than the one shown when the citizen changed them included: a button
// out of the list when the view's theme was applied kept the one before,
// white on the black of the contrast (4 of 6 after "Pe", "Peglio",
// contrast, "Pe").
func TestSuggestionsFollowTheme(t *testing.T) {
	for _, change := range []string{"contrast", "A−"} {
		t.Run(change, func(t *testing.T) {
			h := newHarness(t)
			w := h.startWizard("it")
			h.app.showQuestion(slices.IndexFunc(questions, func(q question) bool { return q.name == "luogo" }))
			h.typeInto(w.luogo, "Pe")
			long := len(suggested(w.places))
			h.typeInto(w.luogo, "Peglio")
			if short := len(suggested(w.places)); short >= long {
				t.Fatalf("%d suggestions for Peglio, %d for Pe: want fewer", short, long)
			}
			h.now = h.now.Add(DoubleTap)
			if change == "contrast" {
				test.Tap(h.app.contrastButton)
			} else {
				test.Tap(h.app.smallerButton)
			}
			h.typeInto(w.luogo, "Pe")
			shown := suggested(w.places)
			if len(shown) != long {
				t.Fatalf("%d suggestions for Pe again, %d before", len(shown), long)
			}
			first := shown[0].(*button)
			want, wantH := background(first), first.MinSize().Height
			for _, o := range shown[1:] {
				b := o.(*button)
				if got, gotH := background(b), b.MinSize().Height; got != want || gotH != wantH {
					t.Errorf("after %s, %q: background %v, height %v; %q: %v, %v", change, b.Text, got, gotH, first.Text, want, wantH)
				}
			}
		})
	}
}

// background returns the colour of b's background, as its theme gives it.
func background(b *button) color.Color {
	return test.WidgetRenderer(b).Objects()[0].(*canvas.Rectangle).FillColor
}
