package desk

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor prints the end-of-day reconciliation from the
// home screen through the document printer, that it counts a slip printed
// and not handed over, and that an operator does not see the button.
func TestReconciliationPrint(t *testing.T) {
	back := &jobs{}
	h := ready(t, func(d *pinsede.Desk, _ *Config) {
		d.Forms, d.Documents = MV35Renderer{}, DocumentPrinter{Backend: back}
	})
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	if h.app.result == nil {
		t.Fatalf("no issue: %q", h.app.verify.msg.text())
	}
	h.app.showHome()
	p := h.app.home.reconcile
	if !strings.Contains(h.screenText(), "Riconciliazione di fine giornata") {
		t.Fatal("no reconciliation button for the supervisor")
	}
	h.tap(p.button)
	if got := p.msg.text(); !strings.Contains(got, "Riconciliazione stampata (1 buste non consegnate)") {
		t.Fatalf("message %q", got)
	}
	if len(back.jobs) != 1 || back.jobs[0].Title != "riconciliazione-ROMA01-2026-03-10" || !bytes.HasPrefix(back.jobs[0].PDF, []byte("%PDF-")) {
		t.Fatalf("printed %+v", len(back.jobs))
	}

	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{
		ID: "g.verdi", Name: "Giulia Verdi", Role: pinsede.RoleOperatore, Password: "password-verdi",
	}); err != nil {
		t.Fatal(err)
	}
	h.app.logout()
	h.logIn("g.verdi", "password-verdi")
	if h.app.session == nil {
		t.Fatal("operator login")
	}
	h.settle()
	if strings.Contains(h.screenText(), "Riconciliazione di fine giornata") {
		t.Error("an operator sees the reconciliation")
	}
}
