package slip

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that the information sheet explains SPID, CIE and CNS on one page
// with no text running into other text, and renders to the same bytes
// each time.
func TestInfoSheet(t *testing.T) {
	pdf, err := InfoSheet()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := InfoSheet(); !bytes.Equal(pdf, again) {
		t.Error("two renders of the sheet differ")
	}
	text := pdftotext(t, pdf, "1", "1")
	for _, want := range []string{
		"Come accedere ai servizi online dell'INPS", "1° ottobre 2021", "SPID", "Sistema Pubblico di Identità Digitale",
		"Carta d'identità elettronica", "Carta Nazionale dei Servizi", "www.spid.gov.it", "MyINPS", "non contiene dati personali",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, text)
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
}

// TestInfoSheetPNG renders the sheet to a PNG page with pdftoppm, for a
// person to look at (docs/infosheet.png). Set SLIP_PNG_DIR to keep it.
func TestInfoSheetPNG(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := os.Getenv("SLIP_PNG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	pdf, err := InfoSheet()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftoppm", "-png", "-r", "100", "-singlefile", "-", filepath.Join(dir, "infosheet"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
}
