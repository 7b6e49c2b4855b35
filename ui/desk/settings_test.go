package desk

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/cups/cupstest"
)

// Ensure that a supervisor chooses the printer queue in the settings, that
// a bad name shows under its field, and that an operatore has no settings.
// CUPS cannot be read here (its socket is a file that is not there): the
// name is typed, and the note says why.
func TestSettingsScreen(t *testing.T) {
	noCUPS := filepath.Join(t.TempDir(), "cups.sock")
	h := ready(t, func(_ *pinsede.Desk, c *Config) {
		c.Printers = func(ctx context.Context) ([]cups.Printer, error) { return cups.ListPrinters(ctx, noCUPS) }
	})
	h.tap(h.app.header.settings)
	st := h.app.settings
	if st == nil || h.app.current.View != st.screen.View {
		t.Fatal("Impostazioni: no settings screen")
	}
	h.wait()
	if st.printers.Visible() || !st.queue.Visible() || !strings.Contains(st.printerNote.Text, "CUPS") {
		t.Fatalf("CUPS unreadable: select shown %v, entry shown %v, note %q", st.printers.Visible(), st.queue.Visible(), st.printerNote.Text)
	}

	// Given a name with a space, then it is refused under the field.
	h.typeIn(st.queue, "sportello 1")
	h.tap(st.save)
	if got := st.fields[pinsede.FieldPrinterQueue].problemText(); !strings.Contains(got, "Nome di coda non valido") {
		t.Errorf("bad queue name: problem %q", got)
	}
	// Given a good name, then it is stored and audited.
	h.typeIn(st.queue, "sportello1")
	h.tap(st.save)
	if got := st.msg.text(); !strings.Contains(got, "salvate") {
		t.Fatalf("save: message %q", got)
	}
	if s, err := h.desk.Settings(); err != nil || s.PrinterQueue != "sportello1" {
		t.Fatalf("stored settings %+v, %v", s, err)
	}
	if got := st.updated.Text; !strings.Contains(got, "m.rossi") {
		t.Errorf("who changed them: %q", got)
	}

	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{
		ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-verdi",
	}); err != nil {
		t.Fatal(err)
	}
	h.tap(h.app.header.logout)
	h.logIn("l.verdi", "password-verdi")
	if h.app.header.settings.Visible() {
		t.Error("an operatore sees Impostazioni")
	}
}

// Ensure that the settings offer the queues of the real CUPS, with their
// state, the saved one chosen, and that choosing one saves it; a saved
// queue CUPS no longer has stays, marked, and "none found" is explained.
func TestSettingsPrinterList(t *testing.T) {
	cupstest.Need(t)
	h := ready(t)
	if err := h.desk.SaveSettings(h.app.session, pinsede.Settings{PrinterQueue: "sportello-vecchio"}); err != nil {
		t.Fatal(err)
	}
	h.tap(h.app.header.settings)
	st := h.app.settings
	h.wait()
	if !st.printers.Visible() || st.queue.Visible() {
		t.Fatalf("select shown %v, entry shown %v (note %q)", st.printers.Visible(), st.queue.Visible(), st.printerNote.Text)
	}
	if got := st.printers.Selected; got != "sportello-vecchio — non trovata su questo PC" {
		t.Errorf("selected %q, want the saved queue, marked as not found", got)
	}
	want := cupstest.Queue + " — pronta"
	if !slices.ContainsFunc(st.printers.Options, func(o string) bool { return strings.HasPrefix(o, cupstest.Queue) && strings.HasSuffix(o, "pronta") }) {
		t.Fatalf("options %q, want %q", st.printers.Options, want)
	}
	for _, o := range st.printers.Options {
		if strings.HasPrefix(o, cupstest.Queue) {
			st.printers.SetSelected(o)
		}
	}
	h.tap(st.save)
	if s, err := h.desk.Settings(); err != nil || s.PrinterQueue != cupstest.Queue {
		t.Fatalf("stored settings %+v, %v", s, err)
	}

	// Given CUPS with no queue, then "none" is chosen and explained.
	h.app.cfg.Printers = func(context.Context) ([]cups.Printer, error) { return nil, nil }
	st.listPrinters("")
	h.wait()
	if st.printers.Selected != "Nessuna stampante" || !strings.Contains(st.printerNote.Text, "nessuna stampante") {
		t.Errorf("none found: selected %q, note %q", st.printers.Selected, st.printerNote.Text)
	}
}
