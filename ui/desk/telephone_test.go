package desk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the verification screen offers "Tipo: PIN dispositivo | PIN
// telefonico", asks the duration only for a PIN telefonico and refuses to
// issue one without it, and that the chosen PIN telefonico is issued,
// printed and shown with its type.
func TestIssueTelephonePINScreen(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	v := h.app.verify
	c := v.choice

	// Given the verification screen, then the PIN dispositivo is chosen and
	// no duration is asked.
	if c.telephone() || c.durationRow.Visible() {
		t.Fatalf("default choice %q, duration visible %v", c.kind.Selected, c.durationRow.Visible())
	}
	text := h.screenText()
	for _, want := range []string{"Tipo", "PIN dispositivo", "PIN telefonico"} {
		if !strings.Contains(text, want) {
			t.Errorf("verification screen lacks %q", want)
		}
	}

	// When the clerk chooses the PIN telefonico, the duration is asked; with
	// none chosen nothing is issued.
	c.kind.SetSelected(c.kind.Options[1])
	h.settle()
	if !c.durationRow.Visible() {
		t.Fatal("duration not shown for a PIN telefonico")
	}
	h.tap(v.issue)
	if h.app.current.View != v.screen.View || len(h.printer.printed()) != 0 {
		t.Fatal("a PIN telefonico without a duration was issued")
	}
	if got := h.screenText(); !strings.Contains(got, "Scegliere la durata del PIN telefonico") {
		t.Errorf("no error under the duration: %q", v.msg.text())
	}

	// With one week chosen, the PIN telefonico is issued and printed.
	c.duration.SetSelectedIndex(1)
	h.tap(v.issue)
	res := h.app.result
	if res == nil || h.app.current.View != res.screen.View {
		t.Fatalf("not on the result screen; message %q", v.msg.text())
	}
	if n := len(h.printer.printed()); n != 1 {
		t.Fatalf("%d slips printed", n)
	}
	got := h.screenText()
	if !strings.Contains(got, "PIN telefonico") {
		t.Errorf("result screen does not say PIN telefonico")
	}
	// The words are a PIN telefonico's, not a dispositivo's (issue 14,
	// finding 7).
	for _, wrong := range []string{"di tipo dispositivo", "lo sostituirà al primo accesso"} {
		if strings.Contains(got, wrong) {
			t.Errorf("result screen of a PIN telefonico says %q", wrong)
		}
	}
	for _, want := range []string{"1 settimana", "Contact Center"} {
		if !strings.Contains(got, want) {
			t.Errorf("result screen of a PIN telefonico lacks %q", want)
		}
	}
	cr := res.issued.Credential
	if cr.Type != pinsede.Telefonico || cr.Validity != pinsede.ValidityWeek || !cr.ExpiresAt.Equal(cr.IssuedAt.AddDate(0, 0, 7)) {
		t.Errorf("credential %s %s until %v", cr.Type, cr.Validity, cr.ExpiresAt)
	}
}
