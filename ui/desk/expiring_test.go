package desk

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Ensure that the home screen counts and lists the sede's PINs that expire
// within 30 days, with the citizen's name, codice fiscale and expiry, and
// that an entry opens the citizen's page.
func TestHomeExpiring(t *testing.T) {
	// Given a PIN issued today,
	h := ready(t)
	out, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	h.app.showHome()
	if got := h.app.home.expiring.count.Text; got != "0" {
		t.Fatalf("just issued: %s expiring", got)
	}
	// when 20 days are left, then the home screen lists it,
	h.now = out.Credential.ExpiresAt.Add(-20 * 24 * time.Hour)
	h.app.showHome()
	p := h.app.home.expiring
	if p.count.Text != "1" || len(p.open) != 1 {
		t.Fatalf("20 days before expiry: count %s, %d listed", p.count.Text, len(p.open))
	}
	want := []string{mario.FullName(), "RSSMRA80A01H501U", day(out.Credential.ExpiresAt)}
	for _, w := range want {
		if !strings.Contains(p.open[0].Text, w) {
			t.Errorf("entry %q lacks %q", p.open[0].Text, w)
		}
	}
	if !strings.Contains(h.screenText(), "PIN in scadenza") {
		t.Error("home screen lacks the expiring section")
	}
	// and its entry opens the citizen's page.
	h.tap(p.open[0])
	if h.app.citizen == nil || h.app.current.View != h.app.citizen.screen.View || h.app.citizen.page.Citizen.CF() != mario.CodiceFiscale {
		t.Fatal("the entry does not open the citizen's page")
	}
}
