package desk

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that no panic reaches the clerk: one in a button's action, in an
// entry's handler or in a background job is logged with its stack, told in
// plain words, and leaves the screen and what was typed on it in place.
func TestPanicIsToldAndLogged(t *testing.T) {
	testclock.RealDayOnly(t, "a panic told and logged")
	var logged bytes.Buffer
	h := ready(t, func(_ *pinsede.Desk, c *Config) {
		c.Log = slog.New(slog.NewTextHandler(&logged, nil))
		c.LogPath = "/var/log/pinsede/sportello.log"
	})
	r := h.newRequest()
	h.typeIn(r.cognome, "Rossi")
	where := h.app.current.View

	for name, provoke := range map[string]func(){
		"button": func() { test.Tap(h.app.button("Prova", nil, func() { panic("boom in a button") })) },
		"entry": func() {
			e := h.app.newEntry("prova")
			e.onChange(func(string) { panic("boom in an entry") })
			test.Type(e, "x")
		},
		"background": func() {
			h.app.background(func() func() { panic("boom in the background") })
			h.wait()
		},
		"background's answer": func() {
			h.app.background(func() func() { return func() { panic("boom in the answer") } })
			h.wait()
		},
	} {
		logged.Reset()
		provoke()
		if !strings.Contains(logged.String(), "boom") || !strings.Contains(logged.String(), "goroutine") {
			t.Errorf("%s: the panic and its stack are not in the log:\n%s", name, logged.String())
		}
		text := h.screenText()
		if !strings.Contains(text, "Operazione non riuscita") || !strings.Contains(text, "/var/log/pinsede/sportello.log") {
			t.Errorf("%s: the clerk is not told:\n%s", name, text)
		}
		if h.app.current.View != where || r.cognome.Text != "Rossi" {
			t.Errorf("%s: the MV35 and what was typed did not stay (cognome %q)", name, r.cognome.Text)
		}
		for _, o := range h.win.Canvas().Overlays().List() {
			h.win.Canvas().Overlays().Remove(o)
		}
	}
}
