package desk

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// verifyScreen is the identity check: the document shown, the clerk's
// checklist and an optional scan; then "Emetti PIN".
type verifyScreen struct {
	a *App

	who *widget.Label // the citizen of the request

	// mrz is the document's machine-readable zone, typed or from a
	// keyboard-wedge reader; mrzRead is what it says once it parses,
	// mrzErr why it does not.
	mrz     *entry
	mrzRead *pinsede.MRZ
	mrzErr  error
	// mrzFilled is the text the last MRZ read wrote in each field it
	// filled: a field that still holds it belongs to the MRZ, and the next
	// MRZ read (another document) writes it again.
	mrzFilled  map[*entry]string
	mrzCountry string

	// The document's fields, shared with the conversion and the
	// delegation (convert.go).
	*documentForm

	checkOriginal, checkPhoto, checkSigned *check
	// printMV35 prints the filled MV35 for the citizen to sign; mv35Msg
	// says how that went.
	printMV35 *button
	mv35Msg   *message

	scan                   *pinsede.Scan
	scanRow                *fyne.Container
	scanName               *widget.Label
	scanChoose, scanRemove *button

	back, issue *button
	progress    *widget.ProgressBarInfinite
	msg         *message
	printerNote *message
	// msgScroll holds msg, printerNote and policy above the buttons
	// (footedPage): a new outcome shows from its top.
	msgScroll *container.Scroll
	fields    fields
	screen    screen
	// policy explains a refusal of the eligibility policy (policy.go).
	policy *policyPanel
	// digital records SPID, CIE or CNS chosen instead of a PIN
	// (digitalidentity.go); digitalDialog is its dialog once opened.
	digital       *button
	digitalDialog *digitalIdentityDialog
	// choice is PIN dispositivo or PIN telefonico with its duration
	// (telephone.go).
	choice *telephoneChoice
}

// showVerify goes to the identity check of the request in progress, as it
// was left.
func (a *App) showVerify() {
	if a.verify == nil {
		a.verify = a.newVerifyScreen()
	}
	a.verify.refreshWho()
	a.verify.validate(false) // the MV35 may have changed what the MRZ contradicts
	a.show(a.verify.screen)
}

func (a *App) newVerifyScreen() *verifyScreen {
	v := &verifyScreen{a: a, fields: fields{}}
	v.who = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.who.Wrapping = fyne.TextWrapWord

	v.mrz = a.newEntry(lang.L("verify.mrz.placeholder"))
	v.mrz.MultiLine = true
	v.mrz.Wrapping = fyne.TextWrapOff
	v.mrz.TextStyle = fyne.TextStyle{Monospace: true}
	v.mrz.SetMinRowsVisible(3)
	v.mrz.onChange(func(string) { v.mrzChanged() })
	v.mrz.onKey = v.mrzKey
	tick := func(key, field string) *check {
		c := a.newCheck(lang.L(key), func(bool) {
			a.touch()
			a.guard(key, func() {
				v.fields[field].touched = true
				v.validate(false)
			})
		})
		// Enter goes on to what is left, as from the fields: it did
		// nothing on a check box.
		c.enter = func() {
			a.touch()
			a.guard(key, v.nextTodo)
		}
		return c
	}
	v.checkOriginal = tick("verify.check.original", pinsede.FieldCheckOriginal)
	v.checkPhoto = tick("verify.check.photo", pinsede.FieldCheckPhoto)
	v.checkSigned = tick("verify.check.signed", pinsede.FieldCheckSigned)
	v.printMV35 = a.button(lang.L("verify.mv35.print"), fynetheme.DocumentPrintIcon(), v.doPrintMV35)
	v.mv35Msg = newMessage()
	if a.desk.Forms == nil || a.desk.Documents == nil {
		v.printMV35.Disable()
	}

	v.scanName = widget.NewLabel(lang.L("verify.scan.none"))
	v.scanName.Truncation = fyne.TextTruncateEllipsis
	v.scanChoose = a.button(lang.L("verify.scan.choose"), fynetheme.FolderOpenIcon(), v.chooseScan)
	v.scanRemove = a.button(lang.L("verify.scan.remove"), fynetheme.DeleteIcon(), func() { v.setScan(nil) })
	v.scanRemove.Hide()

	v.back = a.button(lang.L("verify.back"), fynetheme.NavigateBackIcon(), a.showRequest)
	v.issue = a.primaryButton(lang.L("verify.issue"), fynetheme.MailSendIcon(), v.doIssue)
	// Enter never issues, on Emetti PIN too: it goes on to what is left
	// (Space or Ctrl+Enter issue).
	v.issue.enter = func() {
		a.touch()
		a.guard(v.issue.Text, v.nextTodo)
	}
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Stop()
	v.progress.Hide()
	v.msg = newMessage()
	v.policy = v.newPolicyPanel()
	v.digital = v.newDigitalIdentityButton()
	v.choice = a.newTelephoneChoice()
	v.printerNote = newMessage()
	if !a.HasPrinter() {
		v.issue.Disable()
		v.printerNote.set(msgError, lang.L("issue.noprinter"))
	}

	validate := func() { v.validate(false) }
	f := func(name, label string, input fyne.CanvasObject) fyne.CanvasObject {
		return a.liveField(v.fields, validate, name, label, input)
	}
	mrz := f(pinsede.FieldMRZ, lang.L("field.mrz"), v.mrz)
	v.documentForm = a.newDocumentForm(v.fields, func(field string) string { return field }, validate)
	for _, e := range []*entry{v.number, v.authority, v.issued, v.expires} {
		e.OnSubmitted = func(string) { v.nextTodo() }
	}
	v.scanRow = container.NewBorder(nil, nil, nil, container.NewHBox(v.scanRemove, v.scanChoose), v.scanName)
	// Compact, to fit one screen at 1280x800 (TestFormsFitTheScreen): the
	// applicant beside the title, the document three fields a row, the
	// checks side by side, the scan beside the kind of PIN (wide enough
	// for its note on one line).
	body := container.NewVBox(
		container.NewBorder(nil, nil, title(lang.L("verify.title")), nil, container.NewVBox(layout.NewSpacer(), v.who, layout.NewSpacer())),
		section(lang.L("verify.document"),
			mrz,
			v.columns(3)),
		section(lang.L("verify.checks"),
			container.NewBorder(nil, nil, nil, v.printMV35, note(lang.L("verify.checks.intro"))),
			v.mv35Msg.box,
			container.NewGridWithColumns(3,
				f(pinsede.FieldCheckOriginal, "", v.checkOriginal),
				f(pinsede.FieldCheckPhoto, "", v.checkPhoto),
				f(pinsede.FieldCheckSigned, "", v.checkSigned)),
		),
		container.New(&columnsLayout{ratio: 0.65},
			section(lang.L("verify.scan"),
				note(lang.L("verify.scan.intro")),
				f(pinsede.FieldScan, "", v.scanRow),
			),
			section(lang.L("verify.kind"),
				v.choice.kind.object,
				v.choice.withField(f(pinsede.FieldTelephoneValidity, lang.L("verify.kind.duration"), v.choice.duration)))),
	)
	// The messages and the buttons below the scroll: a long refusal
	// scrolls in its panel, Indietro and Emetti PIN always show.
	view, msgs := a.footedPage(body,
		container.NewVBox(v.printerNote.box, v.msg.box, v.policy.box),
		container.NewVBox(v.progress, container.NewHBox(v.back, layout.NewSpacer(), v.digital, a.tipped(v.issue, keyCtrlEnter))))
	v.msgScroll = msgs
	// The MRZ first: a reader types into the entry that has the keyboard.
	v.screen = screen{Title: lang.L("verify.short"), View: view, Focus: v.mrz, Primary: v.issue}
	return v
}

// refreshWho shows whose request this is.
func (v *verifyScreen) refreshWho() {
	r := v.a.request.request()
	v.who.SetText(lang.L("verify.who", map[string]any{
		"Name": r.FullName(), "CF": strings.ToUpper(strings.TrimSpace(string(r.CodiceFiscale))), "Born": r.DataNascita.Italian(),
	}))
}

// verification reads the form.
func (v *verifyScreen) verification() pinsede.Verification {
	ver := pinsede.Verification{
		Document: v.document(),
		Checklist: pinsede.Checklist{
			OriginalSeen: v.checkOriginal.Checked,
			PhotoMatches: v.checkPhoto.Checked,
			MV35Signed:   v.checkSigned.Checked,
		},
	}
	if v.scan != nil {
		s := *v.scan
		ver.Scan = &s
	}
	return ver
}

// problems validates the form as of today, with the dates the domain
// cannot read.
func (v *verifyScreen) problems() pinsede.FieldErrors {
	ver := v.verification()
	return v.dateProblems(ver.Validate(v.a.today()))
}

// validate shows the problems of the touched fields, or of all of them,
// and what the MRZ contradicts.
func (v *verifyScreen) validate(all bool) pinsede.FieldErrors {
	if v.a.verify != v {
		return nil // a screen already dropped (issued, abandoned): its widgets act on nothing
	}
	es := v.problems()
	v.fields.show(append(es, v.mrzProblems()...), all)
	v.fields.setNotes(v.mrzNotes())
	v.checkDocument()
	if len(es) == 0 && v.msg.text() == lang.L("form.haserrors") {
		v.msg.set(msgError, "") // the summary goes with the last error it summed up
	}
	return es
}

// checkDocument shows the policy's refusal as soon as the document type
// says it (an Italian document under the rule of 1 October 2021), and
// hides a refusal the document no longer gives. Nothing is recorded until
// the issue.
func (v *verifyScreen) checkDocument() {
	a := v.a
	if a.session == nil || a.request == nil || !v.documentType().Valid() {
		return
	}
	req, doc := a.request.request(), v.verification().Document
	if req.Residenza.Country == "" {
		return // the MV35 says it; its own check comes first
	}
	if err := a.desk.PolicyRefusal(a.session, req, &doc, false); err != nil {
		v.policy.show(req, err)
	} else {
		v.policy.hide()
	}
}

// chooseScan opens the scan picker (scanPicker) for an image or PDF of
// the document, on the folder it showed last, else the user's home.
func (v *verifyScreen) chooseScan() {
	dir := v.a.scanFolder
	if dir == "" {
		dir, _ = os.UserHomeDir() // "" on failure: the picker says so
	}
	v.a.showScanPicker(dir, func(s *pinsede.Scan, err error) {
		if err != nil {
			v.msg.set(msgError, i18n.Message(err))
			return
		}
		v.setScan(s)
	})
}

// setScan attaches a scan of the document, or removes it when s is nil.
// The file picker calls it; so do tests.
func (v *verifyScreen) setScan(s *pinsede.Scan) {
	v.scan = s
	if s == nil {
		v.scanName.SetText(lang.L("verify.scan.none"))
		v.scanRemove.Hide()
	} else {
		v.scanName.SetText(fmt.Sprintf("%s (%s)", s.Name, sizeText(len(s.Data))))
		v.scanRemove.Show()
	}
	v.scanRow.Refresh()
	v.fields[pinsede.FieldScan].touched = true
	v.validate(false)
}

// sizeText writes a byte count for people.
func sizeText(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// setBusy shows the progress bar and blocks the buttons during an issue.
func (v *verifyScreen) setBusy(busy bool) {
	setBusy(busy, v.progress, v.back)
	switch {
	case busy:
		v.issue.Disable()
	case v.a.HasPrinter():
		v.issue.Enable()
	}
}

// doIssue issues the PIN off the UI goroutine. Problems go back under their
// fields, on this screen or on the MV35's; a failed print explains that the
// PIN was revoked and keeps every field for a new attempt.
func (v *verifyScreen) doIssue() {
	a := v.a
	if v.issue.Disabled() || a.session == nil {
		return
	}
	reqScreen := a.request
	// Dates typed in a form the domain cannot read: say so before asking.
	if es := reqScreen.problems(); reqScreen.showErrors(onlyKey(es, pinsede.KeyDateFormat, pinsede.KeyDateImpossible)) {
		a.showRequest()
		return
	}
	if es := onlyKey(v.validate(true), pinsede.KeyDateFormat, pinsede.KeyDateImpossible); len(es) > 0 {
		v.msg.set(msgError, lang.L("form.haserrors"))
		return
	}
	s, req, ver := a.session, reqScreen.request(), v.verification()
	telephone, tv := v.choice.telephone(), v.choice.validity()
	v.msg.set(msgError, "")
	v.policy.hide()
	v.msgScroll.ScrollToTop()
	v.setBusy(true)
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		issued, err := issueChosen(ctx, a.desk, s, req, ver, telephone, tv)
		return func() {
			v.setBusy(false)
			if a.session != s || a.verify != v {
				return // logged out or moved on meanwhile
			}
			v.showOutcome(req, issued, err)
		}
	})
}

// doPrintMV35 prints the MV35 of the request and the document as typed so
// far, off the UI goroutine. It holds no PIN.
func (v *verifyScreen) doPrintMV35() {
	a := v.a
	if v.printMV35.Disabled() || a.session == nil || a.request == nil {
		return
	}
	s, req, doc := a.session, a.request.request(), v.verification().Document
	v.printMV35.Disable()
	v.mv35Msg.set(msgInfo, lang.L("verify.mv35.printing"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		defer cancel()
		err := a.desk.PrintMV35(ctx, s, req, doc)
		return func() {
			v.printMV35.Enable()
			var fes pinsede.FieldErrors
			switch {
			case err == nil:
				v.mv35Msg.set(msgSuccess, lang.L("verify.mv35.printed"))
			case errors.As(err, &fes):
				v.mv35Msg.set(msgError, lang.L("verify.mv35.invalid"))
			default:
				msg := lang.L("verify.mv35.failed")
				if cause := i18n.Cause(err); cause != "" {
					msg += "\n" + lang.L("issue.printfailed.cause", map[string]any{"Cause": cause})
				}
				v.mv35Msg.set(msgError, msg)
			}
		}
	})
}

// onlyKey returns the problems of es with one of the message keys.
func onlyKey(es pinsede.FieldErrors, keys ...string) pinsede.FieldErrors {
	var out pinsede.FieldErrors
	for _, e := range es {
		if slices.Contains(keys, e.Key) {
			out = append(out, e)
		}
	}
	return out
}

// showOutcome shows the outcome of an issue.
func (v *verifyScreen) showOutcome(req pinsede.Request, out pinsede.Issued, err error) {
	a := v.a
	var fes pinsede.FieldErrors
	switch {
	case err == nil:
		a.showResult(req, out)
	case errors.As(err, &fes):
		v.fields.show(append(fes, v.mrzProblems()...), true)
		if a.request.showErrors(fes) {
			a.showRequest()
			return
		}
		v.msg.set(msgError, lang.L("form.haserrors"))
	case errors.Is(err, pinsede.ErrNoPrinter):
		v.msg.set(msgError, lang.L("issue.noprinter"))
	case errors.Is(err, pinsede.ErrPrint):
		v.msg.set(msgError, printFailedText("issue.printfailed.detail", out.Credential, err))
		a.keepDraftAgain()
	case errors.Is(err, pinsede.ErrNotEligible):
		v.policy.show(req, err)
	default:
		msg, ok := i18n.Disk(err, issueDisk, nil)
		if !ok {
			msg = i18n.Message(err)
		}
		v.msg.set(msgError, msg)
	}
}

// issueDisk are the keys of an issue whose record the disk refused
// (full, file too large, read-only, not writable, failing: the store is
// the issue's only file): the record is not stored, so no slip printed.
var issueDisk = i18n.DiskKeys{Full: "issue.disk.full", TooLarge: "issue.disk.toolarge",
	ReadOnly: "issue.disk.readonly", Denied: "issue.disk.denied", Failing: "issue.disk.failing"}

// printFailedText tells the failed print of the slip of cred, as the
// issue returned it with err (wrapping ErrPrint): failed, the message of
// key with the slip's serial and the printer's cause; printed but not
// recorded (ErrPrintNotRecorded), that the envelope is void, not to be
// handed over, and whether its PIN is revoked already or at the desk's
// next start; printed but its PIN revoked meanwhile by the central
// records (ErrRevokedWhilePrinting), that the envelope is void, and why.
func printFailedText(key string, cred pinsede.Credential, err error) string {
	args := map[string]any{"Serial": cred.SlipSerial}
	if errors.Is(err, pinsede.ErrRevokedWhilePrinting) {
		args["Reason"] = cred.RevokeReason
		return lang.L("issue.printed.revoked", args)
	}
	if errors.Is(err, pinsede.ErrPrintNotRecorded) {
		if cred.State == pinsede.StateRevocato {
			return lang.L("issue.notrecorded.revoked", args)
		}
		return lang.L("issue.notrecorded.pending", args)
	}
	msg := lang.L(key, args)
	if cause := i18n.Cause(err); cause != "" {
		msg += "\n" + lang.L("issue.printfailed.cause", map[string]any{"Cause": cause})
	}
	return msg
}
