package desk

import (
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// fieldPasswordCurrent is the current password the change of one's own
// asks first.
const fieldPasswordCurrent = "password_attuale"

// ownPasswordDialog changes the password of the operator logged in, at
// their wish (the home page's Cambia password): the current one, then
// the new one twice (pinsede.Desk.ChangePassword, whose wrong current
// password counts as a failed login). A dialog, so that the session's
// lock empties what was typed in it, as in every dialog.
type ownPasswordDialog struct {
	*actionDialog
	current, pw, again *entry
}

// showOwnPassword opens the change of the session's own password.
func (h *homeScreen) showOwnPassword() {
	a := h.a
	if a.session == nil {
		return
	}
	d := &ownPasswordDialog{current: a.newPasswordEntry(), pw: a.newPasswordEntry(), again: a.newPasswordEntry()}
	h.ownPassword = d
	submit := func() {
		if d.confirm.Disabled() {
			return
		}
		if es := checkConfirm(d.pw.Text, d.again.Text); len(es) > 0 {
			d.msg.set(msgError, i18n.Field(es[0]))
			return
		}
		d.setBusy(true)
		s, current, next := a.session, d.current.Text, d.pw.Text
		a.background(func() func() {
			err := a.desk.ChangePassword(s, current, next)
			return func() {
				d.setBusy(false)
				if err != nil {
					d.current.SetText("")
					d.msg.set(msgError, i18n.Message(err))
					a.win.Canvas().Focus(d.current)
					return
				}
				d.dialog.Hide()
				h.accountMsg.set(msgInfo, lang.L("password.own.done"))
			}
		})
	}
	d.current.OnSubmitted = func(string) { a.win.Canvas().Focus(d.pw) }
	d.pw.OnSubmitted = func(string) { a.win.Canvas().Focus(d.again) }
	d.again.OnSubmitted = func(string) { submit() }
	d.actionDialog = a.newActionDialog(lang.L("password.own.submit"), fynetheme.ConfirmIcon(), submit, lang.L("mv35.cancel")) // "Annulla"
	h.accountMsg.set(msgInfo, "")
	d.open(a, lang.L("password.own.title"), d.current, []string{
		lang.L("err.password.confirm"), passwordShort(), i18n.Message(pinsede.ErrSamePassword),
		i18n.Message(pinsede.ErrBadCredentials), i18n.Message(pinsede.ErrNoPassword),
	},
		note(lang.L("password.own.intro")),
		newField(fieldPasswordCurrent, lang.L("password.own.current"), d.current).object,
		newField(pinsede.FieldPassword, lang.L("password.change.new"), d.pw).object,
		newField(fieldPasswordConfirm, lang.L("field.password_conferma"), d.again).object,
	)
}
