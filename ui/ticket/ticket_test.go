package ticket

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
)

// Ensure that ticket codes use the alphabet, have the length, and differ.
func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewCode()
		if len(c) != CodeLength || strings.Trim(c, CodeAlphabet) != "" {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q twice in 1000", c)
		}
		seen[c] = true
	}
}

// Ensure that the PDF holds the number, the service, the time, the code,
// and the pending note only when pending.
func TestPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	tk := Ticket{Number: "K042", Code: "K7M3QX9A", Service: "request",
		Issued: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)}
	l := Labels{Header: "INPS – Sede di Roma Eur", Number: "Il tuo numero", Service: "Richiedi il PIN dispositivo",
		Time: "Ora", Code: "Codice", Bring: "Porta un documento.", Pending: "Richiesta in attesa al chiosco."}
	for _, pending := range []bool{false, true} {
		tk.Pending = pending
		pdf, err := PDF(tk, l)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = bytes.NewReader(pdf)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		txt := string(out)
		for _, want := range []string{"K042", "Richiedi il PIN dispositivo", "10/03/2026 09:30", "K7M3QX9A", "Sede di Roma Eur"} {
			if !strings.Contains(txt, want) {
				t.Errorf("pending %v: no %q in\n%s", pending, want, txt)
			}
		}
		if got := strings.Contains(txt, "in attesa"); got != pending {
			t.Errorf("pending %v: the note shows %v", pending, got)
		}
	}
}

// Ensure that the printed barcode scans back to the ticket's code: the
// PDF is rendered at 200 dpi (pdftoppm) and read by zbarimg.
func TestBarcodeScans(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (poppler-utils, zbar-tools)", tool)
		}
	}
	tk := Ticket{Number: "K007", Code: NewCode(), Service: "request", Issued: testclock.Now()}
	pdf, err := PDF(tk, Labels{Header: "INPS", Service: "Richiedi il PIN dispositivo"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	render := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", "-", dir+"/ticket")
	render.Stdin = bytes.NewReader(pdf)
	if out, err := render.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	out, err := exec.Command("zbarimg", "--quiet", "--raw", dir+"/ticket.png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != tk.Code {
		t.Errorf("the barcode reads %q, want %q", got, tk.Code)
	}
}

// Ensure that the central records accept exactly the codes the kiosk makes.
func TestCodesAsCentrale(t *testing.T) {
	if CodeAlphabet != central.TicketCodeAlphabet || CodeLength != central.TicketCodeLength {
		t.Fatalf("ticket codes: %q×%d here, %q×%d at centrale", CodeAlphabet, CodeLength, central.TicketCodeAlphabet, central.TicketCodeLength)
	}
	for range 100 {
		if c := NewCode(); !central.ValidTicketCode(c) {
			t.Fatalf("centrale refuses the code %q", c)
		}
	}
}
