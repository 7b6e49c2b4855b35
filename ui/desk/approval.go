package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
)

// approvalFields is the second login of dual control: a supervisor's id and
// password typed on the same screen, for a slip replacement, a policy
// override or the revocation of another operator's PIN. The domain checks
// them; the screen only collects them.
type approvalFields struct {
	supID *entry
	supPW *entry
}

// newApprovalFields makes the fields; Enter in the password runs submit.
func (a *App) newApprovalFields(submit func()) *approvalFields {
	f := &approvalFields{supID: a.newEntry(""), supPW: a.newPasswordEntry()}
	f.supPW.OnSubmitted = func(string) { submit() }
	return f
}

// object lays the heading, the note and the two fields out.
func (f *approvalFields) object(note fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(
		heading(lang.L("replace.approval")),
		note,
		container.NewGridWithColumns(2,
			newField("supervisor_id", lang.L("field.operatore_id"), f.supID).object,
			newField("supervisor_password", lang.L("field.password"), f.supPW).object),
	)
}

// take returns the approval typed and clears the password from the screen.
func (f *approvalFields) take() pinsede.Approval {
	ap := pinsede.Approval{SupervisorID: f.supID.Text, Password: f.supPW.Text}
	f.supPW.SetText("")
	return ap
}
