package desk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that a supervisor re-enables a disabled operator and resets a
// forgotten password from the operators page, and that the operator, at
// the next login with the temporary password, must choose a new one before
// the session opens (issue 14, finding 11).
func TestOperatorsPageAdministration(t *testing.T) {
	h := ready(t)
	h.addBianchi()
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

// Ensure that the change of a password a supervisor reset keeps its
// fields and its button where they are, to the pixel, whichever problem
// shows (each it foresees, and those of real changes refused: the two
// passwords differ, too short, the temporary one again), in every
// language of the desk, at 1280×800 and at the window's smallest size;
// and so does the dialog of the reset, whose problems the supervisor
// sees.
func TestChangePasswordFieldsStay(t *testing.T) {
	testclock.RealDayOnly(t, "the change of password's fields in place")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := ready(t)
		test.ApplyTheme(t, theme.New())
		h.addBianchi()

		// The supervisor's dialog of the reset.
		h.app.showOperators()
		o := h.app.operators
		h.tap(o.reset["l.bianchi"])
		rd := o.resetDlg
		refused := func(name, pw, again, want string) stayCase {
			return h.refusedPassword(name, rd.pw, rd.again, rd.confirm, rd.msg, pw, again, want)
		}
		h.assertStays(stays{msg: rd.msg, keep: []fyne.CanvasObject{rd.pw, rd.again, rd.cancel, rd.confirm}, above: 2, cases: []stayCase{
			shown(rd.msg, "err.password.confirm"),
			{Name: "too short", Show: func() { rd.msg.set(msgError, passwordShort()) }},
			shown(rd.msg, "err.forbidden"),
			refused("the two differ", "temporanea-2026", "temporanea-2027", lang.L("err.password.confirm")),
			refused("too short", "breve", "breve", passwordShort()),
		}})
		if *shots != "" {
			rd.msg.set(msgError, passwordShort())
			writeShots(t, h, "reset-problema-"+language)
		}
		h.typeIn(rd.pw, "temporanea-2026")
		h.typeIn(rd.again, "temporanea-2026")
		h.tap(rd.confirm)

		// The operator's change, at the next login.
		h.app.logout()
		h.logIn("l.bianchi", "temporanea-2026")
		c := h.app.changePassword
		if c == nil || h.app.current.View != c.screen.View {
			t.Fatalf("no change of password after a reset:\n%s", h.screenText())
		}
		change := func(name, pw, again, want string) stayCase {
			return h.refusedPassword(name, c.pw, c.confirm, c.submit, c.msg, pw, again, want)
		}
		h.assertStays(stays{msg: c.msg, keep: []fyne.CanvasObject{c.pw, c.confirm, c.cancel, c.submit}, above: 2, cases: []stayCase{
			shown(c.msg, "err.password.confirm"),
			{Name: "too short", Show: func() { c.msg.set(msgError, passwordShort()) }},
			shown(c.msg, "err.samepassword"),
			shown(c.msg, "login.failed"),
			change("the two differ", "la-mia-password-2026", "la-mia-password-2027", lang.L("err.password.confirm")),
			change("too short", "breve", "breve", passwordShort()),
			change("the temporary one again", "temporanea-2026", "temporanea-2026", lang.L("err.samepassword")),
		}})
		if *shots != "" {
			h.win.Resize(fyne.NewSize(1280, 800))
			c.msg.set(msgError, lang.L("err.samepassword"))
			writeShots(t, h, "password-problema-"+language)
		}
	})
}

// refusedPassword is the case of a new password typed as pw and again in
// the entries of that name, refused at submit with want in msg.
func (h *harness) refusedPassword(name string, first, second *entry, submit *button, msg *message, pw, again, want string) stayCase {
	return h.submitted(name, func() {
		h.typeIn(first, pw)
		h.typeIn(second, again)
	}, submit, msg, want)
}

// Ensure that the keyboard stays on the row of the operator a supervisor
// acted on, keyboard only: the list's buttons are made anew, and it was
// left on the Disattiva gone from the screen, where Space asked again to
// disable the operator disabled (found by real keys on the operators).
// After Disattiva it is on Riattiva, after Riattiva on Disattiva, after a
// reset on Reimposta password.
func TestOperatorsKeyboardStaysOnTheRow(t *testing.T) {
	testclock.RealDayOnly(t, "the operators' page at the keyboard")
	h := ready(t)
	h.addBianchi()
	h.app.showOperators()
	o := h.app.operators
	focused := func(want *button, after string) {
		t.Helper()
		f := h.win.Canvas().Focused()
		if want != nil && f == fyne.Focusable(want) {
			return
		}
		on := fmt.Sprintf("%T", f)
		if b, ok := f.(*button); ok {
			on = fmt.Sprintf("%q, gone from the screen: %v", b.Text, !holds(h.app.operators.list, b))
		}
		t.Fatalf("after %s the keyboard is on %s; want the row's button", after, on)
	}
	pressSpaceOn(h, o.disable["l.bianchi"])
	pressSpaceOn(h, dialogButtonOf(h, "Sì"))
	focused(o.enable["l.bianchi"], "Disattiva")
	pressSpaceOn(h, o.enable["l.bianchi"])
	focused(o.disable["l.bianchi"], "Riattiva")
	pressSpaceOn(h, o.reset["l.bianchi"])
	rd := o.resetDlg
	test.Type(rd.pw, "temporanea-2026")
	test.Type(rd.again, "temporanea-2026")
	pressSpaceOn(h, rd.confirm)
	focused(o.reset["l.bianchi"], "the reset")
}

// addBianchi adds l.bianchi, an operator, with the password
// "password-bianchi", as the supervisor of the session.
func (h *harness) addBianchi() {
	h.t.Helper()
	h.addOperator("l.bianchi", "Luca Bianchi", pinsede.RoleOperatore, "password-bianchi")
}

// addOperator adds the operator id, of name, role and password, as the
// supervisor of the session does, and makes the new operator's first
// login, which changes the temporary password the supervisor gave to
// password (AddOperator sets MustChangePassword).
func (h *harness) addOperator(id, name string, role pinsede.Role, password string) {
	h.t.Helper()
	temporary := "temporanea-" + id
	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{ID: id, Name: name, Role: role, Password: temporary}); err != nil {
		h.t.Fatal(err)
	}
	s, err := h.desk.Login(id, temporary)
	if err != nil {
		h.t.Fatalf("first login of %s: %v", id, err)
	}
	if err := h.desk.ChangePassword(s, temporary, password); err != nil {
		h.t.Fatalf("first change of password of %s: %v", id, err)
	}
}

// Ensure that the change of a password a supervisor reset, left idle as
// long as a session locks, goes back to the login screen, which says
// why, with nothing of it left: whoever came to the desk next chose the
// operator's password and had the operator's session (it never locked,
// having no session yet). The temporary password still works; a change
// that ends once left idle sets the password and opens no session.
func TestChangePasswordIdle(t *testing.T) {
	h := ready(t)
	h.addBianchi()
	if err := h.desk.ResetPassword(h.app.session, "l.bianchi", "temporanea-2026"); err != nil {
		t.Fatal(err)
	}
	h.app.logout()
	h.logIn("l.bianchi", "temporanea-2026")
	c := h.app.changePassword
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("no change of password after the temporary one:\n%s", h.screenText())
	}
	h.typeIn(c.pw, "la-mia-password-2026")
	h.idle = h.idle.Add(DefaultIdle) // the operator stepped away
	h.app.checkIdle()
	if h.app.current.View != h.app.login.screen.View || h.app.changePassword != nil || h.app.session != nil {
		t.Fatalf("left idle, the change of password stays:\n%s", h.screenText())
	}
	const want = "Scelta della nuova password annullata per inattività: accedi di nuovo con la password temporanea."
	if got := h.app.login.msg.text(); got != want {
		t.Errorf("the login screen says %q, want %q", got, want)
	}
	if *shots != "" {
		writeShots(t, h, "login-cambio-password-inattivo")
	}
	if h.app.login.id.Text != "" || h.win.Canvas().Focused() != h.app.login.id {
		t.Errorf("the login screen keeps the id %q, the keyboard on %T", h.app.login.id.Text, h.win.Canvas().Focused())
	}
	h.logIn("l.bianchi", "temporanea-2026")
	c = h.app.changePassword
	if c == nil || h.app.current.View != c.screen.View || c.pw.Text != "" {
		t.Fatalf("the temporary password again: no empty change of password:\n%s", h.screenText())
	}

	// A change that ends once left idle (its hash slower than the idle
	// time) opens no session on the login screen.
	h.typeIn(c.pw, "la-mia-password-2026")
	h.typeIn(c.confirm, "la-mia-password-2026")
	test.Tap(c.submit)
	h.idle = h.idle.Add(DefaultIdle)
	h.app.checkIdle()
	h.wait()
	if h.app.session != nil || h.app.current.View != h.app.login.screen.View {
		t.Fatalf("a change that ended after the idle time opened a session:\n%s", h.screenText())
	}
	if _, err := h.desk.Login("l.bianchi", "la-mia-password-2026"); err != nil {
		t.Errorf("the new password chosen does not work: %v", err)
	}
}

// changePasswordOf brings a desk ready as the supervisor to the change of
// password of l.bianchi, whose password the supervisor reset to
// "temporanea-2026", with "typed-once" and "typed-twice" typed in its
// fields.
func (h *harness) changePasswordOf() *changePasswordScreen {
	h.t.Helper()
	h.addBianchi()
	if err := h.desk.ResetPassword(h.app.session, "l.bianchi", "temporanea-2026"); err != nil {
		h.t.Fatal(err)
	}
	h.app.logout()
	h.logIn("l.bianchi", "temporanea-2026")
	c := h.app.changePassword
	if c == nil || h.app.current.View != c.screen.View {
		h.t.Fatalf("no change of password after a reset:\n%s", h.screenText())
	}
	h.typeIn(c.pw, "typed-once")
	h.typeIn(c.confirm, "typed-twice")
	return c
}

// assertBackToLogin checks that the change of password c went back to
// the login, empty, with want in its message, and dropped what it held;
// and that l.bianchi must still change the temporary password.
func (h *harness) assertBackToLogin(c *changePasswordScreen, want string) {
	h.t.Helper()
	l := h.app.login
	if h.app.current.View != l.screen.View || h.app.session != nil || h.app.changePassword != nil {
		h.t.Fatalf("not back on the login, no session:\n%s", h.screenText())
	}
	if l.id.Text != "" || l.password.Text != "" || h.win.Canvas().Focused() != l.id {
		h.t.Errorf("login: id %q, password %q, keyboard in the id %v; want empty, empty, true", l.id.Text, l.password.Text, h.win.Canvas().Focused() == l.id)
	}
	if got := l.msg.text(); got != want {
		h.t.Errorf("login's message %q, want %q", got, want)
	}
	if c.pw.Text != "" || c.confirm.Text != "" || c.current != "" || c.session != nil {
		h.t.Errorf("the change of password still holds new %q, confirmation %q, temporary %q, session %v", c.pw.Text, c.confirm.Text, c.current, c.session)
	}
	s, err := h.desk.Login("l.bianchi", "temporanea-2026")
	if err != nil || !s.Operator.MustChangePassword {
		h.t.Errorf("l.bianchi after going back: %v; want the temporary password, still to change", err)
	}
}

// Ensure that the change of a password a supervisor reset leads back to
// the login, by its Annulla and by Esc from its fields, empty, the
// passwords typed and the temporary one dropped, the account still to
// change at the next login (found by the every-key walk: only the change
// or a restart of the desk left it).
func TestChangePasswordBack(t *testing.T) {
	h := ready(t)
	c := h.changePasswordOf()
	h.tap(c.cancel)
	h.assertBackToLogin(c, "")

	h.logIn("l.bianchi", "temporanea-2026")
	c = h.app.changePassword
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("no change of password at the login after Annulla:\n%s", h.screenText())
	}
	h.typeIn(c.pw, "typed-once")
	c.pw.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.assertBackToLogin(c, "")
}

// Ensure that the change of a password a supervisor reset, left idle,
// goes back to the login not a moment before the idle time that locks a
// session, and empties what was typed in it and drops the temporary
// password it held (they stayed in the screen left behind).
func TestChangePasswordIdleForgets(t *testing.T) {
	h := ready(t)
	c := h.changePasswordOf()
	h.idle = h.idle.Add(h.cfg.Idle - time.Second)
	h.app.checkIdle()
	if h.app.changePassword != c || h.app.current.View != c.screen.View || c.pw.Text != "typed-once" {
		t.Fatalf("left before the idle time:\n%s", h.screenText())
	}
	h.idle = h.idle.Add(time.Second)
	h.app.checkIdle()
	h.assertBackToLogin(c, lang.L("password.change.idle"))
	if h.app.lock.locked {
		t.Error("the lock screen shows, with no session")
	}
}

// Ensure that a change of password done leaves no password in the screen
// it was typed in, nor the temporary one: as the login empties its own.
func TestChangePasswordForgets(t *testing.T) {
	h := ready(t)
	c := h.changePasswordOf()
	h.typeIn(c.pw, "la-mia-password-2026")
	h.typeIn(c.confirm, "la-mia-password-2026")
	h.tap(c.submit)
	if h.app.session == nil || h.app.current.View != h.app.home.screen.View {
		t.Fatalf("after the change: not on the home screen: %q", c.msg.text())
	}
	if c.pw.Text != "" || c.confirm.Text != "" || c.current != "" || c.session != nil || h.app.changePassword != nil {
		t.Errorf("after the change, held: new %q, confirmation %q, temporary %q, session %v, screen %v",
			c.pw.Text, c.confirm.Text, c.current, c.session, h.app.changePassword != nil)
	}
	// Esc, on the session now open, leaves it as it is.
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.app.session == nil || h.app.current.View != h.app.home.screen.View {
		t.Fatalf("Esc on the home screen after the change left it:\n%s", h.screenText())
	}
}

// Ensure that the messages of the change of password, and the login's
// after it was left idle, end with a full stop as the desk's others do,
// in every language of the desk (err.samepassword had none).
func TestChangePasswordMessagesStop(t *testing.T) {
	inEachLanguage(t, func(t *testing.T, _ string) {
		for _, m := range []string{
			lang.L("err.password.confirm"), passwordShort(), i18n.Message(pinsede.ErrSamePassword),
			i18n.Message(pinsede.ErrBadCredentials), lang.L("password.change.idle"),
		} {
			if !strings.HasSuffix(m, ".") {
				t.Errorf("%q: no full stop", m)
			}
		}
	})
}

// Ensure that the operators' screen opens with the keyboard on its first
// control that changes no account at a key: the new operator's
// identifier while no other operator is listed, else the first listed
// operator's Disattiva (which asks first), or Reimposta password (its
// dialog) when that operator is disabled, never Riattiva, which acts at
// once. After an add by the keyboard it is back in the identifier,
// emptied for the next one; after an add refused, in the first field at
// fault; after Sblocca, on the row's first button. (The screen opened
// with nothing focused: a keyboard-only supervisor pressed Tab first.)
func TestOperatorsOpenWithTheKeyboard(t *testing.T) {
	testclock.RealDayOnly(t, "the operators' page opened at the keyboard")
	h := ready(t)
	h.tap(h.app.header.ops)
	o := h.app.operators
	cv := h.win.Canvas()
	focused := func(want fyne.Focusable, after string) {
		t.Helper()
		if f := cv.Focused(); f != want {
			on := fmt.Sprintf("%T", f)
			if b, ok := f.(*button); ok {
				on = fmt.Sprintf("%q", b.Text)
			}
			t.Fatalf("%s the keyboard is on %s", after, on)
		}
	}
	focused(o.id, "opening the operators, none but the supervisor,")

	// An add refused: the keyboard in the field at fault.
	test.Type(o.id, "l.bianchi")
	cv.Focus(o.pwConfirm)
	test.Type(o.pwConfirm, "password-bianchi")
	key(o.pwConfirm, fyne.KeyReturn)
	h.wait()
	focused(o.name, "after an add refused for its missing name")
	// Added by the keyboard: the identifier again, emptied.
	test.Type(o.name, "Luca Bianchi")
	cv.Focus(o.pw)
	test.Type(o.pw, "password-bianchi")
	key(o.pw, fyne.KeyReturn)
	h.wait()
	if o.disable["l.bianchi"] == nil {
		t.Fatalf("l.bianchi not added: %q", o.msg.text())
	}
	focused(o.id, "after the add")

	h.tap(h.app.header.home)
	h.tap(h.app.header.ops)
	focused(o.disable["l.bianchi"], "opening the operators with l.bianchi listed")
	if *shots != "" {
		writeShots(t, h, "operatori-tastiera")
	}
	pressSpaceOn(h, o.disable["l.bianchi"])
	if n := len(cv.Overlays().List()); n != 1 || !strings.Contains(h.screenText(), "Disattivare") {
		t.Fatalf("Space on the first control: %d dialogs, want the question:\n%s", n, h.screenText())
	}
	pressSpaceOn(h, dialogButtonOf(h, "Sì"))

	h.tap(h.app.header.home)
	h.tap(h.app.header.ops)
	focused(o.reset["l.bianchi"], "opening the operators with l.bianchi disabled")
	pressSpaceOn(h, o.enable["l.bianchi"])

	if _, err := h.desk.Login("l.bianchi", "sbagliata-per-prova"); err == nil {
		t.Fatal("a wrong password logged in")
	}
	h.tap(h.app.header.home)
	h.tap(h.app.header.ops)
	pressSpaceOn(h, o.unlock["l.bianchi"])
	if o.unlock["l.bianchi"] != nil {
		t.Fatalf("Sblocca lifted nothing: %q", o.listMsg.text())
	}
	focused(o.disable["l.bianchi"], "after Sblocca")
}

// Ensure that an add that ends behind the lock (Ctrl+L pressed as it
// ran) leaves the keyboard in the lock's password, and gives it to the
// new operator's identifier at the unlock.
func TestOperatorsAddBehindTheLock(t *testing.T) {
	h := ready(t)
	h.tap(h.app.header.ops)
	o := h.app.operators
	test.Type(o.id, "l.bianchi")
	test.Type(o.name, "Luca Bianchi")
	test.Type(o.pw, "password-bianchi")
	test.Type(o.pwConfirm, "password-bianchi")
	test.Tap(o.add)     // the add runs...
	h.app.lockSession() // ...and the supervisor locks the desk
	h.wait()
	cv := h.win.Canvas()
	if o.disable["l.bianchi"] == nil || cv.Focused() != h.app.lock.password {
		t.Fatalf("the add ended behind the lock: added %v, keyboard on %T; want added, the lock's password", o.disable["l.bianchi"] != nil, cv.Focused())
	}
	test.Type(h.app.lock.password, "password-di-prova")
	h.tap(h.app.lock.unlock)
	if cv.Focused() != o.id {
		t.Errorf("after the unlock the keyboard is on %T, want the new operator's identifier", cv.Focused())
	}
}
