package desk

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor prints the end-of-day reconciliation from the
// home screen through the document printer, of the whole sede unless
// they choose "solo questo sportello", that it counts a slip printed and
// not handed over, and that an operator does not see the button.
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
	screen := h.screenText()
	for _, want := range []string{"Riconciliazione di fine giornata", "Tutta la sede", "Solo questo sportello"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("no %q for the supervisor:\n%s", want, screen)
		}
	}
	if p.scope.Selected != "Tutta la sede" {
		t.Fatalf("chosen %q, want the whole sede by default", p.scope.Selected)
	}
	h.tap(p.button)
	if got := p.msg.text(); !strings.Contains(got, "Riconciliazione stampata (1 buste non consegnate)") {
		t.Fatalf("message %q", got)
	}
	if len(back.jobs) != 1 || back.jobs[0].Title != "riconciliazione-sede-ROMA01-2026-03-10" || !bytes.HasPrefix(back.jobs[0].PDF, []byte("%PDF-")) {
		t.Fatalf("printed %d jobs", len(back.jobs))
	}

	items := p.scope.boxes // the options, in order
	if len(items) != 2 {
		t.Fatalf("%d options", len(items))
	}
	test.Tap(items[1])
	h.settle()
	if p.scope.Selected != "Solo questo sportello" {
		t.Fatalf("chosen %q after tapping this desk only", p.scope.Selected)
	}
	h.tap(p.button)
	if got := p.msg.text(); !strings.Contains(got, "Riconciliazione stampata (1 buste non consegnate)") {
		t.Fatalf("message %q", got)
	}
	if len(back.jobs) != 2 || back.jobs[1].Title != "riconciliazione-ROMA01-2026-03-10" {
		t.Fatalf("printed %d jobs", len(back.jobs))
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		for i, want := range []bool{true, false} {
			cmd := exec.Command("pdftotext", "-layout", "-", "-")
			cmd.Stdin = bytes.NewReader(back.jobs[i].PDF)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			if got := strings.Contains(string(out), "tutta la sede") && strings.Contains(string(out), "Dati degli sportelli"); got != want {
				t.Errorf("report %d is of the sede: %v, want %v:\n%s", i, got, want, out)
			}
		}
	}

	h.addOperator("g.verdi", "Giulia Verdi", pinsede.RoleOperatore, "password-verdi")
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
