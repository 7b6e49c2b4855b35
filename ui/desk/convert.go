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

// convertScreen turns a citizen's active PIN ordinario into a PIN
// dispositivo: the identity check of an issue (the document and the
// clerk's checklist), then "Converti in dispositivo". No PIN is printed:
// the citizen keeps theirs. On success the citizen's page opens again,
// saying so.
type convertScreen struct {
	a       *App
	citizen pinsede.Citizen
	cred    pinsede.Credential
	// central is true for a credential found at centrale that the sede
	// does not hold (centralLookup): the domain converts it with
	// ConvertCentral.
	central bool

	doc *documentForm
	checklist
	back, convert *button
	progress      *widget.ProgressBarInfinite
	msg           *message
	fields        fields
	screen        screen
}

// showConvert opens the conversion of credential cred of the citizen on
// the page.
func (c *citizenScreen) showConvert(cred pinsede.Credential) { c.openConvert(cred, false) }

// openConvert opens the conversion of cred, which is held at centrale
// only when central is true.
func (c *citizenScreen) openConvert(cred pinsede.Credential, central bool) {
	a := c.a
	v := &convertScreen{a: a, citizen: c.page.Citizen, cred: cred, central: central, fields: fields{}}
	validate := func() { v.validate(false) }
	f := func(name, label string, input fyne.CanvasObject) fyne.CanvasObject {
		return a.liveField(v.fields, validate, name, label, input)
	}
	v.doc = a.newDocumentForm(v.fields, func(name string) string { return name }, validate)
	v.checklist = a.newChecklist(v.fields, validate)
	v.back = a.button(lang.L("convert.back"), fynetheme.NavigateBackIcon(), func() { a.showCitizen(v.citizen.CF()) })
	v.convert = a.primaryButton(lang.L("convert.confirm"), fynetheme.ConfirmIcon(), v.doConvert)
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Stop()
	v.progress.Hide()
	v.msg = newMessage()

	name := v.citizen.Request.FullName()
	if name == "" { // a walk-in known only at centrale
		name = lang.L("citizen.unknown.name")
	}
	who := widget.NewLabelWithStyle(lang.L("convert.who", map[string]any{
		"Name": name, "CF": string(cred.CodiceFiscale), "Issued": day(cred.IssuedAt), "Expires": day(cred.ExpiresAt),
	}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(
		title(lang.L("convert.title")),
		section("", who, note(lang.L("convert.intro"))),
		section(lang.L("verify.document"), v.doc.grid()),
		section(lang.L("verify.checks"),
			note(lang.L("verify.checks.intro")),
			f(pinsede.FieldCheckOriginal, "", v.checkOriginal),
			f(pinsede.FieldCheckPhoto, "", v.checkPhoto),
			f(pinsede.FieldCheckSigned, "", v.checkSigned),
		),
	)
	// Torna al cittadino and Converti at the foot, out of the scroll
	// (footedPage): a long error pushed them below the window.
	view, _ := a.footedPage(body, v.msg.box,
		container.NewVBox(v.progress, container.NewHBox(v.back, layout.NewSpacer(), v.convert)))
	v.screen = screen{Title: lang.L("convert.short"), View: view, Focus: v.doc.docType}
	c.convertScreen = v
	a.show(v.screen)
}

// verification reads the form.
func (v *convertScreen) verification() pinsede.Verification {
	return v.checklist.verification(v.doc.document())
}

// validate shows the problems of the touched fields, or of all of them.
func (v *convertScreen) validate(all bool) pinsede.FieldErrors {
	ver := v.verification()
	es := v.doc.dateProblems(ver.Validate(v.a.today()))
	v.fields.show(es, all)
	return es
}

// doConvert asks the domain for the conversion off the UI goroutine.
func (v *convertScreen) doConvert() {
	a := v.a
	if v.convert.Disabled() || a.session == nil {
		return
	}
	if es := v.validate(true); len(es) > 0 {
		v.msg.set(msgError, lang.L("form.haserrors"))
		a.focusFirstProblem(v.fields)
		return
	}
	s, id, cf, ver := a.session, v.cred.ID, v.cred.CodiceFiscale, v.verification()
	v.msg.set(msgError, "")
	setBusy(true, v.progress, v.back, v.convert)
	a.background(func() func() {
		var err error
		if v.central {
			ctx, cancel := issueContext()
			_, err = a.desk.ConvertCentral(ctx, s, cf, id, ver)
			cancel()
		} else {
			_, err = a.desk.Convert(s, id, ver)
		}
		return func() {
			setBusy(false, v.progress, v.back, v.convert)
			if a.session != s {
				return // logged out meanwhile
			}
			v.showOutcome(err)
		}
	})
}

// showOutcome opens the citizen's page again, saying the PIN is now
// dispositivo, or says on this screen why not.
func (v *convertScreen) showOutcome(err error) {
	a := v.a
	var es pinsede.FieldErrors
	switch {
	case err == nil:
		a.showCitizen(v.citizen.CF())
		if a.citizen != nil {
			a.citizen.msg.set(msgSuccess, lang.L("convert.done"))
		}
	case errors.As(err, &es):
		v.fields.show(es, true)
		v.msg.set(msgError, lang.L("form.haserrors"))
		a.focusFirstProblem(v.fields)
	case errors.Is(err, pinsede.ErrTransition), errors.Is(err, pinsede.ErrNotActive):
		v.msg.set(msgError, lang.L("convert.err.notordinario"))
	case v.central && errors.Is(err, pinsede.ErrNotFound):
		v.msg.set(msgError, lang.L("convert.err.notatcentrale"))
	default:
		v.msg.set(msgError, i18n.Message(err))
	}
}

// centralLookup is the part of a citizen's page that looks the citizen up
// at centrale: "Cerca a centrale", then the credentials centrale holds
// and the sede does not (a PIN obtained online or at another sede), each
// active PIN ordinario with its "Converti in dispositivo".
type centralLookup struct {
	c      *citizenScreen
	search *button
	msg    *message
	found  *fyne.Container
	// convert holds the "Converti in dispositivo" button of each active
	// PIN ordinario found, by id.
	convert map[string]*button
}

// newCentralLookup returns the objects of the lookup for the citizen's
// credentials, none when the desk has no centrale.
func (c *citizenScreen) newCentralLookup() []fyne.CanvasObject {
	a := c.a
	if a.desk.Central == nil {
		return nil
	}
	l := &centralLookup{c: c, msg: newMessage(), found: container.NewVBox(), convert: map[string]*button{}}
	l.search = a.button(lang.L("citizen.central.search"), fynetheme.SearchIcon(), l.lookUp)
	c.central = l
	return []fyne.CanvasObject{widget.NewSeparator(), container.NewHBox(l.search), l.msg.box, l.found}
}

// lookUp asks the domain for the citizen's credentials at centrale, off
// the UI goroutine, and shows them.
func (l *centralLookup) lookUp() {
	a := l.c.a
	if l.search.Disabled() || a.session == nil {
		return
	}
	s, cf := a.session, l.c.page.Citizen.CF()
	l.search.Disable()
	l.msg.set(msgInfo, lang.L("citizen.central.searching"))
	a.background(func() func() {
		ctx, cancel := issueContext()
		found, err := a.desk.CentralCredentials(ctx, s, cf)
		cancel()
		return func() {
			l.search.Enable()
			if a.session != s {
				return // logged out meanwhile
			}
			l.show(found, err)
		}
	})
}

// show lists the credentials found, or says why there are none.
func (l *centralLookup) show(found []pinsede.Credential, err error) {
	a := l.c.a
	l.found.RemoveAll()
	clear(l.convert)
	switch {
	case err != nil:
		l.msg.set(msgError, i18n.Message(err))
		return
	case len(found) == 0:
		l.msg.set(msgInfo, lang.L("citizen.central.none"))
		return
	}
	l.msg.set(msgInfo, lang.L("citizen.central.found"))
	now := a.desk.Now()
	for i, cr := range found {
		if i > 0 {
			l.found.Add(widget.NewSeparator())
		}
		pairs := [][]fyne.CanvasObject{
			row(lang.L("cred.type"), lang.L("credtype."+string(cr.Type))),
			{lowLabel(lang.L("cred.state")), stateLabel(cr.StateAt(now))},
			row(lang.L("cred.issued"), day(cr.IssuedAt)),
			row(lang.L("cred.expires"), day(cr.ExpiresAt)),
			row(lang.L("cred.by"), issuedBy(cr)),
		}
		if !cr.ConvertedAt.IsZero() {
			pairs = append(pairs, row(lang.L("cred.converted"), lang.L("cred.converted.value", map[string]any{
				"When": when(cr.ConvertedAt), "By": cr.ConvertedBy,
			})))
		}
		if cr.State == pinsede.StateRevocato && cr.RevokeReason != "" {
			pairs = append(pairs, row(lang.L("cred.revoked"), reason(cr.RevokeReason)))
		}
		l.found.Add(rows(pairs...))
		if cr.Can(pinsede.TransitionConvert, now) == nil {
			b := a.button(lang.L("citizen.convert"), fynetheme.UploadIcon(), func() { l.c.openConvert(cr, true) })
			l.convert[cr.ID] = b
			l.found.Add(container.NewHBox(b))
		}
	}
}

// issuedBy says who issued a credential: the operator and the sede, or
// the sede (or channel) alone for one issued elsewhere, whose operator
// the desk does not know.
func issuedBy(c pinsede.Credential) string {
	if c.IssuedBy == "" {
		return lang.L("cred.by.sede", map[string]any{"Sede": c.Sede})
	}
	return lang.L("cred.by.value", map[string]any{"Operator": c.IssuedBy, "Sede": c.Sede})
}
