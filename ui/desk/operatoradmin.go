package desk

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// adminButtons returns the line under an operator's row with what a
// supervisor may do to the account beside disabling it: enable it again,
// lift a lock-out, give a temporary password. Nil for the supervisor's own
// account, which they manage by logging in.
func (o *operatorsScreen) adminButtons(op pinsede.Operator, now time.Time) fyne.CanvasObject {
	a := o.a
	if op.ID == a.session.Operator.ID {
		return nil
	}
	id := op.ID
	line := container.NewHBox(layout.NewSpacer())
	if op.Disabled {
		b := a.button(lang.L("operators.enable"), fynetheme.ConfirmIcon(), func() { o.doAdmin(id, "operators.enabled.done", a.desk.EnableOperator) })
		o.enable[id] = b
		line.Add(b)
	}
	if op.Locked(now) || op.FailedLogins > 0 {
		b := a.button(lang.L("operators.unlock"), fynetheme.VisibilityIcon(), func() { o.doAdmin(id, "operators.unlocked.done", a.desk.UnlockOperator) })
		o.unlock[id] = b
		line.Add(b)
	}
	b := a.button(lang.L("operators.reset"), fynetheme.ViewRefreshIcon(), func() { o.showReset(id) })
	o.reset[id] = b
	line.Add(b)
	return line
}

// doAdmin runs one of the supervisor's actions on the account id and lists
// the accounts again with the outcome, done the message key of success.
func (o *operatorsScreen) doAdmin(id, done string, do func(*pinsede.Session, string) error) {
	if err := do(o.a.session, id); err != nil {
		o.listMsg.set(msgError, i18n.Message(err))
		return
	}
	o.reload(lang.L(done, map[string]any{"ID": id}))
}

// resetDialog gives an operator a temporary password, typed twice, which
// they change at their next login.
type resetDialog struct {
	*actionDialog
	pw, again *entry
}

// showReset opens the dialog of the password reset of the account id.
func (o *operatorsScreen) showReset(id string) {
	a := o.a
	d := &resetDialog{pw: a.newPasswordEntry(), again: a.newPasswordEntry()}
	o.resetDlg = d
	submit := func() {
		if es := checkConfirm(d.pw.Text, d.again.Text); len(es) > 0 {
			d.msg.set(msgError, i18n.Field(es[0]))
			return
		}
		d.setBusy(true)
		s, pw := a.session, d.pw.Text
		a.background(func() func() {
			err := a.desk.ResetPassword(s, id, pw)
			return func() {
				d.setBusy(false)
				if err != nil {
					d.msg.set(msgError, i18n.Message(err))
					return
				}
				d.dialog.Hide()
				o.reload(lang.L("operators.reset.done", map[string]any{"ID": id}))
			}
		})
	}
	d.again.OnSubmitted = func(string) { submit() }
	d.actionDialog = a.newActionDialog(lang.L("operators.reset.confirm"), fynetheme.ConfirmIcon(), submit, lang.L("mv35.cancel")) // "Annulla"
	d.open(a, lang.L("operators.reset.title", map[string]any{"ID": id}), d.pw, []string{
		lang.L("err.password.confirm"), passwordShort(), i18n.Message(pinsede.ErrForbidden),
	},
		note(lang.L("operators.reset.intro")),
		newField(pinsede.FieldPassword, lang.L("operators.reset.password"), d.pw).object,
		newField(fieldPasswordConfirm, lang.L("field.password_conferma"), d.again).object,
	)
}

// changePasswordScreen asks an operator for a new password, typed twice.
// At the login, for a password a supervisor reset (or gave a new
// account), before the session opens: it holds the session the change
// opens and the temporary password the change needs until the change is
// done, or the operator goes back to the login (Annulla, Esc) or leaves
// it idle (App.leaveChangePassword): then they are dropped. Or, from the
// home (Cambia password), whenever the operator of the session wants
// (own): the current password is typed in old, and Annulla and Esc go
// back to the home.
type changePasswordScreen struct {
	old            *entry // the current password; nil at the login
	pw, confirm    *entry
	submit, cancel *button
	msg            *message
	screen         screen
	session        *pinsede.Session
	current        string
	own            bool
}

// showChangePassword shows the change of password of session s, whose
// operator logged in with the temporary password current; the session
// opens once it is changed.
func (a *App) showChangePassword(s *pinsede.Session, current string) {
	a.changePassword = a.newChangePassword(s, current)
	a.show(a.changePassword.screen)
}

// showOwnPassword shows the change of the password of the session's
// operator, asked for at the home: a new screen each time, empty.
func (a *App) showOwnPassword() {
	if a.session == nil {
		return
	}
	a.changePassword = a.newChangePassword(a.session, "")
	a.show(a.changePassword.screen)
}

// newChangePassword returns the change of password of session s: the
// one a temporary password current opens at the login, or, current
// empty, the operator's own (changePasswordScreen.own). It refuses what
// the domain refuses, with the same messages; a wrong current password
// counts towards the account's lock-out as a failed login does
// (pinsede.Desk.ChangePassword).
func (a *App) newChangePassword(s *pinsede.Session, current string) *changePasswordScreen {
	c := &changePasswordScreen{pw: a.newPasswordEntry(), confirm: a.newPasswordEntry(), msg: newMessage(), session: s, current: current, own: current == ""}
	key := "password.change."
	if c.own {
		key = "password.own."
		c.old = a.newPasswordEntry()
		c.old.OnSubmitted = func(string) { a.win.Canvas().Focus(c.pw) }
	}
	submit := func() {
		if c.submit.Disabled() {
			return
		}
		if es := checkConfirm(c.pw.Text, c.confirm.Text); len(es) > 0 {
			c.msg.set(msgError, i18n.Field(es[0]))
			return
		}
		c.submit.Disable()
		c.cancel.Disable()
		s, current, next := c.session, c.current, c.pw.Text
		if c.own {
			current = c.old.Text
		}
		a.background(func() func() {
			err := a.desk.ChangePassword(s, current, next)
			return func() {
				c.submit.Enable()
				c.cancel.Enable()
				if c.own {
					a.ownPasswordChanged(c, s, err)
				} else {
					a.resetPasswordChanged(c, s, err)
				}
			}
		})
	}
	c.submit = a.primaryButton(lang.L(key+"submit"), fynetheme.ConfirmIcon(), submit)
	c.cancel = a.button(lang.L("password.change.cancel"), fynetheme.CancelIcon(), c.leave(a))
	c.confirm.OnSubmitted = func(string) { submit() }
	c.pw.OnSubmitted = func(string) { a.win.Canvas().Focus(c.confirm) }
	// Its problems keep their room: the fields and the button stay where
	// they are when one shows.
	slot := c.msg.reserve(func() []string {
		foreseen := []string{
			lang.L("err.password.confirm"),
			passwordShort(),
			i18n.Message(pinsede.ErrSamePassword),
			i18n.Message(pinsede.ErrBadCredentials),
		}
		if c.own {
			foreseen = append(foreseen, i18n.Message(pinsede.ErrNoPassword), i18n.Message(pinsede.ErrSessionEnded))
		}
		return foreseen
	})
	fields := []fyne.CanvasObject{title(lang.L(key + "title")), note(lang.L(key + "intro"))}
	focus := c.pw
	if c.own {
		fields = append(fields, newField(fieldPasswordCurrent, lang.L("password.own.current"), c.old).object)
		focus = c.old
	}
	fields = append(fields,
		newField(pinsede.FieldPassword, lang.L("password.change.new"), c.pw).object,
		newField(fieldPasswordConfirm, lang.L("field.password_conferma"), c.confirm).object,
		slot.object,
		container.NewHBox(c.cancel, layout.NewSpacer(), c.submit),
	)
	// On a card, as the login before it: it showed bare on the page.
	body := section("", fields...)
	c.screen = screen{Title: lang.L(key + "title"), View: a.page(stableCard(480, slot, body), false), Focus: focus}
	return c
}

// leave returns what Annulla and Esc do on the change c: back to the
// login, or, for the operator's own, to the home.
func (c *changePasswordScreen) leave(a *App) func() {
	if c.own {
		return a.showHome // show drops the change (App.leftOwnPassword)
	}
	return func() { a.leaveChangePassword("") }
}

// resetPasswordChanged shows the outcome err of the change c of a
// temporary password, asked for the session s: the session opens, or
// the change says why not.
func (a *App) resetPasswordChanged(c *changePasswordScreen, s *pinsede.Session, err error) {
	if a.changePassword != c {
		return // left idle meanwhile: the new password is set, the session not opened
	}
	if err != nil {
		c.msg.set(msgError, i18n.Message(err))
		return
	}
	c.forget()
	a.changePassword = nil
	a.session = s
	a.touch()
	a.showHome()
	a.showLeft()
	a.offerDraft()
}

// ownPasswordChanged shows the outcome err of the operator's own change
// c, asked in the session s: done, the home, and a dialog that says so,
// even when the operator went elsewhere meanwhile; refused, the reason,
// the current password emptied when it was wrong or missing, with the
// keyboard, as the login does. Nothing once the session ended.
func (a *App) ownPasswordChanged(c *changePasswordScreen, s *pinsede.Session, err error) {
	shown := a.changePassword == c
	switch {
	case a.session != s:
	case err == nil:
		if shown {
			a.showHome()
		}
		a.showDialog(a.newInformation(lang.L("password.own.done.title"), lang.L("password.own.done")))
	case !shown: // left meanwhile: nothing changed, nothing to tell
	case errors.Is(err, pinsede.ErrBadCredentials), errors.Is(err, pinsede.ErrNoPassword):
		c.old.SetText("")
		c.msg.set(msgError, i18n.Message(err))
		a.win.Canvas().Focus(c.old)
	default:
		c.msg.set(msgError, i18n.Message(err))
	}
}

// leftOwnPassword drops the operator's own change of password, and what
// was typed in it, when the screen s replaces it (App.show): Annulla,
// Esc, the header, a shortcut, the end of the session.
func (a *App) leftOwnPassword(s screen) {
	if c := a.changePassword; c != nil && c.own && s.View != c.screen.View {
		c.forget()
		a.changePassword = nil
	}
}

// forget empties the passwords typed in the change of password and drops
// the temporary password and the session it holds: the change is done,
// or left.
func (c *changePasswordScreen) forget() {
	if c.old != nil {
		c.old.SetText("")
	}
	c.pw.SetText("")
	c.confirm.SetText("")
	c.session, c.current = nil, ""
}

// leaveChangePassword goes back from the change of password to the
// login, empty, with why in its message ("" for none): Annulla and Esc,
// and the idle timer, whose why says so (whoever came to the desk next
// would choose the operator's password, and have the operator's
// session). What the change held is dropped (changePasswordScreen.forget);
// the account stays as it was, the temporary password still to change.
// A change under way when the idle time ends sets the password and opens
// no session.
func (a *App) leaveChangePassword(why string) {
	if c := a.changePassword; c != nil {
		c.forget()
	}
	a.changePassword = nil
	a.showLogin()
	a.login.id.SetText("") // whoever comes next types their own
	a.login.msg.set(msgInfo, why)
}

// passwordShort is the problem of a new password too short.
func passwordShort() string {
	return i18n.Field(pinsede.FieldError{Field: pinsede.FieldPassword, Key: pinsede.KeyPasswordShort, Args: map[string]any{"Min": pinsede.MinPasswordLength}})
}
