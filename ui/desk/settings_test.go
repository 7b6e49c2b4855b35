package desk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor chooses the printer queue in the settings, that
// a bad name shows under its field, and that an operatore has no settings.
func TestSettingsScreen(t *testing.T) {
	h := ready(t)
	h.tap(h.app.header.settings)
	st := h.app.settings
	if st == nil || h.app.current.View != st.screen.View {
		t.Fatal("Impostazioni: no settings screen")
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
