package desk

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor prints the end-of-day reconciliation from the
// home screen through the document printer, of the whole sede unless
// they choose "solo questo sportello", that it counts a slip printed and
// not handed over, and that an operator does not see the button.
func TestReconciliationPrint(t *testing.T) {
	back := &kept{}
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

// Ensure that a supervisor prints from the audit screen the
// reconciliation of a day gone: a desk opened on Monday prints Friday's,
// with Friday's slip not handed over, of this desk or, the scope
// switched, of the sede; Dal and Al on different days, or on a day to
// come, print nothing and say why under the field, what was typed kept.
func TestReconciliationOfADayGone(t *testing.T) {
	back := &kept{}
	h := ready(t, func(d *pinsede.Desk, _ *Config) {
		d.Forms, d.Documents = MV35Renderer{}, DocumentPrinter{Backend: back}
	})
	// The Friday after the tests' day and the Monday after it, in the
	// desk's calendar: days counted, not hours (a change of the clocks
	// may fall between).
	y, m, d := testNow.Date()
	day := func(n, hour int) time.Time { return time.Date(y, m, d+n, hour, 0, 0, 0, testNow.Location()) }
	n := 0
	for day(n, 10).Weekday() != time.Friday {
		n++
	}
	friday, monday := day(n, 10), day(n+3, 9)
	h.now = friday
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	if h.app.result == nil {
		t.Fatalf("no issue on Friday: %q", h.app.verify.msg.text())
	}

	h.now = monday
	h.app.showHome()
	h.tap(h.app.home.audit)
	s := h.app.audit
	if s.from.Text != pinsede.DateOf(monday).Italian() {
		t.Fatalf("Dal %q on Monday", s.from.Text)
	}
	fri, tomorrow := pinsede.DateOf(friday).Italian(), pinsede.DateOf(day(n+4, 9)).Italian()
	for _, c := range []struct {
		name, from, to string
		field, want    string
	}{
		{"two days", fri, pinsede.DateOf(monday).Italian(), pinsede.FieldAuditTo, "un solo giorno"},
		{"to before from", pinsede.DateOf(monday).Italian(), fri, pinsede.FieldAuditTo, "un solo giorno"},
		{"a day to come", tomorrow, tomorrow, pinsede.FieldAuditFrom, "nel futuro"},
		{"not a date", "31/02/2026", "31/02/2026", pinsede.FieldAuditFrom, "non esiste"},
	} {
		h.typeIn(s.from, c.from)
		h.typeIn(s.to, c.to)
		h.tap(s.reconcile)
		if got := s.fields[c.field].problemText(); !strings.Contains(got, c.want) || !strings.Contains(s.msg.text(), "stampa di nuovo la riconciliazione") {
			t.Errorf("%s: problem %q (message %q), want %q", c.name, got, s.msg.text(), c.want)
		}
		if s.from.Text != c.from || s.to.Text != c.to {
			t.Errorf("%s: Dal %q, Al %q: not as typed", c.name, s.from.Text, s.to.Text)
		}
		if len(back.jobs) != 0 {
			t.Fatalf("%s: %d reports printed", c.name, len(back.jobs))
		}
		if c.name == "two days" {
			h.settle()
			shot(t, h, "registro-riconciliazione-giorni")
		}
	}
	h.typeIn(s.from, fri)
	if s.fields[pinsede.FieldAuditFrom].problemText() != "" {
		t.Errorf("Dal corrected, its problem stays: %q", s.fields[pinsede.FieldAuditFrom].problemText())
	}
	h.typeIn(s.to, fri)
	if s.fields[pinsede.FieldAuditTo].problemText() != "" || s.msg.text() != "" {
		t.Errorf("Al corrected, its problem or the call to correct it stays: %q, %q", s.fields[pinsede.FieldAuditTo].problemText(), s.msg.text())
	}

	iso := pinsede.DateOf(friday).String()
	for i, c := range []struct {
		scope, title, heading string
	}{
		{"Solo questo sportello", "riconciliazione-ROMA01-" + iso, "Riconciliazione di fine giornata del " + fri + "\n"},
		{"Tutta la sede", "riconciliazione-sede-ROMA01-" + iso, "Riconciliazione di fine giornata del " + fri + " · tutta la sede"},
	} {
		s.scope.SetSelected(c.scope)
		h.tap(s.reconcile)
		if got := s.msg.text(); !strings.Contains(got, "Riconciliazione stampata (1 buste non consegnate)") {
			t.Fatalf("%s: message %q", c.scope, got)
		}
		if len(back.jobs) != i+1 || back.jobs[i].Title != c.title {
			t.Fatalf("%s: printed %d jobs, the last %q; want %q", c.scope, len(back.jobs), back.jobs[len(back.jobs)-1].Title, c.title)
		}
		if _, err := exec.LookPath("pdftotext"); err == nil {
			cmd := exec.Command("pdftotext", "-layout", "-", "-")
			cmd.Stdin = bytes.NewReader(back.jobs[i].PDF)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			if !strings.Contains(string(out), c.heading) {
				t.Errorf("%s: the report is not Friday's, want %q:\n%s", c.scope, c.heading, out)
			}
		}
	}
	h.settle()
	shot(t, h, "registro-riconciliazione")
}
