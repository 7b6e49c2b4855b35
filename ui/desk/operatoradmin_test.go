package desk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor re-enables a disabled operator and resets a
// forgotten password from the operators page, and that the operator, at
// the next login with the temporary password, must choose a new one before
// the session opens (issue 14, finding 11).
func TestOperatorsPageAdministration(t *testing.T) {
	h := ready(t)
	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{ID: "l.bianchi", Name: "Luca Bianchi", Role: pinsede.RoleOperatore, Password: "password-bianchi"}); err != nil {
		t.Fatal(err)
	}
	if err := h.desk.DisableOperator(h.app.session, "l.bianchi"); err != nil {
		t.Fatal(err)
	}
	h.app.showOperators()
	o := h.app.operators
	if o.reset["m.rossi"] != nil {
		t.Error("the supervisor is offered a reset of their own password")
	}
	en := o.enable["l.bianchi"]
	if en == nil {
		t.Fatalf("no Riattiva for a disabled operator:\n%s", h.screenText())
	}
	h.tap(en)
	if !strings.Contains(o.listMsg.text(), "riattivato") || o.enable["l.bianchi"] != nil {
		t.Fatalf("after Riattiva: %q", o.listMsg.text())
	}
	h.tap(o.reset["l.bianchi"])
	rd := o.resetDlg
	h.typeIn(rd.pw, "temporanea-2026")
	h.typeIn(rd.again, "temporanea-2026")
	h.tap(rd.confirm)
	if !strings.Contains(o.listMsg.text(), "prossimo accesso") {
		t.Fatalf("after the reset: %q, dialog %q", o.listMsg.text(), rd.msg.text())
	}

	// The operator logs in with the temporary password: a new one first.
	h.app.logout()
	h.logIn("l.bianchi", "temporanea-2026")
	c := h.app.changePassword
	if h.app.session != nil || c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("the login opened a session before the change:\n%s", h.screenText())
	}
	h.typeIn(c.pw, "la-mia-password-2026")
	h.typeIn(c.confirm, "la-mia-password-2026")
	h.tap(c.submit)
	if h.app.session == nil || h.app.session.Operator.ID != "l.bianchi" || h.app.home == nil || h.app.current.View != h.app.home.screen.View {
		t.Fatalf("after the change: not on the home screen: %q", c.msg.text())
	}
	if _, err := h.desk.Login("l.bianchi", "la-mia-password-2026"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}
