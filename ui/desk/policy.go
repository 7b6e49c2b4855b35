package desk

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// policyPanel is shown when the eligibility policy refuses the PIN: on the
// MV35 as soon as the residence refuses, on the verification screen at the
// document or at the issue. It says why, in plain words, what the citizen
// can use instead (SPID, CIE, CNS), prints the information sheet on them,
// and leads to an override authorised by a supervisor.
type policyPanel struct {
	a *App
	// v is the verification screen the override issues from; nil on the
	// MV35, whose panel leads on to that screen.
	v *verifyScreen

	why          *message
	alternatives *widget.Label
	printSheet   *button
	override     *button
	sheetMsg     *message
	box          *fyne.Container

	// req is the request refused, err why.
	req pinsede.Request
	err error
	// dialog is the override dialog while it is open.
	dialog *overrideDialog
}

// newPolicyPanel builds the verification screen's panel, hidden.
func (v *verifyScreen) newPolicyPanel() *policyPanel {
	p := v.a.newPolicyPanel(lang.L("policy.override"), func(p *policyPanel) { p.showOverride() })
	p.v = v
	return p
}

// newPolicyPanel builds a panel, hidden, whose override button, labelled
// label, runs override.
func (a *App) newPolicyPanel(label string, override func(*policyPanel)) *policyPanel {
	p := &policyPanel{a: a, why: newMessage(), sheetMsg: newMessage()}
	p.alternatives = note(lang.L("policy.alternatives"))
	p.printSheet = a.button(lang.L("policy.infosheet.print"), fynetheme.DocumentPrintIcon(), p.doPrintSheet)
	if a.desk.Forms == nil || a.desk.Documents == nil {
		p.printSheet.Disable()
	}
	p.override = a.button(label, fynetheme.WarningIcon(), func() { override(p) })
	p.box = container.NewVBox(
		heading(lang.L("policy.title")),
		p.why.box,
		p.alternatives,
		container.NewHBox(p.printSheet, layout.NewSpacer(), p.override),
		p.sheetMsg.box,
	)
	p.box.Hide()
	return p
}

// show explains the refusal err of req.
func (p *policyPanel) show(req pinsede.Request, err error) {
	p.req, p.err = req, err
	p.why.set(msgError, i18n.Message(err))
	p.sheetMsg.set(msgInfo, "")
	p.box.Show()
}

// hide hides the panel: a new attempt starts.
func (p *policyPanel) hide() { p.box.Hide() }

// doPrintSheet prints the information sheet on SPID, CIE and CNS off the
// UI goroutine. It holds no personal data.
func (p *policyPanel) doPrintSheet() {
	a := p.a
	if p.printSheet.Disabled() || a.session == nil {
		return
	}
	s, cf := a.session, p.req.CodiceFiscale
	p.printSheet.Disable()
	p.sheetMsg.set(msgInfo, lang.L("policy.infosheet.printing"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		err := a.desk.PrintInfoSheet(ctx, s, cf)
		return func() {
			p.printSheet.Enable()
			if err == nil {
				p.sheetMsg.set(msgSuccess, lang.L("policy.infosheet.printed"))
				return
			}
			msg := lang.L("policy.infosheet.failed")
			if cause := i18n.Cause(err); cause != "" {
				msg += "\n" + lang.L("issue.printfailed.cause", map[string]any{"Cause": cause})
			}
			p.sheetMsg.set(msgError, msg)
		}
	})
}

// overrideDialog issues the refused PIN on a supervisor's override: the
// supervisor's id and password (a second login on the same screen: the
// domain wants someone other than the operator) and a written reason, which
// the audit keeps.
type overrideDialog struct {
	p *policyPanel
	*approvalFields
	*actionDialog
	reason *entry
}

// showOverride opens the override dialog.
func (p *policyPanel) showOverride() {
	a := p.a
	d := &overrideDialog{p: p}
	d.approvalFields = a.newApprovalFields(d.doOverride)
	d.reason = a.newReasonEntry(lang.L("policy.override.reason.placeholder"))
	d.actionDialog = a.newActionDialog(
		lang.L("policy.override.confirm"), fynetheme.MailSendIcon(), d.doOverride, lang.L("policy.override.cancel"))
	d.about = string(p.req.CodiceFiscale)
	p.dialog = d
	d.open(a, lang.L("policy.override.title"), d.reason, []string{
		lang.L("replace.err.same"), lang.L("replace.err.badcredentials"), lang.L("policy.override.err.notsupervisor"),
		i18n.Field(pinsede.FieldError{Field: pinsede.FieldOverrideReason, Key: pinsede.KeyOverrideReasonShort, Args: map[string]any{"Min": pinsede.MinOverrideReason}}),
		i18n.Field(pinsede.FieldError{Field: pinsede.FieldOverrideReason, Key: pinsede.KeyTextInvisible, Args: map[string]any{"Pos": 999, "Char": "U+202E"}}),
	},
		note(lang.L("policy.override.intro")),
		newField(pinsede.FieldOverrideReason, lang.L("field.motivo_deroga"), d.reason).object,
		d.approvalFields.object(note(lang.L("replace.approval.note"))),
	)
}

// doOverride asks the domain for the issue on the override, off the UI
// goroutine (hashing the password and the PIN, printing).
func (d *overrideDialog) doOverride() {
	v := d.p.v
	a := v.a
	if d.confirm.Disabled() || a.session == nil || a.request == nil {
		return
	}
	s, req, ver := a.session, a.request.request(), v.verification()
	ap := d.take()
	o := pinsede.Override{SupervisorID: ap.SupervisorID, Password: ap.Password, Reason: d.reason.Text}
	d.msg.set(msgError, "")
	d.setBusy(true)
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		out, err := a.desk.IssueWithOverride(ctx, s, req, ver, o)
		return func() {
			d.setBusy(false)
			if a.session != s || a.verify != v {
				return // logged out or moved on meanwhile
			}
			d.showOutcome(req, out, err)
		}
	})
}

// showOutcome shows the result screen, or says in the dialog why not.
func (d *overrideDialog) showOutcome(req pinsede.Request, out pinsede.Issued, err error) {
	switch {
	case err == nil:
		d.dialog.Hide()
		d.p.hide()
		d.p.v.a.showResult(req, out)
	case errors.Is(err, pinsede.ErrSameApprover):
		d.msg.set(msgError, lang.L("replace.err.same"))
	case errors.Is(err, pinsede.ErrBadCredentials):
		d.msg.set(msgError, lang.L("replace.err.badcredentials"))
	case errors.Is(err, pinsede.ErrForbidden):
		d.msg.set(msgError, lang.L("policy.override.err.notsupervisor"))
	case errors.Is(err, pinsede.ErrPrint):
		d.dialog.Hide()
		d.p.hide()
		d.p.v.showOutcome(req, out, err)
	default:
		d.msg.set(msgError, i18n.Message(err))
	}
}

// setBusy disables the dialog's buttons while the issue runs.
