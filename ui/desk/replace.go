package desk

import (
	"errors"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// replaceReasons are the reasons offered for replacing a slip, in the
// order of the radio group.
var replaceReasons = []string{pinsede.ReasonSlipLost, pinsede.ReasonSlipSpoiled}

// replaceDialog replaces the lost or spoiled slip of an active credential:
// the reason, the identity check of an issue (the document seen now and
// the clerk's checklist: a new PIN is handed over with the same care), and
// a supervisor's id and password (a second login on the same screen: the
// domain wants someone other than the operator). When the policy in force
// refuses the citizen a PIN (one issued on an override), the dialog says
// so and asks for the reason of that supervisor's override. On success the
// result screen shows the new slip.
type replaceDialog struct {
	a       *App
	citizen pinsede.Citizen
	cred    pinsede.Credential

	reason *choice
	doc    *documentForm
	checklist
	fields fields
	// override is the reason of the supervisor's override, in
	// overrideBox, shown once the policy refused the replacement.
	override    *entry
	overrideBox *fyne.Container
	*approvalFields
	*actionDialog
}

// showReplace opens the replacement dialog for credential c of the
// citizen on the page. The document fields start with the citizen's
// document on record, for a slip spoiled in the same visit; the checks
// start unticked: the clerk ticks them having seen the original again.
func (c *citizenScreen) showReplace(cred pinsede.Credential) {
	a := c.a
	d := &replaceDialog{a: a, citizen: c.page.Citizen, cred: cred, fields: fields{}}
	validate := func() { d.validate(false) }
	d.reason = a.newChoice(replaceReasonLabels(), true, func(string) {
		a.touch()
		d.fields[pinsede.FieldRevokeReason].touched = true
		validate()
	})
	reasonF := d.fields.add(newField(pinsede.FieldRevokeReason, lang.L("replace.reason"), d.reason.object))
	d.doc = a.newDocumentForm(d.fields, func(name string) string { return name }, validate)
	d.checklist = a.newChecklist(d.fields, validate)
	f := func(name string, input fyne.CanvasObject) fyne.CanvasObject {
		return a.liveField(d.fields, validate, name, "", input)
	}
	d.override = a.newReasonEntry(lang.L("policy.override.reason.placeholder"))
	d.overrideBox = container.NewVBox(
		note(lang.L("replace.override.note")),
		d.fields.add(newField(pinsede.FieldOverrideReason, lang.L("field.motivo_deroga"), d.override)).object,
	)
	d.overrideBox.Hide()
	d.approvalFields = a.newApprovalFields(d.doReplace)
	d.actionDialog = a.newActionDialog(
		lang.L("replace.confirm"), fynetheme.MailSendIcon(), d.doReplace, lang.L("replace.cancel"))
	d.about = string(cred.CodiceFiscale)
	c.replace = d

	d.doc.set(d.citizen.Document)
	for _, name := range []string{
		pinsede.FieldDocType, pinsede.FieldDocNumber, pinsede.FieldDocAuthority,
		pinsede.FieldDocCountry, pinsede.FieldDocIssued, pinsede.FieldDocExpires,
	} {
		d.fields[name].touched = true // a document expired since shows so at once
	}
	validate()

	d.open(a, lang.L("replace.title"), d.reason.boxes[0], []string{
		lang.L("form.haserrors"), lang.L("replace.err.same"), lang.L("replace.err.badcredentials"),
		lang.L("replace.err.notsupervisor"), lang.L("replace.err.print", map[string]any{"Serial": cred.SlipSerial}),
	},
		a.dialogScroll(replaceWidth, replaceReserve, container.NewVBox(
			note(lang.L("replace.intro", map[string]any{"Serial": cred.SlipSerial})),
			reasonF.object,
			heading(lang.L("verify.document")),
			note(lang.L("replace.document.note")),
			d.doc.columns(3),
			newField("", lang.L("verify.checks"), columns(2,
				f(pinsede.FieldCheckOriginal, d.checkOriginal),
				f(pinsede.FieldCheckPhoto, d.checkPhoto),
				f(pinsede.FieldCheckSigned, d.checkSigned))).object,
			d.overrideBox,
			d.approvalFields.object(note(lang.L("replace.approval.note"))),
		)),
	)
}

// replaceWidth is the width of the replacement's fields, and
// replaceReserve the room of the rest of its dialog, beside them: its
// title, its message and its buttons (see dialogScroll).
const replaceWidth, replaceReserve = 880, 220

// verification reads the identity check of the form.
func (d *replaceDialog) verification() pinsede.Verification {
	return d.checklist.verification(d.doc.document())
}

// chosenReason returns the reason chosen, "" for none.
func (d *replaceDialog) chosenReason() string {
	if i := slices.Index(replaceReasonLabels(), d.reason.Selected); i >= 0 {
		return replaceReasons[i]
	}
	return ""
}

// validate shows the problems of the touched fields, or of all of them,
// and returns them.
func (d *replaceDialog) validate(all bool) pinsede.FieldErrors {
	ver := d.verification()
	var es pinsede.FieldErrors
	if d.chosenReason() == "" {
		es = append(es, pinsede.FieldError{Field: pinsede.FieldRevokeReason, Key: "replace.err.noreason"})
	}
	es = append(es, d.doc.dateProblems(ver.Validate(d.a.today()))...)
	d.fields.show(es, all)
	return es
}

// doReplace asks the domain for the replacement off the UI goroutine
// (hashing the password and the PIN, printing), once the form has no
// problem.
func (d *replaceDialog) doReplace() {
	a := d.a
	if d.confirm.Disabled() || a.session == nil {
		return
	}
	if es := d.validate(true); len(es) > 0 {
		d.msg.set(msgError, lang.L("form.haserrors"))
		a.focusFirstProblem(d.fields)
		return
	}
	s, id, why, ver := a.session, d.cred.ID, d.chosenReason(), d.verification()
	approval := d.take()
	var override *pinsede.Override
	if d.overrideBox.Visible() {
		override = &pinsede.Override{SupervisorID: approval.SupervisorID, Password: approval.Password, Reason: d.override.Text}
	}
	d.msg.set(msgError, "")
	d.setBusy(true)
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		var out pinsede.Issued
		var err error
		if override != nil {
			out, err = a.desk.ReplaceSlipWithOverride(ctx, s, id, why, ver, *override)
		} else {
			out, err = a.desk.ReplaceSlip(ctx, s, id, why, ver, approval)
		}
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
	var es pinsede.FieldErrors
	switch {
	case err == nil:
		d.dialog.Hide()
		a.showResult(d.citizen.Request, out)
	case errors.As(err, &es):
		d.fields.show(es, true)
		d.msg.set(msgError, lang.L("form.haserrors"))
		a.focusFirstProblem(d.fields)
	case errors.Is(err, pinsede.ErrSameApprover):
		d.msg.set(msgError, lang.L("replace.err.same"))
	case errors.Is(err, pinsede.ErrBadCredentials):
		d.msg.set(msgError, lang.L("replace.err.badcredentials"))
	case errors.Is(err, pinsede.ErrForbidden):
		d.msg.set(msgError, lang.L("replace.err.notsupervisor"))
	case errors.Is(err, pinsede.ErrPrint):
		d.msg.set(msgError, printFailedText("replace.err.print", out.Credential, err))
	case errors.Is(err, pinsede.ErrNotEligible):
		// The supervisor approving may override the refusal: the reason
		// is asked for, and the next confirmation carries it.
		d.msg.set(msgError, i18n.Message(err))
		d.overrideBox.Show()
		a.win.Canvas().Focus(d.override)
	default:
		d.msg.set(msgError, i18n.Message(err))
	}
}

// replaceReasonLabels returns the translated labels of replaceReasons.
func replaceReasonLabels() []string {
	out := make([]string, len(replaceReasons))
	for i, r := range replaceReasons {
		out[i] = reason(r)
	}
	return out
}
