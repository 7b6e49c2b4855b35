package desk

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// digitalIdentityDialog records that the citizen of the request in
// progress will use SPID, CIE or CNS instead of a PIN: the clerk picks
// which, and confirms. No PIN is issued; the request ends and the desk goes
// back home with a confirmation.
type digitalIdentityDialog struct {
	v       *verifyScreen
	choice  *choice
	confirm *button
	cancel  *button
	msg     *message
	dialog  *dialog.CustomDialog
	// done is the confirmation shown on the home screen once recorded.
	done dialog.Dialog
}

// newDigitalIdentityButton is the verification screen's button that opens
// the dialog.
func (v *verifyScreen) newDigitalIdentityButton() *button {
	return v.a.button(lang.L("digital.button"), fynetheme.AccountIcon(), v.showDigitalIdentity)
}

// showDigitalIdentity opens the dialog.
func (v *verifyScreen) showDigitalIdentity() {
	a := v.a
	d := &digitalIdentityDialog{v: v, msg: newMessage()}
	d.choice = a.newChoice(pinsede.Alternatives(), true, func(string) { a.touch() })
	d.confirm = a.button(lang.L("digital.confirm"), fynetheme.ConfirmIcon(), d.doRecord)
	d.confirm.Importance = widget.HighImportance
	d.cancel = a.button(lang.L("digital.cancel"), fynetheme.CancelIcon(), func() { d.dialog.Hide() })
	// No choice made keeps its room: the dialog and its buttons do not
	// move when it shows.
	slot := d.msg.reserve(func() []string { return []string{lang.L("digital.err.choose")} })
	body := container.NewVBox(
		note(lang.L("digital.intro")),
		d.choice.object,
		slot.object,
		container.NewHBox(layout.NewSpacer(), d.cancel, d.confirm),
	)
	d.dialog = dialog.NewCustomWithoutButtons(lang.L("digital.title"), stableCard(520, slot, body), a.win)
	v.digitalDialog = d
	a.showDialog(d.dialog)
}

// doRecord records the choice, then drops the request and goes home with a
// confirmation.
func (d *digitalIdentityDialog) doRecord() {
	a := d.v.a
	if a.session == nil || a.request == nil {
		return
	}
	choice := d.choice.Selected
	if choice == "" {
		d.msg.set(msgError, lang.L("digital.err.choose"))
		return
	}
	req := a.request.request()
	if err := a.desk.RecordDigitalIdentityChoice(a.session, req, choice); err != nil {
		d.msg.set(msgError, i18n.Message(err))
		return
	}
	d.dialog.Hide()
	a.request, a.verify = nil, nil
	a.dropDraft()
	a.showHome()
	d.done = a.newInformation(lang.L("digital.done.title"),
		lang.L("digital.done", map[string]any{"Name": req.FullName(), "Choice": choice}))
	a.showDialog(d.done)
}
