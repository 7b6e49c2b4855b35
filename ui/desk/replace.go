package desk

import (
	"errors"
	"slices"

	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// replaceReasons are the reasons offered for replacing a slip, in the
// order of the radio group.
var replaceReasons = []string{pinsede.ReasonSlipLost, pinsede.ReasonSlipSpoiled}

// replaceDialog replaces the lost or spoiled slip of an active credential:
// the reason, and a supervisor's id and password (a second login on the
// same screen: the domain wants someone other than the operator). On
// success the result screen shows the new slip.
type replaceDialog struct {
	a       *App
	citizen pinsede.Citizen
	cred    pinsede.Credential

	reason *choice
	*approvalFields
	*actionDialog
}

// showReplace opens the replacement dialog for credential c of the
// citizen on the page.
func (c *citizenScreen) showReplace(cred pinsede.Credential) {
	a := c.a
	d := &replaceDialog{a: a, citizen: c.page.Citizen, cred: cred}
	d.reason = a.newChoice(replaceReasonLabels(), false, func(string) { a.touch() })
	d.approvalFields = a.newApprovalFields(d.doReplace)
	d.actionDialog = a.newActionDialog(
		lang.L("replace.confirm"), fynetheme.MailSendIcon(), d.doReplace, lang.L("replace.cancel"))
	d.about = string(cred.CodiceFiscale)
	c.replace = d
	d.open(a, lang.L("replace.title"), d.supID, []string{
		lang.L("replace.err.noreason"), lang.L("replace.err.same"), lang.L("replace.err.badcredentials"),
		lang.L("replace.err.notsupervisor"), lang.L("replace.err.print", map[string]any{"Serial": cred.SlipSerial}),
	},
		note(lang.L("replace.intro", map[string]any{"Serial": cred.SlipSerial})),
		heading(lang.L("replace.reason")),
		d.reason.object,
		d.approvalFields.object(note(lang.L("replace.approval.note"))),
	)
}

// doReplace asks the domain for the replacement off the UI goroutine
// (hashing the password and the PIN, printing).
func (d *replaceDialog) doReplace() {
	a := d.a
	if d.confirm.Disabled() || a.session == nil {
		return
	}
	i := slices.Index(replaceReasonLabels(), d.reason.Selected)
	if i < 0 {
		d.msg.set(msgError, lang.L("replace.err.noreason"))
		return
	}
	s, id, why := a.session, d.cred.ID, replaceReasons[i]
	approval := d.take()
	d.msg.set(msgError, "")
	d.setBusy(true)
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		out, err := a.desk.ReplaceSlip(ctx, s, id, why, approval)
		return func() {
			d.setBusy(false)
			if a.session != s {
				return // logged out meanwhile
			}
			d.showOutcome(out, err)
		}
	})
}

// showOutcome shows the result screen, or says in the dialog why not.
func (d *replaceDialog) showOutcome(out pinsede.Issued, err error) {
	a := d.a
	switch {
	case err == nil:
		d.dialog.Hide()
		a.showResult(d.citizen.Request, out)
	case errors.Is(err, pinsede.ErrSameApprover):
		d.msg.set(msgError, lang.L("replace.err.same"))
	case errors.Is(err, pinsede.ErrBadCredentials):
		d.msg.set(msgError, lang.L("replace.err.badcredentials"))
	case errors.Is(err, pinsede.ErrForbidden):
		d.msg.set(msgError, lang.L("replace.err.notsupervisor"))
	case errors.Is(err, pinsede.ErrPrint):
		d.msg.set(msgError, printFailedText("replace.err.print", out.Credential, err))
	default:
		d.msg.set(msgError, i18n.Message(err))
	}
}

// setBusy disables the dialog's buttons while the replacement runs.

// replaceReasonLabels returns the translated labels of replaceReasons.
func replaceReasonLabels() []string {
	out := make([]string, len(replaceReasons))
	for i, r := range replaceReasons {
		out[i] = reason(r)
	}
	return out
}
