package slip

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the slip of a PIN telefonico says its type, its validity and
// its expiry, and that it serves only the Contact Center, in the letter's
// own layout; and that the PIN dispositivo's slip says none of it.
func TestRenderTelephone(t *testing.T) {
	s := sampleSlip(t, "Rossi", "Mario")
	s.Type, s.Validity = pinsede.Telefonico, pinsede.ValidityWeek
	s.ExpiresAt = pinsede.ValidityWeek.Expiry(s.IssuedAt)
	pdf, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdftotext(t, pdf, "1", "1")), " ")
	for _, want := range []string{
		"PIN telefonico",
		"vale una settimana, fino al " + date(s.ExpiresAt),
		"soltanto per essere assistito",
		"Contiene il PIN telefonico per il Contact Center",
		"solo all'operatore del Contact Center quando è Lei a chiamare",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "PIN dispositivo") || strings.Contains(text, "6 mesi") ||
		strings.Contains(text, "non lo comunichi a nessuno") || strings.Contains(text, "servizi online dell'INPS:") {
		t.Errorf("letter of a PIN telefonico speaks of the PIN dispositivo:\n%s", text)
	}

	disp := sampleSlip(t, "Rossi", "Mario")
	pdf, err = Render(disp)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftotext(t, pdf, "1", "1"); strings.Contains(text, "PIN telefonico") {
		t.Errorf("letter of a PIN dispositivo speaks of the PIN telefonico:\n%s", text)
	}
}
