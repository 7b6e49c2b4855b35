package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// withPaths gives the desk what the guide shows: its version, store and
// log, and a central records' address.
func withPaths(_ *pinsede.Desk, c *Config) {
	c.Version, c.StorePath, c.LogPath = "v1.4.2-3-gabcdef0", "/var/lib/pinsede/sede.db", "/var/lib/pinsede/sportello.log"
	c.CentraleURL = "https://centrale.inps.it:8443"
}

// Ensure that the guide opens with F1 and with Guida, before the login
// too, lists the version, the sede once set up, the store, the central
// records, the log and the keys, and that Esc and Chiudi close it (issue
// 14).
func TestHelp(t *testing.T) {
	h := newHarness(t, withPaths)
	want := []string{"Versione", "v1.4.2-3-gabcdef0", "/var/lib/pinsede/sede.db", "https://centrale.inps.it:8443",
		"/var/lib/pinsede/sportello.log", "Tastiera", "Ctrl+N", "Ctrl+F", "Ctrl+L", "Ctrl+I", "F1", "Esc", "Invio", "Tab, Maiusc+Tab"}
	check := func(when string, also ...string) string {
		t.Helper()
		if h.app.help == nil {
			t.Fatalf("%s: the guide is not open", when)
		}
		text := h.screenText()
		for _, w := range append(want, also...) {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the guide lacks %q", when, w)
			}
		}
		return text
	}

	// Before the set-up: F1 in the first field, no sede yet.
	key(h.app.setup.code, fyne.KeyF1)
	if text := check("set-up"); strings.Contains(text, "\nSede\n") {
		t.Errorf("set-up: the guide shows a sede:\n%s", text)
	}
	key(h.app.setup.code, fyne.KeyF1) // a second F1 opens no second guide
	if n := len(h.app.dialogs); n != 1 {
		t.Errorf("F1 twice: %d dialogs", n)
	}
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.app.help != nil || len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("Esc did not close the guide")
	}

	// On the login screen, the button, with the sede.
	h.setUp()
	h.tap(h.app.header.help)
	check("login", "ROMA01 – Roma Eur")
	h.tap(closeButton(t, h))
	if h.app.help != nil {
		t.Fatal("Chiudi did not close the guide")
	}

	// In a session, F1 with nothing focused; the MV35 stays as it was.
	h.logIn("m.rossi", "password-di-prova")
	r := h.newRequest()
	h.typeIn(r.cognome, "Rossi")
	h.win.Canvas().Unfocus()
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyF1})
	check("session", "ROMA01 – Roma Eur")
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.app.help != nil || h.app.current.View != r.screen.View || r.cognome.Text != "Rossi" {
		t.Errorf("after the guide: guide open %v, MV35 shown %v, Cognome %q", h.app.help != nil, h.app.current.View == r.screen.View, r.cognome.Text)
	}
}

// Ensure that an offline desk's guide says that it has no central records.
func TestHelpOffline(t *testing.T) {
	testclock.RealDayOnly(t, "an offline desk's guide")
	h := ready(t)
	h.tap(h.app.header.help)
	text := h.screenText()
	for _, w := range []string{"Archivio centrale\nnessuna", "Versione\nnon indicata"} {
		if !strings.Contains(text, w) {
			t.Errorf("offline guide lacks %q:\n%s", w, text)
		}
	}
}

// closeButton returns the guide's Chiudi.
func closeButton(t *testing.T, h *harness) *button {
	t.Helper()
	var b *button
	h.walkShown(func(o fyne.CanvasObject) {
		if x := buttonOf(o); x != nil && x.Text == "Chiudi" {
			b = x
		}
	})
	if b == nil {
		t.Fatal("the guide has no Chiudi")
	}
	return b
}
