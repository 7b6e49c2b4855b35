package desk

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// asBianchi brings a desk ready as the supervisor to the home of
// l.bianchi, a clerk whose password is "password-bianchi", logged in.
func asBianchi(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	h := ready(t, opts...)
	h.addBianchi()
	h.app.logout()
	h.logIn("l.bianchi", "password-bianchi")
	if h.app.session == nil || h.app.session.Operator.ID != "l.bianchi" {
		t.Fatalf("l.bianchi's login: %q", h.app.login.msg.text())
	}
	return h
}

// ownPassword opens the operator's own change of password from the home,
// by its button.
func (h *harness) ownPassword() *changePasswordScreen {
	h.t.Helper()
	h.app.showHome()
	h.tap(h.app.home.password)
	c := h.app.changePassword
	if c == nil || !c.own || h.app.current.View != c.screen.View {
		h.t.Fatalf("Cambia password opened no change of the own password:\n%s", h.screenText())
	}
	return c
}

// bianchi reads l.bianchi's account from the store.
func (h *harness) bianchi() pinsede.Operator {
	h.t.Helper()
	var op pinsede.Operator
	if err := h.store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator("l.bianchi"); return err }); err != nil {
		h.t.Fatal(err)
	}
	return op
}

// auditedBy counts the store's audit entries of action by actor.
func (h *harness) auditedBy(actor string, action pinsede.AuditAction) int {
	h.t.Helper()
	n := 0
	if err := h.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Actor == actor && e.Action == action {
			n++
		}
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// Ensure that a clerk changes their own password from the home whenever
// they want (only a reset or a new account asked for one, at the login):
// the current password, the new one twice, refused as the change at the
// login refuses, with its messages, the passwords typed kept but a wrong
// or missing current one, which is emptied and has the keyboard, as the
// login's; a wrong current password counts as a failed login (audited,
// towards the lock-out), an empty one for nothing. Done, the home and a
// dialog say so, the change is audited, the new password logs in and
// unlocks, the old one no longer, the session goes on, and nothing typed
// is left in the screen.
func TestOwnPasswordChange(t *testing.T) {
	h := asBianchi(t)
	changes := h.auditedBy("l.bianchi", pinsede.ActionPasswordChanged) // the first login's
	c := h.ownPassword()
	if f := h.win.Canvas().Focused(); f != c.old {
		t.Fatalf("the change opens with the keyboard on %T, want the current password", f)
	}
	refused := func(what, current, next, again, want string) {
		t.Helper()
		h.typeIn(c.old, current)
		h.typeIn(c.pw, next)
		h.typeIn(c.confirm, again)
		h.tap(c.submit)
		if got := c.msg.text(); got != want {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
		if h.app.current.View != c.screen.View || h.app.changePassword != c {
			t.Fatalf("%s: the change of password left:\n%s", what, h.screenText())
		}
		if c.pw.Text != next || c.confirm.Text != again {
			t.Errorf("%s: new %q, again %q; want them kept as typed", what, c.pw.Text, c.confirm.Text)
		}
	}
	refused("the two differ", "password-bianchi", "la-mia-password-2026", "la-mia-password-2027", lang.L("err.password.confirm"))
	refused("too short", "password-bianchi", "breve", "breve", passwordShort())
	refused("the same again", "password-bianchi", "password-bianchi", "password-bianchi", i18n.Message(pinsede.ErrSamePassword))
	if c.old.Text != "password-bianchi" {
		t.Errorf("the current password %q was not kept", c.old.Text)
	}
	refused("no current password", "", "la-mia-password-2026", "la-mia-password-2026", i18n.Message(pinsede.ErrNoPassword))
	if op := h.bianchi(); op.FailedLogins != 0 {
		t.Errorf("refusals that checked no password counted %d failures", op.FailedLogins)
	}
	refused("a wrong current password", "sbagliata-2026", "la-mia-password-2026", "la-mia-password-2026", i18n.Message(pinsede.ErrBadCredentials))
	if c.old.Text != "" || h.win.Canvas().Focused() != c.old {
		t.Errorf("after a wrong current password: it holds %q, the keyboard on %T; want it emptied, with the keyboard", c.old.Text, h.win.Canvas().Focused())
	}
	if op := h.bianchi(); op.FailedLogins != 1 || h.auditedBy("l.bianchi", pinsede.ActionLoginFailed) != 1 {
		t.Errorf("a wrong current password: %d failures, %d audited; want it counted and audited as a failed login", op.FailedLogins, h.auditedBy("l.bianchi", pinsede.ActionLoginFailed))
	}

	s := h.app.session
	h.typeIn(c.old, "password-bianchi")
	key(c.confirm, fyne.KeyReturn) // Enter in the confirmation submits, as at the login's change
	h.wait()
	if h.app.current.View != h.app.home.screen.View || h.app.changePassword != nil || h.app.session != s {
		t.Fatalf("after the change: not on the home of the same session: %q\n%s", c.msg.text(), h.screenText())
	}
	if len(h.app.dialogs) != 1 || !strings.Contains(h.screenText(), lang.L("password.own.done.title")) {
		t.Errorf("no dialog says the password changed:\n%s", h.screenText())
	}
	if c.old.Text != "" || c.pw.Text != "" || c.confirm.Text != "" {
		t.Errorf("after the change the screen holds %q, %q, %q", c.old.Text, c.pw.Text, c.confirm.Text)
	}
	if n := h.auditedBy("l.bianchi", pinsede.ActionPasswordChanged) - changes; n != 1 {
		t.Errorf("%d changes of password audited, want 1", n)
	}
	if op := h.bianchi(); op.FailedLogins != 0 || op.MustChangePassword {
		t.Errorf("after the change: %d failures, must change %v", op.FailedLogins, op.MustChangePassword)
	}
	if err := h.desk.SessionValid(s); err != nil {
		t.Errorf("the session ended with the change: %v", err)
	}
	if _, err := h.desk.Login("l.bianchi", "password-bianchi"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Errorf("the old password after the change: %v", err)
	}
	h.app.escape() // the dialog
	h.app.lockSession()
	test.Type(h.app.lock.password, "la-mia-password-2026")
	h.tap(h.app.lock.unlock)
	if h.app.lock.locked {
		t.Fatal("the new password does not unlock the session")
	}
	h.app.logout()
	h.logIn("l.bianchi", "la-mia-password-2026")
	if h.app.session == nil {
		t.Errorf("the new password does not log in: %q", h.app.login.msg.text())
	}
}

// Ensure that wrong current passwords lock the account out as failed
// logins do, MaxFailedLogins of them, with the login's one message
// (which tells a wrong password from a lock-out to nobody): then the
// right one is refused too, and the session goes on, as it does when a
// colleague's wrong logins lock the account meanwhile.
func TestOwnPasswordLockOut(t *testing.T) {
	h := asBianchi(t)
	c := h.ownPassword()
	try := func(current string) {
		t.Helper()
		h.typeIn(c.old, current)
		h.typeIn(c.pw, "la-mia-password-2026")
		h.typeIn(c.confirm, "la-mia-password-2026")
		h.tap(c.submit)
		if got, want := c.msg.text(), i18n.Message(pinsede.ErrBadCredentials); got != want {
			t.Fatalf("current password %q: %q, want %q", current, got, want)
		}
	}
	for range pinsede.MaxFailedLogins {
		try("sbagliata-2026")
	}
	if op := h.bianchi(); !op.Locked(h.desk.Now()) || h.auditedBy("l.bianchi", pinsede.ActionLoginFailed) != pinsede.MaxFailedLogins {
		t.Fatalf("%d wrong current passwords: locked %v, %d failed logins audited", pinsede.MaxFailedLogins, op.Locked(h.desk.Now()), h.auditedBy("l.bianchi", pinsede.ActionLoginFailed))
	}
	try("password-bianchi")
	if _, err := h.desk.Login("l.bianchi", "password-bianchi"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Errorf("the login of the account locked out: %v", err)
	}
	if err := h.desk.SessionValid(h.app.session); err != nil {
		t.Errorf("the lock-out ended the session: %v", err)
	}
}

// Ensure that the operator's own change of password leads back to the
// home by its Annulla, by Esc from its fields, and by the desk's keys
// (Ctrl+F), and that the screen left keeps no password typed, nor does
// it behind the lock, which gives it back, empty, at the unlock. The
// session and the account stay as they were.
func TestOwnPasswordBack(t *testing.T) {
	h := asBianchi(t)
	fill := func(c *changePasswordScreen) {
		h.typeIn(c.old, "password-bianchi")
		h.typeIn(c.pw, "la-mia-password-2026")
		h.typeIn(c.confirm, "la-mia-password-2026")
	}
	for _, leave := range []struct {
		name string
		do   func(c *changePasswordScreen)
	}{
		{"Annulla", func(c *changePasswordScreen) { h.tap(c.cancel) }},
		{"Esc", func(c *changePasswordScreen) { key(c.confirm, fyne.KeyEscape) }},
		{"Ctrl+F", func(c *changePasswordScreen) { h.heldShortcut(fyne.KeyF, 0) }},
	} {
		c := h.ownPassword()
		fill(c)
		leave.do(c)
		if h.app.current.View != h.app.home.screen.View || h.app.changePassword != nil || h.app.session == nil {
			t.Fatalf("%s: not back on the home of the session:\n%s", leave.name, h.screenText())
		}
		if c.old.Text != "" || c.pw.Text != "" || c.confirm.Text != "" {
			t.Errorf("%s: the screen left holds %q, %q, %q", leave.name, c.old.Text, c.pw.Text, c.confirm.Text)
		}
	}

	c := h.ownPassword()
	fill(c)
	h.idle = h.idle.Add(DefaultIdle)
	h.app.checkIdle()
	if !h.app.lock.locked || c.old.Text != "" || c.pw.Text != "" || c.confirm.Text != "" {
		t.Fatalf("left idle: locked %v, the screen behind holds %q, %q, %q", h.app.lock.locked, c.old.Text, c.pw.Text, c.confirm.Text)
	}
	test.Type(h.app.lock.password, "password-bianchi")
	h.tap(h.app.lock.unlock)
	if h.app.current.View != c.screen.View || h.app.changePassword != c {
		t.Fatalf("after the unlock: not back on the change of password:\n%s", h.screenText())
	}
	if _, err := h.desk.Login("l.bianchi", "password-bianchi"); err != nil {
		t.Errorf("the password after going back: %v", err)
	}
	h.app.logout()
	if h.app.changePassword != nil {
		t.Error("the change of password outlived its session")
	}
}

// Ensure that Cambia password is the home's last control in the Tab
// order, for a clerk and for a supervisor: the Tab after it reaches the
// header. The real-X walks of cmd/sportello count the Tabs to the home's
// other controls (in the middle of them it broke TestXInputSupervisor
// and TestXInputEveryKey).
func TestOwnPasswordLastOnTheHome(t *testing.T) {
	for _, who := range []string{"clerk", "supervisor"} {
		t.Run(who, func(t *testing.T) {
			var h *harness
			if who == "clerk" {
				h = asBianchi(t)
			} else {
				h = ready(t)
			}
			h.app.showHome()
			c := h.win.Canvas()
			c.Focus(h.app.home.cf)
			for tabs := 1; c.Focused() != fyne.Focusable(h.app.home.password); tabs++ {
				if tabs > 40 || c.Focused() == fyne.Focusable(h.app.header.help) {
					t.Fatalf("Cambia password not reached by Tab from the codice fiscale before the header")
				}
				c.FocusNext()
			}
			c.FocusNext()
			if f := c.Focused(); f != fyne.Focusable(h.app.header.help) {
				t.Errorf("the Tab after Cambia password reaches %T, want the header's Guida", f)
			}
		})
	}
}

// Ensure that the operator's own change of password renders as reviewed,
// on a card as the change at the login, and keeps its fields and buttons
// where they are whichever problem shows, in every language of the desk.
func TestOwnPasswordGolden(t *testing.T) {
	testclock.RealDayOnly(t, "the own change of password's screen")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := asBianchi(t, devPrinter)
		test.ApplyTheme(t, theme.New())
		c := h.ownPassword()
		if language == "it" {
			h.settle()
			assertScreen(t, h, "password-propria")
		}
		change := func(name, current, pw, again, want string) stayCase {
			return h.submitted(name, func() {
				h.typeIn(c.old, current)
				h.typeIn(c.pw, pw)
				h.typeIn(c.confirm, again)
			}, c.submit, c.msg, want)
		}
		h.assertStays(stays{msg: c.msg, keep: []fyne.CanvasObject{c.old, c.pw, c.confirm, c.cancel, c.submit}, above: 3, cases: []stayCase{
			shown(c.msg, "err.sessionended"),
			shown(c.msg, "login.failed"),
			change("no current password", "", "la-mia-password-2026", "la-mia-password-2026", i18n.Message(pinsede.ErrNoPassword)),
			change("the two differ", "password-bianchi", "la-mia-password-2026", "la-mia-password-2027", lang.L("err.password.confirm")),
			change("too short", "password-bianchi", "breve", "breve", passwordShort()),
			change("the same again", "password-bianchi", "password-bianchi", "password-bianchi", lang.L("err.samepassword")),
		}})
		if *shots != "" {
			h.win.Resize(fyne.NewSize(1280, 800))
			c.msg.set(msgError, i18n.Message(pinsede.ErrBadCredentials))
			writeShots(t, h, "password-propria-problema-"+language)
		}
	})
}
