package desk

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that Esc on a dialog whose action runs does what its Annulla
// does then: nothing. Pressed as the revocation of a PIN ran, Esc closed
// the dialog, though Annulla was disabled: the PIN was revoked all the
// same, by the clerk who had pressed Esc, and a refusal showed in the
// dialog closed. The dialog stays for the outcome, then Esc closes it.
func TestEscWaitsForTheDialogsAction(t *testing.T) {
	testclock.RealDayOnly(t, "Esc during a dialog's action")
	h, out := onMariosPage(t)
	h.tap(h.app.citizen.revokeCred[out.Credential.ID])
	d := h.app.citizen.revoke
	h.typeIn(d.reason, "richiesta del cittadino")
	d.checked.SetChecked(true)
	// Revoked at another desk meanwhile: the domain refuses.
	c := out.Credential
	c.State = pinsede.StateRevocato
	if err := h.store.Update(func(tx pinsede.Tx) error { return tx.PutCredential(c) }); err != nil {
		t.Fatal(err)
	}
	test.Tap(d.confirm) // the revocation runs; its end waits for the test goroutine
	if !d.cancel.Disabled() {
		t.Fatal("Annulla is enabled while the revocation runs")
	}
	// Nothing has the keyboard after the click: Esc reaches the window.
	esc := &fyne.KeyEvent{Name: fyne.KeyEscape}
	h.app.typedKey(esc)
	h.wait()
	if len(h.app.dialogs) != 1 || d.msg.text() != lang.L("revoke.err.notactive") {
		t.Fatalf("Esc as the revocation ran: %d dialogs open, its message %q; want it open, saying %q",
			len(h.app.dialogs), d.msg.text(), lang.L("revoke.err.notactive"))
	}
	h.app.typedKey(esc)
	if len(h.app.dialogs) != 0 {
		t.Errorf("Esc after the outcome left the dialog open")
	}
}
