package slip

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// sampleSede is a reconciliation of the sede drawn up at desk 02: three
// desks with acts, the slips not handed over of two of them, and desk 04
// not heard from since the day before.
func sampleSede() pinsede.Reconciliation {
	r := sampleReconciliation()
	at := r.DrawnAt
	r.Scope, r.Desk, r.LastPull = pinsede.ScopeSede, "02", at.Add(-3*time.Minute)
	r.Rows = []pinsede.ReconciliationRow{
		{Desk: "01", Operator: "l.neri", Name: "Lucia Neri", Printed: 2, Issued: 3, Voided: 1},
		{Desk: "01", Operator: "sup", Name: "Anna Bianchi", Printed: 1, Issued: 1, HandedOver: 1},
		{Desk: "02", Operator: "op1", Name: "Carlo Verdi", Printed: 1, Issued: 1, HandedOver: 2},
		{Desk: "03", Operator: "m.galli", Name: "Marco Galli", Printed: 2, Issued: 1, Revoked: 1, Replaced: 1},
	}
	r.Total = pinsede.ReconciliationRow{Printed: 6, Issued: 6, Voided: 1, Revoked: 1, Replaced: 1, HandedOver: 3}
	r.Desks = []pinsede.ReconciledDesk{
		{Desk: "01", Total: pinsede.ReconciliationRow{Desk: "01", Printed: 3, Issued: 4, Voided: 1, HandedOver: 1}, LastEvent: at.Add(-40 * time.Minute)},
		{Desk: "02", This: true, Total: pinsede.ReconciliationRow{Desk: "02", Printed: 1, Issued: 1, HandedOver: 2}},
		{Desk: "03", Total: pinsede.ReconciliationRow{Desk: "03", Printed: 2, Issued: 1, Revoked: 1, Replaced: 1}, LastEvent: at.Add(-2 * time.Hour)},
		{Desk: "04", Stale: true, LastEvent: at.AddDate(0, 0, -1).Add(-10 * time.Minute)},
	}
	r.Mismatches = []pinsede.Unhanded{
		{SlipSerial: "ROMA01-20261123-3F9A2C", Citizen: "Esposito Gennaro", Operator: "l.neri", Desk: "01", Issued: at.Add(-7 * time.Hour)},
		{SlipSerial: "ROMA01-20261123-9B01DE", Citizen: "Martini Giulia", Operator: "m.galli", Desk: "03", Issued: at.Add(-5 * time.Hour)},
	}
	return r
}

// Ensure that the reconciliation of the sede groups the operators by
// desk with each desk's total and the sede's, names the desk of each slip
// not handed over (issued, for another desk's, whose print is not known
// here), and says as of when it holds each desk's acts, naming the desk
// not heard from since the morning; on one page, no text running into
// other text. A desk that never pulled, or not today, says so.
func TestReconciliationSede(t *testing.T) {
	pdf, err := Reconciliation(sampleSede())
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, pdf, "1", "1")
	for _, want := range []string{
		"Riconciliazione di fine giornata del 23/11/2026 · tutta la sede", "Sportello, operatore",
		"Sportello 01", "Lucia Neri (l.neri)", "Totale sportello 01", "Sportello 02", "Carlo Verdi (op1)", "Totale sportello 02",
		"Sportello 03", "Marco Galli (m.galli)", "Totale sportello 03", "Totale della sede",
		"Dati degli sportelli", "fino all'ultimo scambio, il 23/11/2026 alle 18:02", "questo sportello: tutti i suoi atti",
		"atti ricevuti fino a quello del 23/11/2026 alle 17:25",
		"nessun atto ricevuto da inizio giornata (l'ultimo del 22/11/2026 alle 17:55)", "le firme non li certificano",
		"ROMA01-20261123-3F9A2C", "sportello 01 · l.neri · emessa alle 11:05", "sportello 03 · m.galli · emessa alle 13:05",
		"Firma del supervisore",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Sportello 04\n") && strings.Contains(text, "Totale sportello 04") {
		t.Errorf("a desk with no acts has a total:\n%s", text)
	}
	pages := words(t, pdf)
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	for i, a := range pages[0] {
		for _, b := range pages[0][i+1:] {
			if a.overlaps(b) {
				t.Errorf("%q runs into %q", a.text, b.text)
			}
		}
	}

	for _, c := range []struct {
		name string
		pull time.Time
		want string
	}{
		{"never", time.Time{}, "non ha mai ricevuto gli atti della sede"},
		{"yesterday", time.Date(2026, 11, 22, 17, 0, 0, 0, time.Local), "L'ultimo scambio con la centrale è del 22/11/2026 alle 17:00"},
	} {
		r := sampleSede()
		r.LastPull = c.pull
		pdf, err := Reconciliation(r)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdftotext(t, pdf, "1", "1"); !strings.Contains(text, c.want) {
			t.Errorf("%s: the report lacks %q:\n%s", c.name, c.want, text)
		}
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

// TestReconciliationPNG renders the report, of a desk and of the sede, to
// PNG pages with pdftoppm, for a person to look at (docs/reconciliation.png,
// docs/reconciliation-sede.png). Set SLIP_PNG_DIR to keep them.
func TestReconciliationPNG(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := os.Getenv("SLIP_PNG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	for name, r := range map[string]pinsede.Reconciliation{"reconciliation": sampleReconciliation(), "reconciliation-sede": sampleSede()} {
		pdf, err := Reconciliation(r)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("pdftoppm", "-png", "-r", "100", "-singlefile", "-", filepath.Join(dir, name))
		cmd.Stdin = bytes.NewReader(pdf)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
	}
}

// Ensure that a sede of many desks and operators continues on further
// pages, where the desk cut by the page is named again ("segue"), no
// text running into other text, and still ends with the signatures.
func TestReconciliationSedeLong(t *testing.T) {
	r := sampleSede()
	r.Rows = nil
	for _, desk := range []string{"01", "02", "03"} {
		for i := range 15 {
			r.Rows = append(r.Rows, pinsede.ReconciliationRow{Desk: desk, Operator: fmt.Sprintf("op%02d", i), Name: "Operatore " + desk, Printed: 1, Issued: 1})
		}
	}
	pdf, err := Reconciliation(r)
	if err != nil {
		t.Fatal(err)
	}
	pages := words(t, pdf)
	if len(pages) < 2 {
		t.Fatalf("%d pages, want 2 or more", len(pages))
	}
	if dir := os.Getenv("SLIP_PNG_DIR"); dir != "" {
		cmd := exec.Command("pdftoppm", "-png", "-r", "60", "-", filepath.Join(dir, "reconciliation-sede-long"))
		cmd.Stdin = bytes.NewReader(pdf)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
	}
	for p, page := range pages {
		for i, a := range page {
			if a.yMax > a842 {
				t.Errorf("page %d: %q is off the page", p+1, a.text)
			}
			for _, b := range page[i+1:] {
				if a.overlaps(b) {
					t.Errorf("page %d: %q runs into %q", p+1, a.text, b.text)
				}
			}
		}
	}
	text := pdftotext(t, pdf, "1", "9")
	for _, want := range []string{"Totale sportello 01", "Sportello 02 (segue)", "Totale sportello 02", "Totale sportello 03", "Totale della sede"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if last := pdftotext(t, pdf, strconv.Itoa(len(pages)), strconv.Itoa(len(pages))); !strings.Contains(last, "Firma del supervisore") {
		t.Errorf("no signatures at the end:\n%s", last)
	}
}

// Ensure that the report of the sede of a desk with no number (offline,
// or with a certificate issued before desk ids) names it without running
// into the line beside: "Sportello senza numero" is wider than the room
// of "Sportello 03" (found on the report of the real desk, issue 17).
func TestReconciliationSedeNoDeskNumber(t *testing.T) {
	r := sampleSede()
	r.Desk, r.LastPull = "", time.Time{}
	r.Desks = []pinsede.ReconciledDesk{{This: true}, {Desk: "01", LastEvent: r.DrawnAt.Add(-time.Hour)}}
	pdf, err := Reconciliation(r)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftotext(t, pdf, "1", "1"); !strings.Contains(text, "Sportello senza numero") {
		t.Errorf("the report does not name the desk with no number:\n%s", text)
	}
	for _, page := range words(t, pdf) {
		for i, a := range page {
			for _, b := range page[i+1:] {
				if a.overlaps(b) {
					t.Errorf("%q runs into %q", a.text, b.text)
				}
			}
		}
	}
}
