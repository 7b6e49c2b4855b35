package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/pinsede/pinsede"
)

// Ensure that the desk closes the session of a clerk whose account a
// supervisor disables (here, or pulled from another desk), at the next
// tick: the clerk went on issuing PINs until their next login. The login
// screen says why, the request in progress is kept for the clerk, and the
// lock screen does not open such a session again.
func TestSessionEndedAtTheDesk(t *testing.T) {
	h := ready(t)
	h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-di-luca")
	sup := h.app.session
	h.app.logout()
	h.logIn("l.verdi", "password-di-luca")
	if h.app.session == nil {
		t.Fatalf("login: %q", h.app.login.msg.text())
	}
	r := h.newRequest()
	h.typeIn(r.cognome, "Bianchi")
	h.app.everyTick()
	if h.app.session == nil {
		t.Fatal("the session ended with nothing changed")
	}

	if err := h.desk.DisableOperator(sup, "l.verdi"); err != nil {
		t.Fatal(err)
	}
	h.typeIn(r.nome, "Lucia") // before the next tick
	h.wait()                  // no use case running: those end first
	h.app.everyTick()
	if h.app.session != nil || h.app.current.View != h.app.login.screen.View {
		t.Fatalf("the disabled clerk's session goes on:\n%s", h.screenText())
	}
	got := h.app.login.msg.text()
	for _, want := range []string{"La sessione di Luca Verdi (l.verdi) è terminata", "La richiesta non terminata di Luca Verdi (l.verdi) è stata salvata"} {
		if !strings.Contains(got, want) {
			t.Errorf("the login screen says %q, without %q", got, want)
		}
	}

	// Enabled again: the request comes back as typed.
	h.logIn("m.rossi", "password-di-prova")
	if err := h.desk.EnableOperator(h.app.session, "l.verdi"); err != nil {
		t.Fatal(err)
	}
	h.app.logout()
	h.logIn("l.verdi", "password-di-luca")
	if got := h.screenText(); !strings.Contains(got, "Bianchi Lucia") {
		t.Fatalf("the clerk's login does not offer the request of Bianchi Lucia:\n%s", got)
	}
	h.tapDialogConfirm()

	// Locked, then disabled: the password does not open it again.
	sup, err := h.desk.Login("m.rossi", "password-di-prova")
	if err != nil {
		t.Fatal(err)
	}
	h.app.lockSession()
	if err := h.desk.DisableOperator(sup, "l.verdi"); err != nil {
		t.Fatal(err)
	}
	h.typeIn(h.app.lock.password, "password-di-luca")
	h.tap(h.app.lock.unlock)
	if h.app.session != nil || h.app.current.View != h.app.login.screen.View || !strings.Contains(h.app.login.msg.text(), "è terminata") {
		t.Fatalf("the lock screen opened a disabled clerk's session, or did not say why: %q\n%s", h.app.login.msg.text(), h.screenText())
	}
}

// Ensure that a session ended while its issue prints ends after the
// issue's outcome is told: the tick closed it mid-print, and the result
// (hand the envelope over; or a print that failed, the request kept)
// was dropped.
func TestSessionEndedAfterItsIssue(t *testing.T) {
	h := ready(t)
	h.addOperator("l.neri", "Lucia Neri", pinsede.RoleSupervisore, "password-di-lucia")
	other, err := h.desk.Login("l.neri", "password-di-lucia")
	if err != nil {
		t.Fatal(err)
	}
	p := newHoldPrinter(t)
	h.desk.Printer = p
	h.toVerification(mario)
	h.fillVerification(passport)
	test.Tap(h.app.verify.issue)
	h.until(p.entered, "the slip's print") // committed, printing
	if err := h.desk.DisableOperator(other, "m.rossi"); err != nil {
		t.Fatal(err)
	}
	h.app.everyTick()
	if h.app.session == nil {
		t.Fatal("the session ended while its issue printed")
	}
	p.Free()
	h.wait()
	if h.app.result == nil || h.app.current.View != h.app.result.screen.View {
		t.Fatalf("the issue's outcome was not shown:\n%s", h.screenText())
	}
	h.app.everyTick()
	if h.app.session != nil || !strings.Contains(h.app.login.msg.text(), "è terminata") {
		t.Fatalf("after the outcome the session goes on: %q", h.app.login.msg.text())
	}
}
