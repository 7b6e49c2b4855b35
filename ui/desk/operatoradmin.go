package desk

import (
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

// changePasswordScreen asks an operator whose password a supervisor reset
// for a new one, before the session opens. It holds the session the
// change opens and the temporary password the change needs until the
// change is done, or the operator goes back to the login (Annulla, Esc)
// or leaves it idle (App.leaveChangePassword): then they are dropped.
type changePasswordScreen struct {
	pw, confirm    *entry
	submit, cancel *button
	msg            *message
	screen         screen
	session        *pinsede.Session
	current        string
}

// showChangePassword shows the change of password of session s, whose
// operator logged in with the temporary password current; the session
// opens once it is changed.
func (a *App) showChangePassword(s *pinsede.Session, current string) {
	c := &changePasswordScreen{pw: a.newPasswordEntry(), confirm: a.newPasswordEntry(), msg: newMessage(), session: s, current: current}
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
		a.background(func() func() {
			err := a.desk.ChangePassword(s, current, next)
			return func() {
				c.submit.Enable()
				c.cancel.Enable()
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
		})
	}
	c.submit = a.primaryButton(lang.L("password.change.submit"), fynetheme.ConfirmIcon(), submit)
	c.cancel = a.button(lang.L("password.change.cancel"), fynetheme.CancelIcon(), func() { a.leaveChangePassword("") })
	c.confirm.OnSubmitted = func(string) { submit() }
	c.pw.OnSubmitted = func(string) { a.win.Canvas().Focus(c.confirm) }
	// Its problems keep their room: the fields and the button stay where
	// they are when one shows.
	slot := c.msg.reserve(func() []string {
		return []string{
			lang.L("err.password.confirm"),
			passwordShort(),
			i18n.Message(pinsede.ErrSamePassword),
			i18n.Message(pinsede.ErrBadCredentials),
		}
	})
	// On a card, as the login before it: it showed bare on the page.
	body := section("",
		title(lang.L("password.change.title")),
		note(lang.L("password.change.intro")),
		newField(pinsede.FieldPassword, lang.L("password.change.new"), c.pw).object,
		newField(fieldPasswordConfirm, lang.L("field.password_conferma"), c.confirm).object,
		slot.object,
		container.NewHBox(c.cancel, layout.NewSpacer(), c.submit),
	)
	c.screen = screen{Title: lang.L("password.change.title"), View: a.page(stableCard(480, slot, body), false), Focus: c.pw}
	a.changePassword = c
	a.show(c.screen)
}

// forget empties the passwords typed in the change of password and drops
// the temporary password and the session it holds: the change is done,
// or left.
func (c *changePasswordScreen) forget() {
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
