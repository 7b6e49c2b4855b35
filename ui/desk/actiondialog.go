package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// actionDialog is the frame of the dialogs that confirm an action on a
// citizen's record (revocation, replacement of a slip, policy override,
// revocation of a delegation): below the dialog's own fields, the message
// line, the activity shown while the domain works, "Annulla" and the
// confirming button, in a card 560 wide.
type actionDialog struct {
	confirm, cancel *button
	progress        *widget.Activity
	msg             *message
	dialog          *dialog.CustomDialog
	// about is the codice fiscale of the citizen the action is about, ""
	// for none: the note the dialog leaves its clerk names it (open).
	about string
}

// newActionDialog makes the frame around its confirming button, labelled
// confirm with icon, which runs do, with a cancel button labelled cancel
// that closes the dialog: both the desk's buttons, which pass Esc on.
func (a *App) newActionDialog(confirm string, icon fyne.Resource, do func(), cancel string) *actionDialog {
	d := &actionDialog{progress: widget.NewActivity(), msg: newMessage()}
	d.progress.Hide()
	d.confirm = a.button(confirm, icon, do)
	d.confirm.Importance = widget.HighImportance
	d.cancel = a.button(cancel, fynetheme.CancelIcon(), func() { d.dialog.Hide() })
	return d
}

// open shows the dialog titled title with items above the frame's message
// and buttons, and gives focus the keyboard. The message keeps the room
// of the tallest of foreseen, the problems the dialog may show: the
// dialog, centred on the window, keeps its size, and its fields and
// buttons their places, when one shows.
func (d *actionDialog) open(a *App, title string, focus fyne.Focusable, foreseen []string, items ...fyne.CanvasObject) {
	slot := d.msg.reserve(func() []string { return foreseen })
	items = append(items, slot.object, container.NewHBox(layout.NewSpacer(), d.progress, d.cancel, d.confirm))
	d.dialog = dialog.NewCustomWithoutButtons(title, stableCard(560, slot, container.NewVBox(items...)), a.win)
	a.cancelWith(d.dialog, d.cancel)
	// Closed by a colleague's Esci on the lock screen, it tells its clerk
	// at the next login that its action ran on unseen, or failed.
	a.tellIfLeft(d.dialog, func() string {
		what := title
		if d.about != "" {
			what += " – " + d.about
		}
		switch {
		case d.progress.Visible():
			return lang.L("lock.left.busy", map[string]any{"Title": what})
		case d.msg.text() != "": // a problem: the action was not done
			return lang.L("lock.left.failed", map[string]any{"Title": what, "Message": d.msg.text()})
		}
		return "" // nothing asked yet: work left, as the lock screen says
	})
	a.showDialogFocus(d.dialog, focus)
}

// setBusy shows the activity and disables the buttons while the domain
// works, and undoes it.
func (d *actionDialog) setBusy(busy bool) { setBusy(busy, d.progress, d.confirm, d.cancel) }

// newReasonEntry is the three-line entry in which the clerk writes the
// reason of an action. The reason is kept on one line
// (pinsede.FoldLines): its hint, under placeholder, says that a Return
// typed in it is a space.
func (a *App) newReasonEntry(placeholder string) *entry {
	e := a.newEntry(placeholder + "\n" + lang.L("reason.oneline"))
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	return e
}
