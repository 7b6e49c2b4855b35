package main

import (
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// xinOwnPasswordTitle is the title of the operator's own change of
// password, which the home's Cambia password opens; xinOwnPassword is
// the password m.rossi chooses there.
const (
	xinOwnPasswordTitle = "Cambia la tua password"
	xinOwnPassword      = "la-nuova-di-rossi"
)

// TestXInputOwnPassword changes m.rossi's password by keys on the real
// desk: Cambia password, the home's last control, eleven Tabs from the
// codice fiscale (past Cerca, Nuova richiesta, Operatori, Registro, the
// reconciliation's scope and button); a wrong current password refused
// in red; the right one, Enter through the fields kept; then the home,
// the logout, and the login with the new password. The store has the
// new password, the change audited, the wrong current password counted
// as a failed login.
func TestXInputOwnPassword(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the clerk's own change of password")
	bin, display, dir := xinPrepare(t)
	d := xinStart(t, bin, display, dir)
	d.setUpAndLogIn()
	d.keys("Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "space")
	d.waitScreen(xinOwnPasswordTitle)
	// The current password has the keyboard; Enter goes on to the next
	// field, and submits from the last.
	d.typeText("sbagliata-di-rossi")
	d.keys("Return")
	d.typeText(xinOwnPassword)
	d.keys("Return")
	d.typeText(xinOwnPassword)
	d.keys("Return")
	d.waitProblem()
	d.shot("own-password-refused")
	// The current password emptied, with the keyboard; the new ones kept.
	d.typeText(xinPassword)
	d.keys("Return", "Return", "Return")
	d.waitScreen("Home")
	d.shot("own-password-done")
	d.logOut()            // its Escapes close the dialog that says the password changed
	d.typeText("m.rossi") // the login, empty: the keyboard in the id
	d.keys("Return")
	d.typeText(xinOwnPassword)
	d.keys("Return")
	d.waitScreen("Home")
	d.app.Stop(t)
	xinCheckLog(t, dir, d.app)

	store, err := local.Open(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	defer store.Close()
	count := map[pinsede.AuditAction]int{}
	if err := store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Actor == "m.rossi" {
			count[e.Action]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if count[pinsede.ActionPasswordChanged] != 1 || count[pinsede.ActionLoginFailed] != 1 || count[pinsede.ActionLogin] != 2 {
		t.Errorf("m.rossi's audit: %v; want 1 change of password, 1 failed login (the wrong current password), 2 logins", count)
	}
	var op pinsede.Operator
	if err := store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator("m.rossi"); return err }); err != nil {
		t.Fatal(err)
	}
	if ok, err := pinsede.VerifySecret(op.PasswordHash, []byte(xinOwnPassword)); !ok || err != nil || op.FailedLogins != 0 {
		t.Errorf("m.rossi's password is not the new one (%v), or %d failures are left", err, op.FailedLogins)
	}
}
