package desk

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that an operator changes their own password at their wish, from
// the home page's Cambia password, reached with the Tab key: the
// current one wrong is refused and counts as a failed login, the new one
// typed twice differently too, and the change is then done and said; the
// next login takes the new password, not the old. The desk offered the
// change only after a supervisor's reset.
func TestChangeOwnPassword(t *testing.T) {
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	h.addBianchi()
	h.app.logout()
	h.logIn("l.bianchi", "password-bianchi")
	home := h.app.home
	if h.app.session == nil || home == nil || h.app.current.View != home.screen.View {
		t.Fatalf("l.bianchi not on the home page:\n%s", h.screenText())
	}
	c := h.win.Canvas()
	for tabs := 0; c.Focused() != home.changePassword; tabs++ {
		if tabs > 60 || c.Focused() == nil && tabs > 0 {
			t.Fatalf("Cambia password not reached with Tab (%d), focus on %T", tabs, c.Focused())
		}
		c.FocusNext()
	}
	h.pressKey(fyne.KeySpace)
	d := home.ownPassword
	if d == nil || c.Focused() != d.current {
		t.Fatalf("Space on Cambia password: dialog %v, focus on %T", d != nil, c.Focused())
	}
	h.settle()
	assertScreen(t, h, "cambia-password")

	fill := func(current, pw, again string) {
		h.typeIn(d.current, current)
		h.typeIn(d.pw, pw)
		h.typeIn(d.again, again)
		h.tap(d.confirm)
	}
	fill("password-bianchi", "la-mia-nuova-2026", "la-mia-nuova-2027")
	if !strings.Contains(d.msg.text(), "non coincidono") {
		t.Errorf("the new password typed twice differently: %q", d.msg.text())
	}
	fill("sbagliata-sbagliata", "la-mia-nuova-2026", "la-mia-nuova-2026")
	if d.msg.text() == "" || d.current.Text != "" {
		t.Errorf("a wrong current password: message %q, current kept %q", d.msg.text(), d.current.Text)
	}
	var op pinsede.Operator
	if err := h.store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator("l.bianchi"); return err }); err != nil || op.FailedLogins != 1 {
		t.Errorf("failed logins of l.bianchi after a wrong current password: %d, %v; want 1", op.FailedLogins, err)
	}
	fill("password-bianchi", "la-mia-nuova-2026", "la-mia-nuova-2026")
	if len(h.app.dialogs) != 0 || !strings.Contains(home.accountMsg.text(), "Password cambiata") {
		t.Fatalf("after the change: %d dialogs, message %q, dialog's %q", len(h.app.dialogs), home.accountMsg.text(), d.msg.text())
	}
	if _, err := h.desk.Login("l.bianchi", "password-bianchi"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Errorf("the old password still logs in: %v", err)
	}
	if _, err := h.desk.Login("l.bianchi", "la-mia-nuova-2026"); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

// Ensure that the first login of an account a supervisor added asks for
// a new password before the session opens, as after a reset: the
// supervisor who typed the first one does not know the operator's.
func TestNewAccountChangesPasswordAtFirstLogin(t *testing.T) {
	h := ready(t)
	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{ID: "g.verdi", Name: "Giulia Verdi", Role: pinsede.RoleSupervisore, Password: "data-da-mario"}); err != nil {
		t.Fatal(err)
	}
	h.app.logout()
	h.logIn("g.verdi", "data-da-mario")
	c := h.app.changePassword
	if c == nil || h.app.current.View != c.screen.View || h.app.session != nil {
		t.Fatalf("the first login of a new account opened no change of password:\n%s", h.screenText())
	}
	h.typeIn(c.pw, "scelta-da-giulia")
	h.typeIn(c.confirm, "scelta-da-giulia")
	h.tap(c.submit)
	if s := h.app.session; s == nil || s.Operator.ID != "g.verdi" || s.Operator.MustChangePassword {
		t.Fatalf("after the change: session %+v:\n%s", s, h.screenText())
	}
}
