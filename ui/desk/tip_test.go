package desk

import (
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/theme"
)

// tipTimer stands for the tips' clock in the tests (harness.start sets
// it): it keeps each wait the tips start, and runs the last one when the
// test says that its time has come.
type tipTimer struct{ waits []*tipWait }

// tipWait is one wait of the tips: how long, what then, and whether the
// tips stopped it.
type tipWait struct {
	d       time.Duration
	then    func()
	stopped bool
}

// after is the tips' after.
func (tt *tipTimer) after(d time.Duration, f func()) func() {
	w := &tipWait{d: d, then: f}
	tt.waits = append(tt.waits, w)
	return func() { w.stopped = true }
}

// last returns the last wait started, nil for none.
func (tt *tipTimer) last() *tipWait {
	if len(tt.waits) == 0 {
		return nil
	}
	return tt.waits[len(tt.waits)-1]
}

// fire runs the last wait, as its timer would, and reports whether there
// was one running.
func (tt *tipTimer) fire() bool {
	w := tt.last()
	if w == nil || w.stopped {
		return false
	}
	w.stopped = true
	w.then()
	return true
}

// hover moves the mouse onto the middle of o, as the driver would: the
// object under the mouse that takes hover gets it.
func (h *harness) hover(o fyne.CanvasObject) {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	test.MoveMouse(h.win.Canvas(), p.AddXY(o.Size().Width/2, o.Size().Height/2))
}

// mouseAway moves the mouse to the page's bottom left corner, where no
// button is.
func (h *harness) mouseAway() {
	test.MoveMouse(h.win.Canvas(), fyne.NewPos(2, h.win.Canvas().Size().Height-2))
}

// tipText returns the text of the tip that shows in the window, "" for
// none.
func (h *harness) tipText() string {
	shows := false
	h.walkShown(func(o fyne.CanvasObject) { shows = shows || o == h.app.tips.box })
	if !shows {
		return ""
	}
	return h.app.tips.text.Text
}

// restOn hovers b and lets the tip's wait run out; it fails when there was
// no wait, or a wait of another length than TipDelay.
func (h *harness) restOn(t *testing.T, b *button) {
	t.Helper()
	h.hover(b)
	w := h.tips.last()
	if w == nil || w.stopped {
		t.Fatalf("hover on %q: no wait for a tip", b.Text)
	}
	if w.d != TipDelay {
		t.Errorf("hover on %q: a wait of %v, want %v", b.Text, w.d, TipDelay)
	}
	h.tips.fire()
}

// tipFor is what the tip of b says when b does what key does: the
// button's name and the key as the guide names it.
func tipFor(b *button, key keyID) string {
	return b.Text + " — " + lang.L("help.key."+string(key))
}

// Ensure that the mouse resting on Nuova richiesta shows, once the wait is
// over and not before, its name and Ctrl+N under it, as the guide names the
// key, without taking the keyboard from the field that has it; and that the
// tip goes when the mouse leaves (issue 14).
func TestTipShowsAfterTheWait(t *testing.T) {
	t.Run("status bar", func(t *testing.T) {
		h := ready(t)
		h.app.UseSync(nil, "") // the window's content as sportello has it
		h.win.Canvas().Focus(h.app.home.cf)
		testTipShowsAfterTheWait(t, h)
	})
	t.Run("no status bar", func(t *testing.T) { testTipShowsAfterTheWait(t, ready(t)) })
}

func testTipShowsAfterTheWait(t *testing.T, h *harness) {
	b := h.app.home.newRequest
	focused := h.win.Canvas().Focused()
	if focused == nil {
		t.Fatal("the home page focuses nothing")
	}

	h.hover(b)
	if got := h.tipText(); got != "" {
		t.Fatalf("a tip before the wait: %q", got)
	}
	if !h.tips.fire() {
		t.Fatal("hover: no wait for a tip")
	}
	want := "Nuova richiesta (MV35) — Ctrl+N"
	if got := h.tipText(); got != want {
		t.Fatalf("tip %q, want %q", got, want)
	}
	if got := h.screenText(); !containsLine(got, want) {
		t.Errorf("the tip does not show in the window:\n%s", got)
	}
	d := fyne.CurrentApp().Driver()
	top, box := d.AbsolutePositionForObject(b), h.app.tips.box
	if box.Position().Y < top.Y+b.Size().Height || box.Position().X != top.X {
		t.Errorf("tip at %v, button at %v size %v: want it under the button", box.Position(), top, b.Size())
	}
	if got := h.win.Canvas().Focused(); got != focused {
		t.Errorf("the tip took the focus: %T, was %T", got, focused)
	}
	if n := len(h.win.Canvas().Overlays().List()); n != 0 {
		t.Errorf("the tip is an overlay: %d overlays", n)
	}

	h.mouseAway()
	if got := h.tipText(); got != "" {
		t.Errorf("mouse out: the tip %q stays", got)
	}

	// Out before the wait is over: no tip, even from a timer that had
	// already fired as the mouse left (its run was queued for the UI).
	h.hover(b)
	w := h.tips.last()
	h.mouseAway()
	if !w.stopped {
		t.Error("mouse out: the wait runs on")
	}
	w.then()
	if got := h.tipText(); got != "" {
		t.Errorf("a late timer showed %q after the mouse left", got)
	}
}

// Ensure that a tip goes on a tap, on a key typed in a field or with
// nothing focused, on a desk shortcut, when the screen changes, when a
// dialog opens and when the session locks (issue 14).
func TestTipHides(t *testing.T) {
	h := ready(t)
	home := h.app.home
	for _, c := range []struct {
		name string
		b    func() *button
		do   func()
	}{
		{"tap", func() *button { return home.search }, func() { test.Tap(home.search) }},
		{"key in a field", func() *button { return home.search }, func() { test.Type(home.cf, "R") }},
		{"key with nothing focused", func() *button { return home.search }, func() {
			h.win.Canvas().Unfocus()
			h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		}},
		{"dialog", func() *button { return h.app.header.help }, func() { h.app.showHelp(); h.app.escape() }},
		{"idle lock", func() *button { return h.app.header.lockNow }, func() {
			h.idle = h.idle.Add(DefaultIdle)
			h.app.checkIdle()
		}},
		// A screen that focuses no field, as one a background job shows.
		{"screen change", func() *button { return home.newRequest }, func() {
			h.app.show(screen{Title: "prova", View: widget.NewLabel("")})
		}},
		{"shortcut", func() *button { return home.search }, func() { ctrl(h, fyne.KeyN) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if h.app.lock.locked {
				h.typeIn(h.app.lock.password, "password-di-prova")
				h.tap(h.app.lock.unlock)
			}
			h.app.showHome()
			b := c.b()
			h.restOn(t, b)
			if h.tipText() == "" {
				t.Fatalf("no tip on %q", b.Text)
			}
			c.do()
			h.wait()
			if got := h.tipText(); got != "" {
				t.Errorf("the tip %q stays", got)
			}
			h.mouseAway()
		})
	}
}

// ctrl presses Ctrl+k with nothing focused, as the canvas gets it.
func ctrl(h *harness, k fyne.KeyName) {
	h.win.Canvas().Unfocus()
	for s := range h.app.shortcuts() {
		if s.KeyName == k {
			h.app.shortcut(&s)
			return
		}
	}
	h.t.Fatalf("no desk shortcut Ctrl+%s", k)
}

// Ensure that a disabled button shows no tip, and neither does a button
// disabled while the mouse rests on it (issue 14).
func TestTipNotOnADisabledButton(t *testing.T) {
	testclock.RealDayOnly(t, "no tip on a disabled button")
	h := ready(t)
	b := h.app.home.search
	b.Disable()
	h.hover(b)
	if h.tips.fire() || h.tipText() != "" {
		t.Errorf("a disabled button shows the tip %q", h.tipText())
	}
	h.mouseAway()

	b.Enable()
	h.hover(b)
	b.Disable()
	h.tips.fire()
	if got := h.tipText(); got != "" {
		t.Errorf("a button disabled during the wait shows the tip %q", got)
	}
}

// Ensure that every key of the guide that does what a button does has its
// button show it, named as the guide names it, on the screens the clerk
// meets: the home page with the kiosk's queue, the MV35 and the identity
// check; and that no button shows a key the guide does not list as a
// button's (issue 14).
func TestEveryButtonKeyHasATip(t *testing.T) {
	testclock.RealDayOnly(t, "a tip for every button's key")
	h := ready(t, withTickets(t.TempDir()))
	tipped := map[keyID][]string{}
	visit := func(screen string) {
		h.walkShown(func(o fyne.CanvasObject) {
			a, ok := o.(*tipArea)
			if !ok {
				return
			}
			tipped[a.key] = append(tipped[a.key], screen+": "+a.button.Text)
			if got, want := a.tip(), tipFor(a.button, a.key); got != want {
				t.Errorf("%s: tip %q, want %q", screen, got, want)
			}
			if a.key == keyCtrlEnter && a.button != h.app.current.Primary {
				t.Errorf("%s: %q shows Ctrl+Invio and is not the screen's main button", screen, a.button.Text)
			}
		})
	}
	visit("home")
	h.toVerification(mario)
	visit("verifica")
	h.tap(h.app.verify.back)
	visit("mv35")

	for _, k := range helpKeys {
		if k.button && len(tipped[k.id]) == 0 {
			t.Errorf("no button shows %s", lang.L("help.key."+string(k.id)))
		}
		if !k.button && len(tipped[k.id]) != 0 {
			t.Errorf("%s is not a button's key, yet %v show it", k.id, tipped[k.id])
		}
	}
	for k, where := range tipped {
		if !slices.ContainsFunc(helpKeys, func(x helpKey) bool { return x.id == k }) {
			t.Errorf("%v show %q, which the guide does not list", where, k)
		}
	}
	for _, w := range []string{"home: Nuova richiesta (MV35)", "home: Cerca", "home: Prossimo biglietto", "home: Blocca", "home: Impostazioni", "home: Guida", "mv35: Avanti", "verifica: Emetti PIN"} {
		found := false
		for _, l := range tipped {
			found = found || slices.Contains(l, w)
		}
		if !found {
			t.Errorf("%q shows no tip; tips: %v", w, tipped)
		}
	}
}

// Ensure that a tip near the window's bottom edge shows above its button.
func TestTipAboveAtTheBottom(t *testing.T) {
	testclock.RealDayOnly(t, "the tip above at the bottom")
	h := ready(t)
	h.win.Resize(fyne.NewSize(1280, 225))
	h.settle()
	b := h.app.home.newRequest
	h.restOn(t, b)
	box := h.app.tips.box
	top := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
	if h.tipText() == "" {
		t.Fatal("no tip")
	}
	if top.Y+b.Size().Height+box.Size().Height < h.win.Canvas().Size().Height {
		t.Fatalf("button at %v size %v in a window %v: room for the tip below", top, b.Size(), h.win.Canvas().Size())
	}
	if box.Position().Y+box.Size().Height > top.Y || box.Position().Y < 0 {
		t.Errorf("tip at %v size %v, button at %v: want it above the button", box.Position(), box.Size(), top)
	}
}

// TestTipPNG writes the home page with a tip to the -shots folder.
func TestTipPNG(t *testing.T) {
	if *shots == "" {
		t.Skip("no -shots folder")
	}
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	h.restOn(t, h.app.home.newRequest)
	f, err := os.Create(filepath.Join(*shots, "tip.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// containsLine reports whether line is one of the lines of text.
func containsLine(text, line string) bool {
	return slices.Contains(strings.Split(text, "\n"), line)
}
