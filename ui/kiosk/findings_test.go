package kiosk

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// Ensure that every key of the on-screen keyboard is a different
// character, in small and capital letters, plain and accented.
func TestKeyboardKeysUnique(t *testing.T) {
	h := newHarness(t)
	k := h.app.keyboard
	for _, accents := range []bool{false, true} {
		for _, upper := range []bool{false, true} {
			k.accents, k.upper = accents, upper
			k.relabel()
			seen := map[string]int{}
			for i, key := range k.keys {
				if len([]rune(key.Text)) != 1 {
					t.Errorf("accents %v, capitals %v: key %d is %q, not one character", accents, upper, i, key.Text)
				}
				if j, dup := seen[key.Text]; dup {
					t.Errorf("accents %v, capitals %v: %q on keys %d and %d", accents, upper, key.Text, j, i)
				}
				seen[key.Text] = i
			}
		}
	}
}

// reachCF answers the questions up to the codice fiscale for Maria Rossi,
// born in Rome on 7 March 1985.
func (h *harness) reachCF(w *wizard) {
	h.t.Helper()
	h.typeInto(w.cognome, "Rossi")
	w.next()
	h.typeInto(w.nome, "Maria")
	w.next()
	test.Tap(w.female)
	h.typeInto(w.nascita, "07/03/1985")
	w.next()
	h.typeInto(w.luogo, "Roma")
	h.tapText("Roma (RM)")
	w.next()
	if got := h.app.Screen(); got != "question:cf" {
		h.t.Fatalf("screen %s, want question:cf", got)
	}
}

// Ensure that "Usa questo codice" takes away the problem shown under the
// codice fiscale: the code it types is the right one.
func TestUseCodeClearsError(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	h.reachCF(w)
	h.typeInto(w.cf, "RSSMRA85C47H501X")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCodiceFiscale]; got == "" {
		t.Fatalf("no problem shown for a wrong check character")
	}
	h.tapText(tr("cf.use"))
	h.shot("05-cf-used-it")
	if w.cf.Text != "RSSMRA85C47H501Y" {
		t.Errorf("Usa questo codice typed %q", w.cf.Text)
	}
	if got := shownErrors(w); len(got) != 0 {
		t.Errorf("problems still shown after Usa questo codice: %v", got)
	}
	if strings.Contains(h.texts(), tr(pinsede.KeyCFCheck)) {
		t.Errorf("the old problem is still on the screen")
	}
}

// Ensure that a place of birth typed in full and confirmed with Enter,
// without a tap on the list, is picked: the codice fiscale is proposed.
// A name of two places waits for a tap on one of them.
func TestEnterPicksExactPlace(t *testing.T) {
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	for _, typed := range []string{"Roma", "roma", "ROMA (RM)"} {
		t.Run(typed, func(t *testing.T) {
			h := newHarness(t)
			w := h.startWizard("it")
			h.typeInto(w.cognome, "Rossi")
			w.next()
			h.typeInto(w.nome, "Maria")
			w.next()
			test.Tap(w.female)
			h.typeInto(w.nascita, "07/03/1985")
			w.next()
			h.typeInto(w.luogo, typed)
			w.luogo.TypedKey(enter)
			if got := h.app.Screen(); got != "question:cf" {
				t.Fatalf("screen %s after Enter, want question:cf", got)
			}
			if got := w.request().LuogoNascita; got.Code != "H501" || w.luogo.Text != "Roma (RM)" {
				t.Errorf("place %+v, entry %q", got, w.luogo.Text)
			}
			if !strings.Contains(h.texts(), "RSSMRA85C47H501Y") {
				t.Errorf("the computed codice fiscale is not proposed")
			}
		})
	}
	t.Run("today's local name", func(t *testing.T) {
		h := newHarness(t)
		w := h.startWizard("it")
		h.app.showQuestion(4)
		h.typeInto(w.luogo, "Krk")
		w.luogo.TypedKey(enter)
		if got := w.request().LuogoNascita; got.Code != "M293" || w.luogo.Text != "Veglia (FU)" {
			t.Errorf("Krk and Enter: place %+v, entry %q; want Veglia (FU), M293", got, w.luogo.Text)
		}
	})
	t.Run("two places", func(t *testing.T) {
		h := newHarness(t)
		w := h.startWizard("it")
		h.app.showQuestion(4)
		h.typeInto(w.luogo, "Peglio")
		w.luogo.TypedKey(enter)
		if got := h.app.Screen(); got != "question:luogo" {
			t.Fatalf("screen %s after Enter on a name of two places", got)
		}
		if got := shownErrors(w)[pinsede.FieldLuogoNascita]; got != tr(pinsede.KeyPlaceCode) {
			t.Errorf("problem %q", got)
		}
		h.shot("05-luogo-two-places-it")
		h.tapText("Peglio (PU)")
		if got := w.request().LuogoNascita; got.Code == "" || got.Province != "PU" {
			t.Errorf("place %+v after the tap", got)
		}
		if got := shownErrors(w); len(got) != 0 {
			t.Errorf("problems shown after the tap: %v", got)
		}
	})
}

// Ensure that a date written the right way that is not in the calendar
// (31/02/1990) is called a day that does not exist, not a wrong format,
// and that a wrong format is still called one.
func TestImpossibleDate(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	h.app.showQuestion(3)
	for _, tc := range []struct{ typed, want string }{
		{"31/02/1990", "Questo giorno non esiste: controlla il giorno e il mese."},
		{"29/02/1990", "Questo giorno non esiste: controlla il giorno e il mese."},
		{"31-04-1990", "Questo giorno non esiste: controlla il giorno e il mese."},
		{"07/13/1985", "Questo giorno non esiste: controlla il giorno e il mese."},
		{"1990-02-30", "Questo giorno non esiste: controlla il giorno e il mese."},
		{"7 marzo 1985", tr(pinsede.KeyDateFormat)},
		{"07/03/85", tr(pinsede.KeyDateFormat)},
		{"7-3-1985", tr(pinsede.KeyDateFormat)},
	} {
		h.typeInto(w.nascita, tc.typed)
		w.next()
		if got := shownErrors(w)[pinsede.FieldDataNascita]; got != tc.want {
			t.Errorf("%s: problem %q, want %q", tc.typed, got, tc.want)
		}
		if tc.typed == "31/02/1990" {
			h.shot("05-error-nascita-31-02-it")
		}
	}
	if got := h.app.Screen(); got != "question:nascita" {
		t.Errorf("screen %s after impossible dates", got)
	}
	h.typeInto(w.nascita, "29/02/1988")
	w.next()
	if got := h.app.Screen(); got != "question:luogo" {
		t.Errorf("screen %s after 29/02/1988", got)
	}
}

// Ensure that Annulla keeps from the screen's edge the margin the forward
// button keeps from the other edge, on every screen with both, and that
// the done screen, whose Fine ends the session already, has no Annulla.
func TestCancelMargin(t *testing.T) {
	h := newHarness(t)
	d := fyne.CurrentApp().Driver()
	// Measured from the kiosk's content: the test window pads it unevenly.
	root := h.app.root
	check := func(next string) {
		t.Helper()
		cancel, forward := h.findButton(tr("nav.cancel")), h.findButton(next)
		if cancel == nil || forward == nil {
			t.Fatalf("screen %s: no %q or %q", h.app.Screen(), tr("nav.cancel"), next)
		}
		edge := d.AbsolutePositionForObject(root).X
		left := d.AbsolutePositionForObject(cancel).X - edge
		right := edge + root.Size().Width - d.AbsolutePositionForObject(forward).X - forward.Size().Width
		if left < navInset || left != right {
			t.Errorf("screen %s: Annulla %v px from the left edge, %s %v px from the right one; want both %v or more, the same",
				h.app.Screen(), left, next, right, float32(navInset))
		}
	}
	h.startWizard("it")
	check(tr("nav.next"))
	h.fill(rossi)
	check(tr("nav.confirm"))
	h.confirm()
	if h.app.Screen() != "done" {
		t.Fatalf("screen %s, want done", h.app.Screen())
	}
	h.shot("07-done-nocancel-it")
	if h.findButton(tr("nav.cancel")) != nil {
		t.Errorf("the done screen shows Annulla")
	}
	if h.findButton(tr("nav.done")) == nil {
		t.Errorf("the done screen has no Fine")
	}
}

// pixelIn returns the colour the window shows inside o, 24 px from its
// left edge and halfway down: clear of its text and of its focus ring.
func (h *harness) pixelIn(img image.Image, o fyne.CanvasObject) color.NRGBA {
	h.t.Helper()
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	x, y := int(p.X+24), int(p.Y+o.Size().Height/2)
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
}

// Ensure that on the sex question what looks chosen is what counts: the
// option that has the keyboard's focus and is not chosen looks like the
// other unchosen one, in both themes; the chosen one looks different; and
// Space on the focused option chooses it and moves on.
func TestSexFocusIsNotChoice(t *testing.T) {
	for _, contrast := range []bool{false, true} {
		t.Run(fmt.Sprintf("contrast=%v", contrast), func(t *testing.T) {
			h := newHarness(t)
			w := h.startWizard("it")
			if contrast {
				test.Tap(h.app.contrastButton)
			}
			h.app.showQuestion(2)
			if got := h.win.Canvas().Focused(); got != fyne.Focusable(w.male) {
				t.Fatalf("focus on %T, want the first option", got)
			}
			img := h.win.Canvas().Capture()
			h.shot(fmt.Sprintf("04-sesso-focus-contrast-%v-it", contrast))
			focused, other := h.pixelIn(img, w.male), h.pixelIn(img, w.female)
			if focused != other {
				t.Errorf("the focused option, not chosen, is %v inside; the other %v: it looks chosen", focused, other)
			}
			w.next()
			if got := shownErrors(w)[pinsede.FieldSesso]; got == "" || h.app.Screen() != "question:sesso" {
				t.Fatalf("Avanti with no choice: screen %s, problem %q", h.app.Screen(), got)
			}

			// Chosen: Femmina, then back to the question.
			w.sex = pinsede.SexFemale
			h.app.showQuestion(2)
			h.win.Canvas().Focus(w.male)
			img = h.win.Canvas().Capture()
			h.shot(fmt.Sprintf("04-sesso-chosen-contrast-%v-it", contrast))
			if chosen, focused := h.pixelIn(img, w.female), h.pixelIn(img, w.male); chosen == focused {
				t.Errorf("the chosen option looks like the focused one: %v", chosen)
			}

			// Space on the focused option chooses it.
			h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
			if w.sex != pinsede.SexMale || h.app.Screen() != "question:nascita" {
				t.Errorf("Space on Maschio: sex %q, screen %s", w.sex, h.app.Screen())
			}
		})
	}
}

// Ensure that a country of residence confirmed with the keyboard's Enter,
// without a tap on the list, is picked when the text names one state
// alone: its whole name in the citizen's language or in Italian, or the
// code or the start of the name of one state alone. A text that fits
// several keeps its text and asks, in the citizen's language, to choose in
// the list, not for an answer already given; an empty one asks for one.
func TestEnterPicksTypedCountry(t *testing.T) {
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	for _, tc := range []struct{ lang, typed, want string }{
		{"es", "argen", "AR"},
		{"de", "Argentinien", "AR"},
		{"de", "argentina", "AR"}, // the Italian name
		{"en", "Germany", "DE"},
		{"en", "deu ", "DE"},  // the alpha-3 code
		{"fr", "Niger", "NE"}, // not Nigeria
	} {
		t.Run(tc.lang+" "+tc.typed, func(t *testing.T) {
			h := newHarness(t)
			w := h.startWizard(tc.lang)
			h.app.showQuestion(6)
			h.typeInto(w.stato, tc.typed)
			w.stato.TypedKey(enter)
			if got := h.app.Screen(); got != "question:indirizzo" {
				t.Fatalf("screen %s after Enter on %q, want question:indirizzo (problems %v)", got, tc.typed, shownErrors(w))
			}
			if w.country != tc.want || w.stato.Text != countryName(tc.want) {
				t.Errorf("country %q, entry %q; want %s, %q", w.country, w.stato.Text, tc.want, countryName(tc.want))
			}
		})
	}
	t.Run("several states", func(t *testing.T) {
		h := newHarness(t)
		w := h.startWizard("es")
		h.app.showQuestion(6)
		h.typeInto(w.stato, "arg")
		w.stato.TypedKey(enter)
		if got := h.app.Screen(); got != "question:stato" {
			t.Fatalf("screen %s after Enter on a start of two names", got)
		}
		if got := shownErrors(w)[pinsede.FieldStato]; got != "Toque el país en la lista." {
			t.Errorf("problem %q, want the Spanish of %s", got, pinsede.KeyCountry)
		}
		if w.stato.Text != "arg" || w.country != "" {
			t.Errorf("entry %q, country %q after the problem; want what was typed, none", w.stato.Text, w.country)
		}
		h.tapText("Argentina")
		w.stato.TypedKey(enter)
		if got := h.app.Screen(); got != "question:indirizzo" || w.country != "AR" {
			t.Errorf("screen %s, country %q after the tap and Enter", got, w.country)
		}
	})
	t.Run("empty", func(t *testing.T) {
		h := newHarness(t)
		w := h.startWizard("it")
		h.app.showQuestion(6)
		w.stato.TypedKey(enter)
		if got := shownErrors(w)[pinsede.FieldStato]; got != tr(pinsede.KeyRequired) {
			t.Errorf("problem %q, want %q", got, tr(pinsede.KeyRequired))
		}
	})
}

// Ensure that the window's title names the screen showing, after the
// title the program gave it: the X tests of cmd/chiosco wait on it.
func TestWindowTitleNamesScreen(t *testing.T) {
	test.NewTempApp(t)
	win := test.NewTempWindow(t, nil)
	win.SetTitle("INPS – Chiosco")
	a := New(win, Config{Now: func() time.Time { return testNow }})
	a.Start()
	t.Cleanup(a.Stop)
	want := func(screen string) {
		t.Helper()
		if got := win.Title(); got != "INPS – Chiosco · "+screen {
			t.Errorf("title %q, want %q", got, "INPS – Chiosco · "+screen)
		}
	}
	want("languages")
	a.ChooseLanguage("ro")
	want("services")
	a.showService(ServiceRequest)
	want("service")
	a.startWizard()
	want("question:cognome")
	a.Wipe()
	want("languages")
}

// Ensure that an entry holds at most MaxEntry characters whatever the
// keys do: typed, pasted from a long clipboard, or doubled by Ctrl+A,
// Ctrl+C, Ctrl+V, Ctrl+V again and again (found by TestXInputKioskRandom's
// keys); a character typed over a selection at the bound replaces it.
func TestEntryBounded(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	e := w.cognome
	count := func() int { return len([]rune(e.Text)) }
	test.Type(e, strings.Repeat("à", MaxEntry+10))
	if count() != MaxEntry {
		t.Errorf("typed %d characters: the entry holds %d, want %d", MaxEntry+10, count(), MaxEntry)
	}
	e.SetText("Rossi")
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent(strings.Repeat("x", 10000))
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if count() != MaxEntry || !strings.HasPrefix(e.Text, "Rossi") {
		t.Errorf("a paste of 10000 characters: the entry holds %d, want %d starting with Rossi", count(), MaxEntry)
	}
	e.SetText("Rossi")
	for range 20 {
		e.TypedShortcut(&fyne.ShortcutSelectAll{})
		e.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
		e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
		e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	}
	if count() > MaxEntry || len([]rune(clip.Content())) > MaxEntry {
		t.Errorf("copied and pasted twice 20 times: the entry holds %d, the clipboard %d; want at most %d",
			count(), len([]rune(clip.Content())), MaxEntry)
	}
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
	test.Type(e, "B")
	if e.Text != "B" {
		t.Errorf("a character over the whole text selected: %q, want B", e.Text)
	}
}

// Ensure that what a citizen copied goes with their session: the next
// citizen's Ctrl+V pastes nothing.
func TestWipeClearsClipboard(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	h.typeInto(w.cognome, "Rossi")
	clip := fyne.CurrentApp().Clipboard()
	w.cognome.TypedShortcut(&fyne.ShortcutSelectAll{})
	w.cognome.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
	if clip.Content() != "Rossi" {
		t.Fatalf("copied %q, want Rossi", clip.Content())
	}
	h.tapText(tr("nav.cancel"))
	w = h.startWizard("en")
	w.cognome.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if w.cognome.Text != "" || clip.Content() != "" {
		t.Errorf("the next citizen pastes %q (clipboard %q), want nothing", w.cognome.Text, clip.Content())
	}
}

// Ensure that the second tap of a double tap whose first changed the
// screen does nothing on the new screen, where it lands on a button the
// citizen has not seen: Continua tapped twice shows the first question
// with no problem (its Avanti is where Continua was), Avanti tapped twice
// on the last question stays on the review and sends nothing, Conferma
// tapped twice stays on the last screen with the number (Fine is where
// Conferma was). A tap after DoubleTap is the citizen's. Under X, a
// double click on Avanti of the real kiosk's last question sent the
// request, its review unseen.
func TestDoubleTapLandsNowhere(t *testing.T) {
	for _, c := range []struct {
		name  string
		reach func(h *harness) *button // the button tapped twice, on its screen
		then  string                   // the screen the first tap leads to
		sent  int                      // the requests the sink then holds
	}{
		{"Continua", func(h *harness) *button {
			h.app.ChooseLanguage("fr")
			h.tapText(tr("service.request.title"))
			return h.findButton(tr("service.continue"))
		}, "question:cognome", 0},
		{"Avanti on the last question", func(h *harness) *button {
			h.startWizard("de")
			h.fill(rossi)
			h.app.showQuestion(len(questions) - 1)
			return h.findButton(tr("nav.next"))
		}, "review", 0},
		{"Conferma", func(h *harness) *button {
			h.startWizard("ro")
			h.fill(rossi)
			return h.findButton(tr("nav.confirm"))
		}, "done", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			b := c.reach(h)
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).Add(fyne.NewPos(b.Size().Width/2, b.Size().Height/2))
			h.now = h.now.Add(time.Minute) // read
			test.TapCanvas(h.win.Canvas(), at)
			if c.then == "done" {
				h.steps.Next() // the request sent, the last screen shown
			}
			for range 2 { // a second tap and a third
				h.now = h.now.Add(DoubleTap / 4)
				test.TapCanvas(h.win.Canvas(), at)
			}
			h.wait()
			where := "a double tap on " + c.name
			if got := h.app.Screen(); got != c.then {
				t.Fatalf("%s: screen %s, want %s", where, got, c.then)
			}
			if n := len(h.sink.received()); n != c.sent {
				t.Errorf("%s: the sink holds %d requests, want %d", where, n, c.sent)
			}
			if c.then != "question:cognome" {
				return
			}
			w := h.app.session.wizard
			if got := shownErrors(w); len(got) > 0 {
				t.Errorf("%s: the first question shows %v", where, got)
			}
			h.now = h.now.Add(DoubleTap)
			test.TapCanvas(h.win.Canvas(), at)
			if got := shownErrors(w); len(got) != 1 {
				t.Errorf("Avanti tapped %v after the double tap: the first question shows %v, want its problem", DoubleTap, got)
			}
		})
	}
}

// Ensure that a tap on the on-screen keyboard right after Avanti types:
// the keyboard is where it was on the question before, seen, and a
// citizen who taps Avanti and at once the first letters of the next
// answer keeps them (the first, within DoubleTap of the new question,
// was dropped as a double tap's second). A tap on the keyboard right
// after a screen that showed none (Continua, on the service) is still
// one, and a double tap on Avanti still skips nothing.
func TestTypingRightAfterAvanti(t *testing.T) {
	h := newHarness(t)
	tap := func(o fyne.CanvasObject) {
		t.Helper()
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
		test.TapCanvas(h.win.Canvas(), at)
	}
	k := h.app.keyboard
	m, a := k.keys[36], k.keys[20] // m, a: plainRows
	h.app.ChooseLanguage("it")
	h.tapText(tr("service.request.title"))
	h.now = h.now.Add(time.Minute) // read
	tap(h.findButton(tr("service.continue")))
	h.now = h.now.Add(DoubleTap / 4)
	tap(m)
	w := h.app.session.wizard
	if got := w.cognome.Text; got != "" {
		t.Errorf("a key tapped %v after Continua, where a double tap lands: the surname is %q, want nothing", DoubleTap/4, got)
	}
	h.typeInto(w.cognome, "Rossi")
	h.now = h.now.Add(time.Minute)
	tap(h.findButton(tr("nav.next")))
	if got := h.app.Screen(); got != "question:nome" {
		t.Fatalf("Avanti on the surname: screen %s, want question:nome", got)
	}
	want := m.Text + a.Text
	for _, key := range []*button{m, a} {
		h.now = h.now.Add(DoubleTap / 4)
		tap(key)
	}
	if got := w.nome.Text; got != want {
		t.Errorf("%s and %s tapped on the keyboard %v and %v after Avanti: the name is %q, want %q", m.Text, a.Text, DoubleTap/4, DoubleTap/2, got, want)
	}
	h.now = h.now.Add(time.Minute)
	next := h.findButton(tr("nav.next"))
	tap(next)
	h.now = h.now.Add(DoubleTap / 4)
	tap(next)
	if got := h.app.Screen(); got != "question:sesso" {
		t.Errorf("a double tap on Avanti after typing: screen %s, want question:sesso", got)
	}
	if got := shownErrors(w); len(got) > 0 {
		t.Errorf("a double tap on Avanti after typing: the sex question shows %v", got)
	}
}

// Ensure that the review shows every answer whole, on as many lines as it
// takes, for a citizen with long answers (a double surname with an
// apostrophe, three names, a long street and town, a long e-mail), at
// 1920x1080 at the normal text size and at A+ on 1024x768: the texts
// drawn make the whole answer, each within its answer's width. The
// answers were cut with an ellipsis: at 1920x1080 the address and the
// e-mail ("maria.antonietta.dellagherardesca@example.co…"), at A+ the
// surname too; a citizen could not check them.
func TestReviewShowsWholeAnswers(t *testing.T) {
	long := rossi
	long.cognome, long.nome = "Della Gherardesca D'Alessandro", "Maria Antonietta Francesca"
	long.street, long.city = "Via Giovanni Battista Pergolesi 123", "Castelnuovo di Garfagnana"
	long.email = "maria.antonietta.dellagherardesca@example.com"
	for _, c := range []struct {
		size  fyne.Size
		scale int
	}{{fyne.NewSize(1920, 1080), defaultScale}, {kioskScreens[1], len(textScales) - 1}} {
		t.Run(fmt.Sprintf("%v text %v", c.size, textScales[c.scale]), func(t *testing.T) {
			h := newHarness(t)
			h.startWizard("it")
			h.fill(long)
			h.setScale(c.scale)
			h.win.Resize(c.size)
			uitest.Settle(h.win)
			answers := []string{long.cognome, long.nome, long.street + ", " + long.cap + " " + long.city, long.email}
			walk(h.app.body, func(o fyne.CanvasObject) {
				l, ok := o.(*widget.Label)
				if !ok || !slices.Contains(answers, strings.Split(l.Text, " · ")[0]) {
					return
				}
				var drawn []string
				walk(l, func(o fyne.CanvasObject) {
					if x, ok := o.(*canvas.Text); ok && x.Visible() {
						drawn = append(drawn, x.Text)
						if w := x.MinSize().Width; w > l.Size().Width+0.5 {
							t.Errorf("%q: the line %q is %v wide, its answer %v", l.Text, x.Text, w, l.Size().Width)
						}
					}
				})
				if strings.ReplaceAll(strings.Join(drawn, ""), " ", "") != strings.ReplaceAll(l.Text, " ", "") {
					t.Errorf("the answer %q shows as %q", l.Text, drawn)
				}
				answers = slices.DeleteFunc(answers, func(s string) bool { return s == strings.Split(l.Text, " · ")[0] })
			})
			if len(answers) > 0 {
				t.Errorf("the review does not show %q", answers)
			}
		})
	}
}

// Ensure that Enter held down acts once: its repeats (TypedKey with no
// KeyDown, as the driver sends them) activate nothing on the screens it
// led to, the sex focused on the next question, the review's Conferma;
// pressed again, it does. On the real kiosk under Xvfb, Enter held 1.2 s
// on the e-mail sent the request, its review and its number unseen, and
// began a new session in Italian.
func TestHeldEnterActsOnce(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("es")
	h.fill(rossi)
	enter := &fyne.KeyEvent{Name: fyne.KeyReturn}
	focused := func() desktop.Keyable { return h.win.Canvas().Focused().(desktop.Keyable) }
	hold := func(from *entry, want string) {
		t.Helper()
		h.win.Canvas().Focus(from)
		from.KeyDown(enter)
		from.TypedKey(enter)
		for range 20 { // the repeats, on whatever has the keyboard
			focused().TypedKey(enter)
		}
		if got := h.app.Screen(); got != want {
			t.Fatalf("Enter held from %s: screen %s, want %s", questions[w.current].name, got, want)
		}
		focused().KeyUp(enter)
	}
	w.sex = ""
	h.app.showQuestion(1)
	hold(w.nome, "question:sesso")
	if w.sex != "" {
		t.Errorf("Enter held on the name chose the sex %q", w.sex)
	}
	w.sex = pinsede.SexFemale
	h.app.showQuestion(len(questions) - 1)
	hold(w.email, "review")
	if n := len(h.sink.received()); n != 0 {
		t.Fatalf("Enter held on the e-mail sent %d requests", n)
	}
	focused().KeyDown(enter) // pressed again, on Conferma
	focused().TypedKey(enter)
	h.wait()
	if got, n := h.app.Screen(), len(h.sink.received()); got != "done" || n != 1 {
		t.Errorf("Enter pressed on the review: screen %s, %d requests sent; want done, 1", got, n)
	}
}

// keyboardQuestions calls f with each question that shows the on-screen
// keyboard, on its first page and on its accents, the question showing,
// the field before the keyboard in the Tab order (the keyboard's target)
// focused and empty.
func (h *harness) keyboardQuestions(f func(where string, field *entry)) {
	h.t.Helper()
	c, k := h.win.Canvas(), h.app.keyboard
	for i, q := range questions {
		if q.name == "sesso" {
			continue
		}
		for _, accents := range []bool{false, true} {
			h.app.showQuestion(i)
			if k.accents != accents {
				c.Focus(k.accent)
				press(c, fyne.KeyReturn, 0)
			}
			if k.accents != accents {
				h.t.Fatalf("%s: Enter on %q: accents %v, want %v", q.name, k.accent.Text, k.accents, accents)
			}
			c.Focus(q.focus(h.app.session.wizard))
			tabToKey(h.t, c)
			field := k.target
			field.SetText("")
			c.Focus(field)
			f(fmt.Sprintf("%s, accents %v", q.name, accents), field)
		}
	}
}

// tabToKey moves the focus on with Tab until a key of the on-screen
// keyboard has it, and returns that key.
func tabToKey(t testing.TB, c fyne.Canvas) *button {
	t.Helper()
	for range 20 {
		c.FocusNext()
		if b, ok := c.Focused().(*button); ok && b.key {
			return b
		}
	}
	t.Fatalf("20 Tabs do not reach the on-screen keyboard: %T has the focus", c.Focused())
	return nil
}

// press presses key on what has the focus as the driver does, held down
// for repeats repeats: KeyDown, TypedKey, and TypedKey again at each
// repeat (a space's rune after each TypedKey of Space), on whatever has
// the focus then; then KeyUp.
func press(c fyne.Canvas, key fyne.KeyName, repeats int) {
	ev := &fyne.KeyEvent{Name: key}
	c.Focused().(desktop.Keyable).KeyDown(ev)
	for range repeats + 1 {
		c.Focused().TypedKey(ev)
		if key == fyne.KeySpace {
			c.Focused().TypedRune(' ')
		}
	}
	c.Focused().(desktop.Keyable).KeyUp(ev)
}

// Ensure that what the physical keyboard types while a key of the
// on-screen keyboard has the focus (Tab from the field leads there) goes
// in the field, at its cursor, as if typed there, and that the field has
// the focus again for the keys after it (a Space there would press the
// key, an Enter type its character rather than submit the answer): on
// every question that shows the keyboard, on its first page and its
// accents. On the real kiosk under Xvfb, "Ro", Tab and "ssi" on the
// surname left "Ro": the "ssi" typed on the key 1 went nowhere.
func TestTypingOnAKey(t *testing.T) {
	h := newHarness(t)
	h.startWizard("it")
	c := h.win.Canvas()
	h.keyboardQuestions(func(where string, field *entry) {
		test.Type(field, "Rxsi")
		field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
		field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) // after the x
		key := tabToKey(t, c)
		press(c, fyne.KeyBackspace, 0)
		if c.Focused() != field || field.Text != "Rsi" {
			t.Errorf("%s: Backspace on the key %q: the field holds %q, %T has the focus; want Rsi, the field",
				where, key.Text, field.Text, c.Focused())
		}
		key = tabToKey(t, c)
		for _, r := range "os" {
			c.Focused().TypedRune(r)
		}
		if c.Focused() != field || field.Text != "Rossi" {
			t.Errorf("%s: os typed on the key %q: the field holds %q, %T has the focus; want Rossi, the field",
				where, key.Text, field.Text, c.Focused())
		}
	})
}

// Ensure that the keys that edit a field (Delete, the arrows, Home, End)
// and the shortcuts (Ctrl+A, Ctrl+X, Ctrl+V) pressed while a key of the
// on-screen keyboard has the focus act on the field at its cursor, as if
// pressed there, and that the field has the focus again: on every
// question that shows the keyboard, on its first page and its accents.
// Before, only the characters and Backspace did: Delete, the arrows and
// the shortcuts pressed on a key went nowhere.
func TestEditingOnAKey(t *testing.T) {
	h := newHarness(t)
	h.startWizard("it")
	c := h.win.Canvas()
	h.keyboardQuestions(func(where string, field *entry) {
		// step presses what on a key, then checks the field, after typing
		// a mark at its cursor (typed on a key too).
		step := func(what string, do func(), want string) {
			t.Helper()
			key := tabToKey(t, c)
			do()
			if c.Focused() != field {
				t.Errorf("%s: %s on the key %q: %T has the focus, want the field", where, what, key.Text, c.Focused())
			}
			tabToKey(t, c)
			c.Focused().TypedRune('|')
			if field.Text != want {
				t.Errorf("%s: %s on the key %q, then | typed: the field holds %q, want %q", where, what, key.Text, field.Text, want)
			}
			field.SetText(strings.ReplaceAll(field.Text, "|", ""))
		}
		test.Type(field, "Rossi")
		step("Left", func() { press(c, fyne.KeyLeft, 1) }, "Ros|si")
		field.CursorColumn = 3
		step("Delete", func() { press(c, fyne.KeyDelete, 0) }, "Ros|i")
		field.SetText("Rossi")
		step("Home", func() { press(c, fyne.KeyHome, 0) }, "|Rossi")
		step("End", func() { press(c, fyne.KeyEnd, 0) }, "Rossi|")
		field.CursorColumn = 0
		step("Right", func() { press(c, fyne.KeyRight, 0) }, "R|ossi")
		clip := &clipText{}
		shortcut := func(s fyne.Shortcut) func() {
			return func() {
				if sh, ok := c.Focused().(fyne.Shortcutable); ok {
					sh.TypedShortcut(s)
				} else {
					t.Errorf("%s: %T, which has the focus, takes no shortcut: %s goes to the window", where, c.Focused(), s.ShortcutName())
				}
			}
		}
		field.SetText("Rossi")
		step("Ctrl+A, Ctrl+X", func() {
			shortcut(&fyne.ShortcutSelectAll{})()
			tabToKey(t, c)
			shortcut(&fyne.ShortcutCut{Clipboard: clip})()
		}, "|")
		if clip.text != "Rossi" {
			t.Errorf("%s: Ctrl+A and Ctrl+X on keys: %q cut, want Rossi", where, clip.text)
		}
		field.SetText("")
		step("Ctrl+V", shortcut(&fyne.ShortcutPaste{Clipboard: clip}), "Rossi|")
	})
}

// Ensure that Enter or Space held down on a key of the on-screen
// keyboard presses it once a press, and that each press, however fast,
// presses it again: on every question that shows the keyboard, on its
// first page and its accents. Space types no space besides, and the key
// keeps the focus. Enter held on the shift key or on the accents' key
// changes the case or the page once. On the real kiosk under Xvfb, Enter
// held 1 s on the key 1 after "Ro" made the surname "Ro1111111111".
func TestHeldKeyOnKeyboardActsOnce(t *testing.T) {
	h := newHarness(t)
	h.startWizard("it")
	c := h.win.Canvas()
	h.keyboardQuestions(func(where string, field *entry) {
		key := tabToKey(t, c)
		press(c, fyne.KeyReturn, 10)
		press(c, fyne.KeySpace, 10)
		for range 3 {
			press(c, fyne.KeyReturn, 0)
		}
		if want := strings.Repeat(key.Text, 5); field.Text != want || c.Focused() != key {
			t.Errorf("%s: Enter and Space held on the key %q, then Enter pressed 3 times: the field holds %q, %T has the focus; want %q, the key",
				where, key.Text, field.Text, c.Focused(), want)
		}
	})
	k := h.app.keyboard
	for _, page := range []struct {
		key *button
		on  *bool
	}{{k.shift, &k.upper}, {k.accent, &k.accents}} {
		for range 2 {
			want := !*page.on
			c.Focus(page.key)
			press(c, fyne.KeyReturn, 9)
			if *page.on != want {
				t.Errorf("Enter held on %q: on %v, want %v", page.key.Text, *page.on, want)
			}
		}
	}
}
