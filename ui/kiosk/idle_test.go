package kiosk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// Ensure that an idle session is warned, then wiped: nothing typed is left
// on the canvas, and the language screen is back.
func TestIdleWipe(t *testing.T) {
	h := newHarness(t)
	h.app.ChooseLanguage("en")
	h.tapText(tr("service.request.title"))
	h.tapText(tr("service.continue"))
	w := h.app.session.wizard
	h.typeInto(w.cognome, "Brambilla")
	w.next()
	h.typeInto(w.nome, "Gianfranco")

	h.app.audio = true
	h.now = h.now.Add(DefaultIdle - DefaultWarn + time.Second)
	h.app.CheckIdle()
	if !strings.Contains(h.texts(), tr("idle.title")) {
		t.Fatalf("no idle warning after %v", DefaultIdle-DefaultWarn)
	}
	said := len(h.speaker.said)
	h.now = h.now.Add(time.Second)
	h.app.CheckIdle()
	if !strings.Contains(h.app.idleBody.Text, "8 seconds") {
		t.Errorf("countdown %q, want 8 seconds", h.app.idleBody.Text)
	}
	if said == 0 || !strings.HasPrefix(h.speaker.said[said-1], "en: Are you still there?") {
		t.Errorf("the warning was not read aloud: %q", h.speaker.said)
	}
	if len(h.speaker.said) != said {
		t.Errorf("the countdown spoke again")
	}
	h.shot("08-idle-warning-en")
	h.tapText(tr("idle.continue"))
	if strings.Contains(h.texts(), tr("idle.title")) {
		t.Fatalf("the warning stays after Continue")
	}
	if h.app.Screen() != "question:nome" || w.nome.Text != "Gianfranco" {
		t.Fatalf("Continue lost the session: screen %s", h.app.Screen())
	}

	h.now = h.now.Add(DefaultIdle - time.Second)
	h.app.CheckIdle()
	if h.app.Screen() != "question:nome" {
		t.Fatalf("wiped before the timeout")
	}
	h.now = h.now.Add(time.Second)
	h.app.CheckIdle()
	if h.app.Screen() != "languages" {
		t.Fatalf("screen %s after the timeout, want languages", h.app.Screen())
	}
	text := h.texts()
	for _, typed := range []string{"Brambilla", "Gianfranco"} {
		if strings.Contains(text, typed) {
			t.Errorf("%q is still on the canvas after the wipe", typed)
		}
	}
	if h.app.session != nil || h.app.keyboard.target != nil {
		t.Errorf("the session or the keyboard's target survived the wipe")
	}
	if tr("nav.next") != "Avanti" {
		t.Errorf("the language did not go back to Italian")
	}
}

// Ensure that Annulla on every screen of the wizard ends the session.
func TestCancelEverywhere(t *testing.T) {
	h := newHarness(t)
	h.app.ChooseLanguage("it")
	h.tapText(tr("service.request.title"))
	h.tapText(tr("service.continue"))
	h.fill(rossi)
	for i := range questions {
		h.app.showQuestion(i)
		h.shot(fmt.Sprintf("04-q%02d-%s-it", i+1, questions[i].name))
		if h.findButton("Annulla") == nil || h.findButton("Indietro") == nil {
			t.Errorf("question %s has no Annulla or Indietro", questions[i].name)
		}
	}
	h.app.showReview()
	h.tapText("Annulla")
	if h.app.Screen() != "languages" || strings.Contains(h.texts(), "Rossi") {
		t.Errorf("Annulla left screen %s", h.app.Screen())
	}
}

// Ensure that settings changed on the language screen go back to their
// defaults after the idle time, with no session to wipe.
func TestIdleResetsSettings(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.app.contrastButton)
	h.now = h.now.Add(DefaultIdle)
	h.app.CheckIdle()
	if h.app.contrast {
		t.Errorf("high contrast survived the idle time on the language screen")
	}
}

// Ensure that espeak-ng, when installed, starts and stops without waiting
// for the speech to end: Say of a text that takes minutes to read
// returns, and the next Say and Stop end it. Where the PC has no sound
// device espeak-ng ends at once by itself, and the test shows only that
// they return. Before, it asserted they took at most 2 s of wall-clock
// time, which a loaded machine could exceed.
func TestEspeak(t *testing.T) {
	e := NewEspeak()
	if e == nil {
		t.Skip("espeak-ng not installed")
	}
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		e.Say("it", strings.Repeat("Qual è il tuo cognome? ", 300)) // minutes of speech
		e.Say("ro", "Care este numele dumneavoastră de familie?")
		e.Stop()
	}()
	uitest.Await(t, returned, "Say and Stop to return: they waited for the speech")
}

// Ensure that the last screen goes back to the languages on its own, with
// no warning, once the ticket is printed.
func TestDoneReturns(t *testing.T) {
	h := newHarness(t)
	h.startWizard("pt")
	h.fill(rossi)
	h.confirm()
	h.doneReturns()
}

// doneReturns checks that the last screen stays 2*DefaultWarn from the
// last activity (or the ticket's printing), with no warning, then gives
// way to the languages.
func (h *harness) doneReturns() {
	h.t.Helper()
	h.now = h.now.Add(2*DefaultWarn - time.Second)
	h.app.CheckIdle()
	if h.app.Screen() != "done" || strings.Contains(h.texts(), tr("idle.title")) {
		h.t.Fatalf("screen %s, or a warning, before the time", h.app.Screen())
	}
	h.now = h.now.Add(time.Second)
	h.app.CheckIdle()
	if h.app.Screen() != "languages" {
		h.t.Errorf("screen %s, want languages", h.app.Screen())
	}
}

// Ensure that the largest text size still lays every question out (the
// question scrolls over the keyboard), shown in a screenshot.
func TestLargestText(t *testing.T) {
	h := newHarness(t)
	h.startWizard("ro")
	for range textScales {
		test.Tap(h.app.largerButton)
	}
	h.app.session.wizard.luogo.SetText("Bucure")
	h.app.showQuestion(4)
	h.shot("04-question-luogo-ro-largest")
	if got := h.app.Screen(); got != "question:luogo" {
		t.Errorf("screen %s", got)
	}
}

// Ensure that every key a citizen presses on the focused widget keeps the
// session, Tab and Shift+Tab too, which Fyne's driver keeps to move the
// focus and hands to no TypedKey, only to the focused widget's KeyDown: a
// citizen going through the review's buttons by keyboard is not told to
// be gone, on a button, an entry or an option.
func TestKeysAreActivity(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("en")
	h.fill(rossi)
	for _, tc := range []struct {
		screen string
		show   func()
	}{
		{"review", func() {}}, // Confirm, a button, has the focus
		{"question:cognome", func() { h.app.showQuestion(0) }},
		{"question:sesso", func() { h.app.showQuestion(2) }},
	} {
		tc.show()
		focused, ok := h.win.Canvas().Focused().(desktop.Keyable)
		if !ok {
			t.Fatalf("%s: the focused %T takes no KeyDown", tc.screen, h.win.Canvas().Focused())
		}
		for _, key := range []fyne.KeyName{fyne.KeyTab, fyne.KeyTab, fyne.KeyDown} {
			h.now = h.now.Add(DefaultIdle - DefaultWarn - time.Second)
			focused.KeyDown(&fyne.KeyEvent{Name: key})
			h.app.CheckIdle()
		}
		if h.app.Screen() != tc.screen || h.app.warned {
			t.Errorf("%s: after keys pressed every %v, the screen is %s, warned %v",
				tc.screen, DefaultIdle-DefaultWarn-time.Second, h.app.Screen(), h.app.warned)
		}
	}
	if w.cognome.Text != rossi.cognome {
		t.Errorf("the keys changed the answers: %q", w.cognome.Text)
	}
}

// Ensure that the idle warning, which the idle timer shows from its own
// goroutine (through fyne.Do: here a background job's last step), fits
// the low screens the kiosk is laid out for, in every language at every
// text size, its buttons whole and in view; and that once the citizen
// goes on (Enter on Continua, which has the keyboard), the field they
// were typing in has the keyboard again, shown over the on-screen
// keyboard, and takes the next key. The warning asked for a window up to
// 1,596 px wide at A+ (its title and text unwrapped), its buttons 84 px
// high cut text 93 px high, and after it the keyboard stayed with the
// button it had taken away: the next keys went nowhere.
func TestIdleWarningFromTimer(t *testing.T) {
	layoutOnce(t)
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, _ Language, _ int) {
		w := h.app.session.wizard
		h.typeInto(w.cognome, "Rossi")
		w.next()
		h.typeInto(w.nome, "Mari")
		for _, size := range kioskScreens[:2] {
			h.win.Resize(size)
			uitest.Settle(h.win)
			where := fmt.Sprintf("the idle warning at %v", size)
			h.now = h.now.Add(DefaultIdle - DefaultWarn + time.Second)
			h.app.background(func() func() { return h.app.CheckIdle })
			h.wait()
			uitest.Settle(h.win)
			if m := h.win.Content().MinSize().Add(size.Subtract(h.win.Content().Size())); m.Width > size.Width || m.Height > size.Height {
				t.Errorf("%s asks for a window %v", where, m)
			}
			cont := h.win.Canvas().Focused()
			buttons := map[string]fyne.CanvasObject{}
			walk(h.app.overlay, func(o fyne.CanvasObject) {
				if b, ok := o.(*button); ok {
					buttons[b.Text] = b
				}
			})
			if len(buttons) != 2 || buttons[tr("idle.continue")] != cont.(fyne.CanvasObject) {
				t.Fatalf("%s: buttons %v, Continua not focused", where, buttons)
			}
			h.assertInView(where, buttons)
			cont.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if strings.Contains(h.texts(), tr("idle.title")) {
				t.Fatalf("%s stays after Enter on Continua", where)
			}
			if got := h.win.Canvas().Focused(); got != w.nome {
				t.Errorf("%s gone: the keyboard is on %T, not on the name's field", where, got)
				continue
			}
			h.assertShown(where+" gone", w.nome)
			test.Type(w.nome, "a")
			if w.nome.Text != "Maria" {
				t.Errorf("%s gone: the name's field holds %q, want Maria", where, w.nome.Text)
			}
			h.typeInto(w.nome, "Mari")
		}
	})
}

// Ensure that the wipe closes what Fyne lays over the canvas: an entry's
// menu (Annulla, Taglia, Copia, Incolla: an overlay of the canvas, not of
// the kiosk) outlived the wipe, over the next citizen's screen, and its
// Copia put the last citizen's surname back in the clipboard the wipe had
// emptied.
func TestWipeClosesEntryMenu(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	h.typeInto(w.cognome, "Brambilla")
	w.cognome.TypedShortcut(&fyne.ShortcutSelectAll{})
	test.TapSecondary(w.cognome)
	if len(h.win.Canvas().Overlays().List()) == 0 {
		t.Fatal("no menu over the surname after a right click")
	}
	h.now = h.now.Add(DefaultIdle)
	h.app.CheckIdle()
	if got := h.win.Canvas().Overlays().List(); len(got) != 0 {
		t.Errorf("%d overlays over the canvas after the wipe", len(got))
		for _, o := range got {
			walk(o, func(o fyne.CanvasObject) {
				pm, ok := o.(*widget.PopUpMenu)
				if !ok {
					return
				}
				m := pm.Menu
				for _, item := range m.Items {
					copyItem := false
					walk(item, func(o fyne.CanvasObject) {
						if x, ok := o.(*canvas.Text); ok && x.Text == lang.L("Copy") {
							copyItem = true
						}
					})
					if tap, ok := item.(fyne.Tappable); ok && copyItem {
						tap.Tapped(&fyne.PointEvent{}) // the last citizen's surname, back
					}
				}
			})
		}
	}
	if c := fyne.CurrentApp().Clipboard().Content(); c != "" {
		t.Errorf("the clipboard holds %q after the wipe", c)
	}
}

// Ensure that the wipe takes the on-screen keyboard back to its first
// page: the next citizen found the accented letters of the last one
// where the letters and digits are.
func TestWipeResetsKeyboard(t *testing.T) {
	h := newHarness(t)
	h.startWizard("ro")
	h.now = h.now.Add(DoubleTap) // a tap, not a double tap's second
	test.Tap(h.app.keyboard.accent)
	if k := h.app.keyboard.keys[0].Text; k != "à" && k != "À" {
		t.Fatalf("the accents' page shows %q first, want à", k)
	}
	h.tapText(tr("nav.cancel"))
	h.startWizard("it")
	k := h.app.keyboard
	if k.accents || k.keys[0].Text != "1" || !strings.EqualFold(k.keys[10].Text, "q") {
		t.Errorf("the next citizen's keyboard: accents %v, keys %q %q; want the first page",
			k.accents, k.keys[0].Text, k.keys[10].Text)
	}
}

// Ensure that espeak-ng gets the text on its standard input, not on its
// command line, where every user of the PC reads it (ps): a ticket's code
// among them. And that it speaks it from there: written to a file, the
// text makes sound.
func TestEspeakTextOnStdin(t *testing.T) {
	e := NewEspeak()
	if e == nil {
		t.Skip("espeak-ng not installed")
	}
	const text = "Il codice K7M3QX9A"
	e.Say("it", text)
	args := strings.Join(e.cmd.Args, " ")
	e.Stop()
	if strings.Contains(args, "K7M3QX9A") {
		t.Errorf("espeak-ng's command line holds the text: %s", args)
	}
	wav := filepath.Join(t.TempDir(), "say.wav")
	cmd := e.command("it", text)
	cmd.Args = append(cmd.Args, "-w", wav)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	if st, err := os.Stat(wav); err != nil || st.Size() < 4096 {
		t.Errorf("espeak-ng spoke nothing from its standard input: %v, %v", st, err)
	}
}
