package desk

import (
	"errors"
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

// The prefixes of the party fields on the delegation form: the citizen of
// the page and the other person, whichever side each is on. The domain
// names them by side (pinsede.DelegationSide.Field); partyProblems moves
// its problems to these names.
const (
	prefixSelf  = "self."
	prefixOther = "other."
)

// delegationScreen registers a delegation of the digital identity
// (circolare INPS 127/2021) between the citizen of the page and another
// person: which side the citizen is on, the form (AA08, AA09 with its
// medical certificate, AA10 for tutors), the citizen's document (filled
// from their record, to check), the other person's codice fiscale, names
// and document, the first and last day. On success the citizen's page
// opens again, showing the delegation.
type delegationScreen struct {
	a       *App
	citizen pinsede.Citizen

	side *choice // the citizen is the delegante, or the delegato
	form *dropdown

	ownDoc                           *documentForm
	otherTitle                       *widget.Label
	otherCF, otherCognome, otherNome *entry
	otherDoc                         *documentForm

	certificate    *entry
	certificateRow fyne.CanvasObject
	from, until    *entry
	// checked is the clerk's confirmation of the originals and the signed
	// form.
	checked *check

	back, register *button
	progress       *widget.ProgressBarInfinite
	msg            *message
	fields         fields
	screen         screen
}

// showRegisterDelegation opens the delegation form for the citizen of the
// page.
func (c *citizenScreen) showRegisterDelegation() {
	a := c.a
	v := &delegationScreen{a: a, citizen: c.page.Citizen, fields: fields{}}
	validate := func() { v.validate(false) }
	f := func(name, label string, input fyne.CanvasObject) fyne.CanvasObject {
		return a.liveField(v.fields, validate, name, label, input)
	}
	v.side = a.newRadio([]string{lang.L("delegation.side.delegante"), lang.L("delegation.side.delegato")}, false, func(string) {
		a.touch()
		v.refreshSide()
		validate()
	})
	forms := make([]string, len(pinsede.DelegationForms()))
	for i, fm := range pinsede.DelegationForms() {
		forms[i] = lang.L("delegation.form." + string(fm))
	}
	v.form = a.newDropdown(forms, func(string) {
		a.touch()
		v.fields[pinsede.FieldDelegationForm].touched = true
		v.refreshForm()
		validate()
	})
	v.form.PlaceHolder = lang.L("common.choose")

	v.ownDoc = a.newDocumentForm(v.fields, func(n string) string { return prefixSelf + n }, validate)
	v.otherTitle = heading("")
	v.otherCF = a.newEntry("")
	v.otherCognome = a.newEntry("")
	v.otherNome = a.newEntry("")
	v.otherDoc = a.newDocumentForm(v.fields, func(n string) string { return prefixOther + n }, validate)
	v.certificate = a.newEntry(lang.L("delegation.certificate.placeholder"))
	v.from = a.newEntry(lang.L("delegation.from.placeholder"))
	v.until = a.newEntry(lang.L("delegation.until.placeholder"))
	v.checked = a.newCheck(lang.L("delegation.checked"), func(bool) { a.touch() })
	v.back = a.button(lang.L("delegation.back"), fynetheme.NavigateBackIcon(), func() { a.showCitizen(v.citizen.CF()) })
	v.register = a.primaryButton(lang.L("delegation.confirm"), fynetheme.ConfirmIcon(), v.doRegister)
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Stop()
	v.progress.Hide()
	v.msg = newMessage()

	r := v.citizen.Request
	who := widget.NewLabelWithStyle(lang.L("delegation.who", map[string]any{"Name": r.FullName(), "CF": string(r.CodiceFiscale)}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who.Wrapping = fyne.TextWrapWord
	v.certificateRow = f(pinsede.FieldDelegationCertificate, lang.L("field."+pinsede.FieldDelegationCertificate), v.certificate)
	other := container.NewVBox(v.otherTitle, widget.NewSeparator(),
		twoColumns(
			f(prefixOther+pinsede.FieldCodiceFiscale, lang.L("field."+pinsede.FieldCodiceFiscale), v.otherCF),
			layout.NewSpacer(),
			f(prefixOther+pinsede.FieldCognome, lang.L("field."+pinsede.FieldCognome), v.otherCognome),
			f(prefixOther+pinsede.FieldNome, lang.L("field."+pinsede.FieldNome), v.otherNome),
		),
		v.otherDoc.grid())
	body := container.NewVBox(
		title(lang.L("delegation.title")),
		section("", who, note(lang.L("delegation.intro")), v.side.object),
		section(lang.L("delegation.form"),
			f(pinsede.FieldDelegationForm, lang.L("field."+pinsede.FieldDelegationForm), v.form),
			v.certificateRow,
			twoColumns(
				f(pinsede.FieldDelegationFrom, lang.L("field."+pinsede.FieldDelegationFrom), v.from),
				f(pinsede.FieldDelegationUntil, lang.L("field."+pinsede.FieldDelegationUntil), v.until),
			)),
		section(lang.L("delegation.owndoc"), v.ownDoc.grid()),
		section("", other),
		section(lang.L("verify.checks"), v.checked),
	)
	// Filled last: their callbacks validate the whole form.
	v.side.SetSelected(v.side.Options[0])
	v.ownDoc.set(v.citizen.Document)
	v.refreshForm()
	// Torna al cittadino and Registra delega at the foot, out of the
	// scroll (footedPage): the form is taller than the window at
	// 1280×800, and they were below it.
	view, _ := a.footedPage(body, v.msg.box,
		container.NewVBox(v.progress, container.NewHBox(v.back, layout.NewSpacer(), v.register)))
	v.screen = screen{Title: lang.L("delegation.short"), View: view, Focus: v.otherCF}
	c.delegation = v
	a.show(v.screen)
}

// citizenSide returns the side the citizen is on.
func (v *delegationScreen) citizenSide() pinsede.DelegationSide {
	if v.side.Selected == v.side.Options[1] {
		return pinsede.SideDelegato
	}
	return pinsede.SideDelegante
}

// refreshSide names the other person's section after their side.
func (v *delegationScreen) refreshSide() {
	key := "delegation.other.delegato"
	if v.citizenSide() == pinsede.SideDelegato {
		key = "delegation.other.delegante"
	}
	v.otherTitle.SetText(lang.L(key))
}

// refreshForm asks the medical certificate only for an AA09.
func (v *delegationScreen) refreshForm() {
	if v.formChosen() == pinsede.FormAA09 {
		v.certificateRow.Show()
	} else {
		v.certificateRow.Hide()
	}
}

// formChosen returns the form chosen, "" for none.
func (v *delegationScreen) formChosen() pinsede.DelegationForm {
	if i := v.form.SelectedIndex(); i >= 0 {
		return pinsede.DelegationForms()[i]
	}
	return ""
}

// delegation reads the form.
func (v *delegationScreen) delegation() pinsede.Delegation {
	r := v.citizen.Request
	self := pinsede.Party{CodiceFiscale: r.CodiceFiscale, Cognome: r.Cognome, Nome: r.Nome, Document: v.ownDoc.document()}
	other := pinsede.Party{
		CodiceFiscale: pinsede.CodiceFiscale(strings.TrimSpace(v.otherCF.Text)),
		Cognome:       v.otherCognome.Text, Nome: v.otherNome.Text,
		Document: v.otherDoc.document(),
	}
	from, _ := pinsede.ParseDate(v.from.Text)
	until, _ := pinsede.ParseDate(v.until.Text)
	dl := pinsede.Delegation{Form: v.formChosen(), MedicalCertificate: v.certificate.Text, From: from, Until: until}
	if v.citizenSide() == pinsede.SideDelegante {
		dl.Delegante, dl.Delegato = self, other
	} else {
		dl.Delegante, dl.Delegato = other, self
	}
	return dl
}

// partyProblems renames the domain's problems with the parties' fields
// after the citizen and the other person, and files a self-delegation
// under the other person's code, the one to change.
func (v *delegationScreen) partyProblems(es pinsede.FieldErrors) pinsede.FieldErrors {
	own := string(v.citizenSide()) + "."
	out := make(pinsede.FieldErrors, len(es))
	for i, e := range es {
		switch {
		case e.Key == pinsede.KeyDelegationSelf:
			e.Field = prefixOther + pinsede.FieldCodiceFiscale
		case strings.HasPrefix(e.Field, own):
			e.Field = prefixSelf + strings.TrimPrefix(e.Field, own)
		case strings.HasPrefix(e.Field, string(pinsede.SideDelegante)+"."), strings.HasPrefix(e.Field, string(pinsede.SideDelegato)+"."):
			e.Field = prefixOther + e.Field[strings.IndexByte(e.Field, '.')+1:]
		}
		out[i] = e
	}
	return out
}

// problems validates the form as of today, with the dates the domain
// cannot read.
func (v *delegationScreen) problems() pinsede.FieldErrors {
	dl := v.delegation()
	es := v.partyProblems(dl.Validate(v.a.today()))
	es = v.ownDoc.dateProblems(es)
	es = v.otherDoc.dateProblems(es)
	es = withDateFormat(es, pinsede.FieldDelegationFrom, v.from.Text)
	return withDateFormat(es, pinsede.FieldDelegationUntil, v.until.Text)
}

// validate shows the problems of the touched fields, or of all of them.
func (v *delegationScreen) validate(all bool) pinsede.FieldErrors {
	es := v.problems()
	v.fields.show(es, all)
	return es
}

// doRegister asks the domain for the registration off the UI goroutine.
func (v *delegationScreen) doRegister() {
	a := v.a
	if v.register.Disabled() || a.session == nil {
		return
	}
	if es := v.validate(true); len(es) > 0 {
		v.showProblems(es)
		return
	}
	if !v.checked.Checked {
		v.msg.set(msgError, lang.L("delegation.err.notchecked"))
		return
	}
	s, dl := a.session, v.delegation()
	v.msg.set(msgError, "")
	setBusy(true, v.progress, v.back, v.register)
	a.background(func() func() {
		_, err := a.desk.RegisterDelegation(s, dl)
		return func() {
			setBusy(false, v.progress, v.back, v.register)
			if a.session != s {
				return // logged out meanwhile
			}
			v.showOutcome(err)
		}
	})
}

// showProblems shows the problems under their fields, and in the message
// those of no field on the screen (the citizen's own data, from the
// record).
func (v *delegationScreen) showProblems(es pinsede.FieldErrors) {
	v.fields.show(es, true)
	msg := lang.L("form.haserrors")
	for _, e := range es {
		if _, ok := v.fields[e.Field]; !ok {
			msg += "\n" + i18n.Field(e)
		}
	}
	v.msg.set(msgError, msg)
	v.a.focusFirstProblem(v.fields)
}

// showOutcome opens the citizen's page again, saying the delegation is
// registered, or says on this screen why not.
func (v *delegationScreen) showOutcome(err error) {
	a := v.a
	var es pinsede.FieldErrors
	switch {
	case err == nil:
		a.showCitizen(v.citizen.CF())
		if a.citizen != nil {
			a.citizen.msg.set(msgSuccess, lang.L("delegation.done"))
		}
	case errors.As(err, &es):
		v.showProblems(v.partyProblems(es))
	default:
		v.msg.set(msgError, i18n.Message(err))
	}
}

// delegationRevokeDialog revokes a delegation at the request of either
// party: the reason and the clerk's confirmation that the document of the
// person asking was checked. On success the citizen's page opens again,
// showing the delegation revoked.
type delegationRevokeDialog struct {
	a       *App
	citizen pinsede.Citizen
	dl      pinsede.Delegation

	reason  *entry
	reasonF *field
	checked *check
	*actionDialog
}

// showRevokeDelegation opens the revocation dialog of delegation dl.
func (c *citizenScreen) showRevokeDelegation(dl pinsede.Delegation) {
	a := c.a
	d := &delegationRevokeDialog{a: a, citizen: c.page.Citizen, dl: dl}
	d.reason = a.newReasonEntry(lang.L("delegation.revoke.placeholder"))
	d.reasonF = newField(pinsede.FieldRevokeReason, lang.L("revoke.reason"), d.reason).keepProblemRoom(revokeReasonProblems)
	d.checked = a.newCheck(lang.L("delegation.revoke.checked"), func(bool) { a.touch() })
	d.actionDialog = a.newActionDialog(lang.L("delegation.revoke.confirm"), fynetheme.DeleteIcon(), d.doRevoke, lang.L("revoke.cancel"))
	d.about = string(c.page.Citizen.CF())
	d.confirm.Importance = widget.DangerImportance
	intro := note(lang.L("delegation.revoke.intro", map[string]any{
		"Delegante": dl.Delegante.FullName(), "Delegato": dl.Delegato.FullName(), "Form": string(dl.Form),
	}))
	c.revokeDeleg = d
	d.open(a, lang.L("delegation.revoke.title"), d.reason, []string{
		lang.L("delegation.revoke.err.notchecked"), lang.L("revoke.err.reason"),
	}, intro, d.reasonF.object, d.checked)
}

// doRevoke asks the domain for the revocation off the UI goroutine.
func (d *delegationRevokeDialog) doRevoke() {
	a := d.a
	if d.confirm.Disabled() || a.session == nil {
		return
	}
	if !d.checked.Checked {
		d.msg.set(msgError, lang.L("delegation.revoke.err.notchecked"))
		return
	}
	s, id, why := a.session, d.dl.ID, d.reason.Text
	d.msg.set(msgError, "")
	d.reasonF.setProblem("")
	d.setBusy(true)
	a.background(func() func() {
		_, err := a.desk.RevokeDelegation(s, id, why)
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
func (d *delegationRevokeDialog) showOutcome(err error) {
	var es pinsede.FieldErrors
	switch {
	case err == nil:
		d.dialog.Hide()
		d.a.showCitizen(d.citizen.CF())
	case errors.As(err, &es):
		if fe, ok := es.For(pinsede.FieldRevokeReason); ok {
			d.reasonF.setProblem(i18n.Field(fe))
		}
		d.msg.set(msgError, lang.L("revoke.err.reason"))
	default:
		d.msg.set(msgError, i18n.Message(err))
	}
}
