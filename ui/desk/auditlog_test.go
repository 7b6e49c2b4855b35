package desk

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that a supervisor opens the audit search from the home screen,
// finds the day's operations newest first, narrows them by operation, and
// that a filter's problems show under their fields with what was typed
// kept; an operator is not offered the screen.
func TestAuditSearch(t *testing.T) {
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	h.app.showHome()
	if !h.app.home.audit.Visible() {
		t.Fatal("the supervisor is not offered the audit log")
	}
	h.tap(h.app.home.audit)
	s := h.app.audit
	if s == nil || h.app.current.View != s.screen.View {
		t.Fatalf("Registro: not on the audit screen:\n%s", h.screenText())
	}
	h.tap(s.search)
	if len(s.found) == 0 || !strings.Contains(s.msg.text(), "Operazioni trovate") {
		t.Fatalf("today's search: %d entries, %q", len(s.found), s.msg.text())
	}
	if got := s.found[0].Action; got != pinsede.ActionLogin {
		t.Errorf("newest entry %s, want the log-in", got)
	}
	s.action.SetSelectedIndex(slices.Index(s.actions, pinsede.ActionSetup))
	h.tap(s.search)
	if len(s.found) != 1 || s.found[0].Action != pinsede.ActionSetup {
		t.Errorf("set-ups found: %+v", s.found)
	}
	h.settle()
	assertScreen(t, h, "registro")

	for _, c := range []struct {
		from, to, cf string
		field, want  string
	}{
		{"31/02/2026", "10/03/2026", "", pinsede.FieldAuditFrom, "gg/mm/aaaa"},
		{"10/03/2026", "01/03/2026", "", pinsede.FieldAuditTo, "viene prima"},
		{"01/01/2025", "10/03/2026", "", pinsede.FieldAuditTo, "366 giorni"},
		{"10/03/2026", "10/03/2026", "RSSMRA80A01H5", pinsede.FieldCodiceFiscale, "16"},
	} {
		s.from.SetText("")
		s.to.SetText("")
		s.subject.SetText("")
		h.typeIn(s.from, c.from)
		h.typeIn(s.to, c.to)
		h.typeIn(s.subject, c.cf)
		before := len(s.found)
		h.tap(s.search)
		got := s.fields[c.field].problemText()
		if !strings.Contains(got, c.want) || !strings.Contains(s.msg.text(), "Correggi") {
			t.Errorf("%s-%s %q: problem %q (message %q), want %q", c.from, c.to, c.cf, got, s.msg.text(), c.want)
		}
		if s.from.Text != c.from || s.to.Text != c.to || s.subject.Text != c.cf || len(s.found) != before {
			t.Errorf("%s-%s %q: the filter or the list changed: %q %q %q, %d entries", c.from, c.to, c.cf, s.from.Text, s.to.Text, s.subject.Text, len(s.found))
		}
	}

	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{ID: "l.bianchi", Name: "Luca Bianchi", Role: pinsede.RoleOperatore, Password: "password-bianchi"}); err != nil {
		t.Fatal(err)
	}
	h.app.logout()
	h.logIn("l.bianchi", "password-bianchi")
	if strings.Contains(h.screenText(), "Registro delle operazioni") {
		t.Errorf("an operator's home offers the audit log:\n%s", h.screenText())
	}
	h.app.showAudit()
	if h.app.audit != nil {
		t.Error("an operator opened the audit log")
	}
}
