package desk

import (
	"os"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede/internal/testdisk"
)

// Ensure that an issue whose record the disk refuses (the store's disk
// full: a real tmpfs, filled by another program) tells the clerk, in each
// of the desk's languages, that the PIN was not issued and no envelope
// printed, and what to do; the form keeps what was typed, and Emetti PIN
// issues once space is back.
func TestIssueDiskFullTold(t *testing.T) {
	dir := testdisk.Small(t, "2m")
	t.Setenv("TMPDIR", dir) // the harness's store on it
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	filler := testdisk.Fill(t, dir)
	inEachLanguage(t, func(t *testing.T, language string) {
		h.tap(h.app.verify.issue)
		if got, want := h.app.verify.msg.text(), lang.L("issue.disk.full"); got != want {
			t.Errorf("Emetti PIN on a full disk: %q, want %q", got, want)
		}
		shot(t, h, "verifica-disco-pieno-"+language)
	})
	if n := len(h.printer.printed()); n != 0 {
		t.Errorf("%d slips printed for a PIN the disk did not take, want none", n)
	}
	v, r := h.app.verify, h.app.request
	if v.number.Text != passport.Number || v.authority.Text != passport.Authority || !v.checkPhoto.Checked ||
		r.cognome.Text != mario.Cognome || r.cf.Text != string(mario.CodiceFiscale) {
		t.Errorf("the form lost what was typed: document %q %q, photo checked %v, MV35 %q %q",
			v.number.Text, v.authority.Text, v.checkPhoto.Checked, r.cognome.Text, r.cf.Text)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	h.tap(h.app.verify.issue)
	if n := len(h.printer.printed()); n != 1 {
		t.Errorf("space back, Emetti PIN printed %d slips (%q), want one", n, h.app.verify.msg.text())
	}
}
