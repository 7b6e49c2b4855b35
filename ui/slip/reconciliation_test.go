package slip

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// reconciliation is a day of two operators with one slip never handed over.
func sampleReconciliation() pinsede.Reconciliation {
	at := time.Date(2026, 11, 23, 18, 5, 0, 0, time.Local)
	return pinsede.Reconciliation{
		Sede: pinsede.Sede{Code: "ROMA01", Name: "Roma Tuscolano"},
		Day:  pinsede.Date{Year: 2026, Month: 11, Day: 23},
		Rows: []pinsede.ReconciliationRow{
			{Operator: "op1", Name: "Carlo Verdi", Printed: 1, Issued: 1, HandedOver: 1},
			{Operator: "sup", Name: "Anna Bianchi", Printed: 2, Issued: 3, Voided: 1, HandedOver: 1},
		},
		Total: pinsede.ReconciliationRow{Printed: 3, Issued: 4, Voided: 1, HandedOver: 2},
		Mismatches: []pinsede.Unhanded{{
			SlipSerial: "ROMA01-20261123-3F9A2C", Citizen: "Bianchi Mario", Operator: "sup",
			Printed: time.Date(2026, 11, 23, 10, 12, 0, 0, time.Local),
		}},
		DrawnBy: "Carlo Verdi", DrawnAt: at,
	}
}

// Ensure that the reconciliation shows the day, each operator's counts,
// the totals, the slip not handed over and both signature lines, on one
// page with no text running into other text.
func TestReconciliation(t *testing.T) {
	pdf, err := Reconciliation(sampleReconciliation())
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, pdf, "1", "1")
	for _, want := range []string{
		"Riconciliazione di fine giornata del 23/11/2026", "Sede di Roma Tuscolano", "Carlo Verdi", "Anna Bianchi (sup)",
		"Totale", "Buste stampate e non consegnate", "ROMA01-20261123-3F9A2C", "Bianchi Mario", "stampata alle 10:12",
		"Firma dell'operatore", "Firma del supervisore", "Redatta da Carlo Verdi",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	pages := words(t, pdf)
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	for i, a := range pages[0] {
		if a.xMin < 0 || a.yMin < 0 || a.xMax > a595 || a.yMax > a842 {
			t.Errorf("%q is off the page", a.text)
		}
		for _, b := range pages[0][i+1:] {
			if a.overlaps(b) {
				t.Errorf("%q runs into %q", a.text, b.text)
			}
		}
	}

	empty := sampleReconciliation()
	empty.Rows, empty.Mismatches, empty.Total = nil, nil, pinsede.ReconciliationRow{}
	pdf, err = Reconciliation(empty)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftotext(t, pdf, "1", "1"); !strings.Contains(text, "Nessuna operazione") || !strings.Contains(text, "tutte le buste stampate") {
		t.Errorf("an empty day:\n%s", text)
	}
}

// Ensure that a long day continues on further pages and still ends with
// the signatures.
func TestReconciliationLong(t *testing.T) {
	r := sampleReconciliation()
	for i := range 40 {
		r.Mismatches = append(r.Mismatches, pinsede.Unhanded{SlipSerial: "ROMA01-20261123-" + strings.Repeat("A", 5) + string(rune('A'+i%26)), Citizen: "Cittadino", Operator: "sup", Printed: r.DrawnAt})
	}
	pdf, err := Reconciliation(r)
	if err != nil {
		t.Fatal(err)
	}
	pages := words(t, pdf)
	if len(pages) < 2 {
		t.Fatalf("%d pages, want 2 or more", len(pages))
	}
	if last := pdftotext(t, pdf, "2", "9"); !strings.Contains(last, "Firma del supervisore") {
		t.Errorf("no signatures at the end:\n%s", last)
	}
}

// TestReconciliationPNG renders the report to a PNG page with pdftoppm, for
// a person to look at (docs/reconciliation.png). Set SLIP_PNG_DIR to keep
// it.
func TestReconciliationPNG(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := os.Getenv("SLIP_PNG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	pdf, err := Reconciliation(sampleReconciliation())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftoppm", "-png", "-r", "100", "-singlefile", "-", filepath.Join(dir, "reconciliation"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
}
