package desk

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// revokeDialog revokes an active credential at the citizen's request: the
// reason, the clerk's confirmation that the citizen's document was checked
// and, when another operator issued the credential, a supervisor's id and
// password (dual control). On success the citizen's page opens again,
// showing the credential revoked.
type revokeDialog struct {
	a       *App
	citizen pinsede.Citizen
	cred    pinsede.Credential
	// approval is whether the revocation needs a supervisor's approval:
	// the credential was issued by another operator.
	approval bool

	reason          *entry
	reasonF         *field
	checked         *check
	*approvalFields // nil when no approval is needed
	*actionDialog
}

// showRevoke opens the revocation dialog for credential cred of the
// citizen on the page.
func (c *citizenScreen) showRevoke(cred pinsede.Credential) {
	a := c.a
	d := &revokeDialog{a: a, citizen: c.page.Citizen, cred: cred, approval: cred.IssuedBy != a.session.Actor()}
	d.reason = a.newReasonEntry(lang.L("revoke.reason.placeholder"))
	d.reasonF = newField(pinsede.FieldRevokeReason, lang.L("revoke.reason"), d.reason).keepProblemRoom(revokeReasonProblems)
	d.checked = a.newCheck(lang.L("revoke.checked"), func(bool) { a.touch() })
	d.actionDialog = a.newActionDialog(lang.L("revoke.confirm"), fynetheme.DeleteIcon(), d.doRevoke, lang.L("revoke.cancel"))
	d.about = string(cred.CodiceFiscale)
	d.confirm.Importance = widget.DangerImportance
	items := []fyne.CanvasObject{
		note(lang.L("revoke.intro", map[string]any{"Serial": cred.SlipSerial})),
		d.reasonF.object,
		d.checked,
	}
	if d.approval {
		d.approvalFields = a.newApprovalFields(d.doRevoke)
		items = append(items, d.approvalFields.object(
			note(lang.L("revoke.approval.note", map[string]any{"Operator": cred.IssuedBy}))))
	}
	c.revoke = d
	d.open(a, lang.L("revoke.title"), d.reason, []string{
		lang.L("revoke.err.notchecked"), lang.L("revoke.err.reason"), lang.L("replace.err.same"),
		lang.L("replace.err.badcredentials"), lang.L("revoke.err.notsupervisor"), lang.L("revoke.err.notactive"),
	}, items...)
}

// doRevoke asks the domain for the revocation off the UI goroutine (the
// approver's password is hashed).
func (d *revokeDialog) doRevoke() {
	a := d.a
	if d.confirm.Disabled() || a.session == nil {
		return
	}
	if !d.checked.Checked {
		d.msg.set(msgError, lang.L("revoke.err.notchecked"))
		return
	}
	s, id, why := a.session, d.cred.ID, d.reason.Text
	var approval *pinsede.Approval
	if d.approval {
		ap := d.take()
		approval = &ap
	}
	d.msg.set(msgError, "")
	d.reasonF.setProblem("")
	d.setBusy(true)
	a.background(func() func() {
		var err error
		if approval != nil {
			_, err = a.desk.RevokeApproved(s, id, why, *approval)
		} else {
			_, err = a.desk.Revoke(s, id, why)
		}
		return func() {
			d.setBusy(false)
			if a.session != s {
				return // logged out meanwhile
			}
			d.showOutcome(err)
		}
	})
}

// showOutcome opens the citizen's page again, or says in the dialog why
// not.
func (d *revokeDialog) showOutcome(err error) {
	a := d.a
	var es pinsede.FieldErrors
	switch {
	case err == nil:
		d.dialog.Hide()
		a.showCitizen(d.citizen.CF())
	case errors.As(err, &es):
		if fe, ok := es.For(pinsede.FieldRevokeReason); ok {
			d.reasonF.setProblem(i18n.Field(fe))
		}
		d.msg.set(msgError, lang.L("revoke.err.reason"))
	case errors.Is(err, pinsede.ErrSameApprover):
		d.msg.set(msgError, lang.L("replace.err.same"))
	case errors.Is(err, pinsede.ErrBadCredentials):
		d.msg.set(msgError, lang.L("replace.err.badcredentials"))
	case errors.Is(err, pinsede.ErrForbidden):
		d.msg.set(msgError, lang.L("revoke.err.notsupervisor"))
	case errors.Is(err, pinsede.ErrNotActive):
		d.msg.set(msgError, lang.L("revoke.err.notactive"))
	default:
		d.msg.set(msgError, i18n.Message(err))
	}
}

// setBusy disables the dialog's buttons while the revocation runs.

// revokeReasonProblems are the problems of a revocation's reason, of a
// credential or a delegation.
func revokeReasonProblems() []string {
	var ps []string
	for _, key := range []string{pinsede.KeyRequired, pinsede.KeyRevokeReasonShort, pinsede.KeyTooLong, pinsede.KeyTextInvisible} {
		// 999 characters: as wide as the text of any limit or position.
		ps = append(ps, i18n.Field(pinsede.FieldError{Field: pinsede.FieldRevokeReason, Key: key,
			Args: map[string]any{"Min": pinsede.RevokeReasonMin, "Max": 999, "Pos": 999, "Char": "U+202E"}}))
	}
	return ps
}
