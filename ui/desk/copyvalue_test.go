package desk

import (
	"bytes"
	"image"
	"image/draw"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/pinsede/pinsede/internal/testclock"
)

// tabToCopyValue moves the focus by Tab to the next copyable value and
// returns it.
func tabToCopyValue(t *testing.T, h *harness) *copyValue {
	t.Helper()
	c := h.win.Canvas()
	for range 100 {
		c.FocusNext()
		if v, ok := c.Focused().(*copyValue); ok {
			return v
		}
	}
	t.Fatal("Tab meets no copyable value")
	return nil
}

// pixelsOf returns the pixels of the window under o.
func pixelsOf(h *harness, o fyne.CanvasObject) []byte {
	img := h.win.Canvas().Capture()
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	s := h.win.Canvas().Scale()
	r := image.Rect(int(p.X*s), int(p.Y*s), int((p.X+o.Size().Width)*s), int((p.Y+o.Size().Height)*s))
	out := image.NewRGBA(r)
	draw.Draw(out, r, img, r.Min, draw.Src)
	return out.Pix
}

// Ensure that the values a clerk copies (the codice fiscale and the
// envelope's serial on the citizen's page, the paths in the guide) show
// the focus, copy on Ctrl+C, and give the other keys to the desk: F1
// opens the guide, Esc closes the dialog they are in, Ctrl+F goes to the
// search. Fyne's selectable labels showed no focus and dropped them all
// (TestXInputEveryKey).
func TestCopyValueKeys(t *testing.T) {
	testclock.RealDayOnly(t, "the copy buttons' keys")
	h, _ := onMariosPage(t)
	h.wait()
	cf := tabToCopyValue(t, h)
	if cf.Text() != string(mario.CodiceFiscale) {
		t.Fatalf("the first copyable value is %q, want the codice fiscale", cf.Text())
	}
	focused := pixelsOf(h, cf)
	h.win.Canvas().FocusPrevious()
	if bytes.Equal(pixelsOf(h, cf), focused) {
		t.Error("the codice fiscale is drawn alike with and without the focus")
	}
	h.win.Canvas().Focus(cf)

	cf.TypedShortcut(&fyne.ShortcutCopy{Clipboard: fyne.CurrentApp().Clipboard()})
	if got := fyne.CurrentApp().Clipboard().Content(); got != string(mario.CodiceFiscale) {
		t.Errorf("Ctrl+C copied %q, want %q", got, mario.CodiceFiscale)
	}
	serial := tabToCopyValue(t, h)
	if serial.Text() == "" || serial.Text() == cf.Text() {
		t.Errorf("the second copyable value is %q, want the envelope's serial", serial.Text())
	}

	// F1 from the value opens the guide; Esc from a value of the guide
	// closes it.
	key(serial, fyne.KeyF1)
	if h.app.help == nil {
		t.Fatal("F1 on the serial did not open the guide")
	}
	inGuide := tabToCopyValue(t, h)
	key(inGuide, fyne.KeyEscape)
	if h.app.help != nil || len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatalf("Esc on %q in the guide left it open", inGuide.Text())
	}

	// The desk's shortcuts run from the value; typing changes nothing.
	cf = tabToCopyValue(t, h)
	cf.TypedRune('x')
	cf.TypedShortcut(&fyne.ShortcutPaste{Clipboard: fyne.CurrentApp().Clipboard()})
	if cf.Text() != string(mario.CodiceFiscale) {
		t.Errorf("typing changed the value to %q", cf.Text())
	}
	cf.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	if h.app.current.View != h.app.home.screen.View {
		t.Error("Ctrl+F on the codice fiscale did not go to the search")
	}
}
