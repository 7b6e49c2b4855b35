package desk

import (
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
)

// requestScreen is the modello MV35: who asks for the PIN and how to reach
// them. Each field shows its problem live once the clerk has left it (the
// codice fiscale as soon as it is complete), and all of them on "Avanti".
// A field in error keeps what was typed.
type requestScreen struct {
	a *App

	// policy shows the refusal the residence gives, as soon as it is
	// chosen (policy.go); refusedCF is the codice fiscale whose refusal
	// was recorded when the MV35 was submitted.
	policy    *policyPanel
	refusedCF pinsede.CodiceFiscale

	cognome, nome *entry
	sesso         *choice
	dataNascita   *entry
	luogo         *placePicker
	catastale     *entry
	// pickedCode is the code the picker wrote, pickedPlace the place's
	// text it wrote with it; namedPlace the place's text written from a
	// code typed.
	pickedCode, pickedPlace, namedPlace string
	cf                                  *entry
	// cfUse proposes the codice fiscale computed from the data, cfComputed.
	cfUse      *button
	cfComputed pinsede.CodiceFiscale

	stato                             *countryPicker
	indirizzo, cap, comune, provincia *entry

	cellulare, telefono, email, pec *entry

	// ticket is the kiosk ticket the request was opened from, shown in
	// its banner and kept with its draft; nil for none.
	ticket *calledTicket

	next, cancel *button
	msg          *message
	fields       fields
	// order is the fields in the order of the form, to focus the first
	// one in error.
	order  []*field
	screen screen
}

// sexOptions are the radio's options, in the order of pinsede's sexes.
var sexes = []pinsede.Sex{pinsede.SexMale, pinsede.SexFemale}

// newRequestFor starts a new MV35, filled with a citizen's last request
// when c is not nil. It drops any request in progress.
func (a *App) newRequestFor(c *pinsede.Citizen) {
	a.dropDraft()
	a.request = a.newRequestScreen()
	a.verify = nil
	if c != nil {
		a.request.fill(c.Request)
	}
	a.show(a.request.screen)
}

// showRequest goes back to the request in progress, as it was.
func (a *App) showRequest() {
	if a.request == nil {
		a.newRequestFor(nil)
		return
	}
	a.show(a.request.screen)
}

func (a *App) newRequestScreen() *requestScreen {
	r := &requestScreen{a: a, fields: fields{}}
	r.cognome = a.newEntry("")
	r.nome = a.newEntry("")
	sexLabels := make([]string, len(sexes))
	for i, s := range sexes {
		sexLabels[i] = lang.L("sex." + string(s))
	}
	// The desk's choice, not Fyne's radio buttons, which do not tell a
	// key held down: Space held on M went on to the date of birth, as a
	// press does, and its repeats wrote spaces after the date typed
	// there (keyRepeats). Chosen, it stays chosen, as Space on the sex
	// already chosen unticked it once and the MV35 lost what was typed.
	r.sesso = a.newChoice(sexLabels, true, func(s string) {
		a.touch()
		r.fields[pinsede.FieldSesso].touched = true
		r.validate(false)
		// Chosen from the keyboard (Space on M or F): on to the date of
		// birth, as a Tab past the other choice would.
		if s != "" && a.focusWithin(r.sesso.object) {
			a.win.Canvas().Focus(r.dataNascita)
		}
	})
	r.dataNascita = a.newEntry(lang.L("date.placeholder"))
	r.luogo = a.newPlacePicker(lang.L("mv35.luogo.placeholder"), r.placePicked)
	r.luogo.onEdit = r.placeEdited
	r.catastale = a.newEntry(lang.L("mv35.catastale.placeholder"))
	r.catastale.onChange(r.placeCodeTyped)
	r.cf = a.newEntry("")
	r.cfUse = a.button("", fynetheme.ContentPasteIcon(), r.useComputed)
	r.cfUse.Hide()
	r.policy = a.newPolicyPanel(lang.L("policy.override.continue"), r.continueToOverride)
	r.stato = a.newCountryPicker(func(code string) {
		if code == "IT" || code == "" {
			r.provincia.Enable()
		} else {
			r.provincia.Disable()
		}
		r.fields[pinsede.FieldStato].touched = true
		r.validate(false)
		r.checkResidence(false)
	})
	r.indirizzo = a.newEntry(lang.L("mv35.indirizzo.placeholder"))
	r.stato.after = r.indirizzo
	r.luogo.after = r.cf // the choice filled the codice catastale
	r.cap = a.newEntry("")
	r.comune = a.newEntry("")
	r.provincia = a.newEntry(lang.L("mv35.provincia.placeholder"))
	r.cellulare = a.newEntry(lang.L("mv35.phone.placeholder"))
	r.telefono = a.newEntry("")
	r.email = a.newEntry("")
	r.pec = a.newEntry("")
	// Enter in any one-line field submits the MV35, as on the login.
	for _, e := range []*entry{r.cognome, r.nome, r.dataNascita, r.catastale, r.cf, r.indirizzo, r.cap, r.comune, r.provincia, r.cellulare, r.telefono, r.email, r.pec} {
		e.OnSubmitted = func(string) { r.submit() }
	}
	r.next = a.primaryButton(lang.L("mv35.next"), fynetheme.NavigateNextIcon(), r.submit)
	r.next.IconPlacement = widget.ButtonIconTrailingText
	r.cancel = a.button(lang.L("mv35.cancel"), fynetheme.CancelIcon(), a.showHome)
	r.msg = newMessage()

	f := func(name, label string, input fyne.CanvasObject) fyne.CanvasObject {
		fl := r.fields.add(newField(name, label, input))
		r.order = append(r.order, fl)
		if e, ok := input.(*entry); ok {
			e.onChange(func(string) { r.changed(fl) })
			e.onLeave = func() {
				if a.lock.locked {
					return
				}
				fl.touched = fl.touched || fl.edited
				r.validate(false)
			}
		}
		return fl.object
	}
	grid := twoColumns
	body := container.NewVBox(
		title(lang.L("mv35.title")),
		note(lang.L("mv35.intro")),
		section(lang.L("mv35.anagrafica"),
			grid(
				f(pinsede.FieldCognome, lang.L("field.cognome"), r.cognome),
				f(pinsede.FieldNome, lang.L("field.nome"), r.nome),
				f(pinsede.FieldSesso, lang.L("field.sesso"), r.sesso.object),
				f(pinsede.FieldDataNascita, lang.L("field.data_nascita"), r.dataNascita),
				f(pinsede.FieldLuogoNascita, lang.L("field.luogo_nascita"), r.luogo.entry),
				f(fieldCatastale, lang.L("field.codice_catastale"), r.catastale),
				f(pinsede.FieldCodiceFiscale, lang.L("field.codice_fiscale"), r.cf),
				// Beside the code, aligned with its entry: the proposal.
				newField("", " ", container.NewHBox(r.cfUse)).object,
			)),
		section(lang.L("mv35.residenza"),
			grid(
				f(pinsede.FieldStato, lang.L("field.stato"), r.stato.box),
				f(pinsede.FieldIndirizzo, lang.L("field.indirizzo"), r.indirizzo),
				f(pinsede.FieldComune, lang.L("field.comune"), r.comune),
				container.NewGridWithColumns(2,
					f(pinsede.FieldCAP, lang.L("field.cap"), r.cap),
					f(pinsede.FieldProvincia, lang.L("field.provincia"), r.provincia)),
			),
			r.policy.box),
		section(lang.L("mv35.recapiti"),
			note(lang.L("mv35.recapiti.note")),
			grid(
				// The mobile and the e-mail first, one Tab apart: most
				// citizens give those two, and no others.
				f(pinsede.FieldCellulare, lang.L("field.cellulare"), r.cellulare),
				f(pinsede.FieldEmail, lang.L("field.email"), r.email),
				f(pinsede.FieldTelefono, lang.L("field.telefono"), r.telefono),
				f(pinsede.FieldPEC, lang.L("field.pec"), r.pec),
			)),
	)
	// While the policy serves only residents abroad, the residence has
	// no default: the clerk asks, and a resident of Italy hears it now.
	if !a.desk.CurrentPolicy().LimitsResidence(a.today()) {
		r.stato.set("IT")
	}
	r.fields[pinsede.FieldStato].touched = false
	// Annulla and Avanti at the foot, out of the scroll (footedPage): the
	// form is two screens tall at 1280×800, and they were below the window.
	view, _ := a.footedPage(body, r.msg.box, container.NewHBox(r.cancel, layout.NewSpacer(), a.tipped(r.next, keyCtrlEnter)))
	r.screen = screen{Title: lang.L("mv35.short"), View: view, Focus: r.cognome, Primary: r.next}
	return r
}

// fieldCatastale is the codice catastale of the place of birth: the picker
// fills it, the clerk may type it. The domain checks it against its table
// and against the codice fiscale.
const fieldCatastale = "codice_catastale"

// placePicked fills the code of the place chosen in the picker.
func (r *requestScreen) placePicked(pl pinsede.PlaceInfo) {
	r.catastale.SetText(pl.Code)
	r.pickedCode, r.pickedPlace = pl.Code, pl.String()
	r.fields[pinsede.FieldLuogoNascita].touched = true
	r.fields[fieldCatastale].touched = true
	r.validate(false)
}

// placeEdited empties the code the picker wrote when the clerk changes the
// place it came with: a code typed by hand stays. The place written back
// as chosen (cut and pasted back, an edit undone) brings its code back, in
// the code's entry left empty: the place's cut and paste emptied the code
// for good, and the next paste, on the code, wrote the place there
// (TestXInputEveryKey's quiet keys).
func (r *requestScreen) placeEdited() {
	r.namedPlace = ""
	if r.pickedCode == "" {
		return
	}
	code := strings.TrimSpace(r.catastale.Text)
	switch {
	case strings.TrimSpace(r.luogo.text()) == r.pickedPlace:
		if code == "" {
			r.catastale.SetText(r.pickedCode)
		}
	case code == r.pickedCode:
		r.catastale.SetText("")
	}
}

// placeCodeTyped names the place of a code typed in its own entry, when
// the place's entry is empty or holds the name of the code typed before:
// the name the place had on the birth date, or its last one.
func (r *requestScreen) placeCodeTyped(code string) {
	if t := strings.TrimSpace(r.luogo.text()); t != "" && t != r.namedPlace {
		return
	}
	ps, ok := pinsede.LookupPlace(code)
	if !ok {
		if r.namedPlace != "" {
			r.luogo.setText("")
			r.namedPlace = ""
		}
		return
	}
	pl := ps[len(ps)-1]
	if birth, err := pinsede.ParseDate(r.dataNascita.Text); err == nil {
		for _, p := range ps {
			if p.ValidOn(birth) {
				pl = p
			}
		}
	}
	r.namedPlace = pl.String()
	r.luogo.setText(r.namedPlace)
}

// useComputed writes the computed codice fiscale in its entry.
func (r *requestScreen) useComputed() {
	if r.cfComputed == "" {
		return
	}
	r.cf.SetText(string(r.cfComputed))
	r.fields[pinsede.FieldCodiceFiscale].touched = true
	r.validate(false)
	// On to the residence, the next field: not back to the top.
	r.a.win.Canvas().Focus(r.stato.entry)
}

// changed runs on every edit of an entry: it restarts the live checks. The
// codice fiscale counts as touched once it has its full length, so a wrong
// check character shows while the clerk still has the card in hand.
func (r *requestScreen) changed(fl *field) {
	fl.edited = true
	if fl.name == pinsede.FieldCodiceFiscale && cfComplete(fl.entry.Text) {
		fl.touched = true
	}
	r.validate(false)
}

// cfComplete reports whether s is as long as a codice fiscale.
func cfComplete(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) >= 16 {
		return true
	}
	if len(s) != 11 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// request reads the form. Dates that do not parse are left zero and
// reported by problems.
func (r *requestScreen) request() pinsede.Request {
	d, _ := pinsede.ParseDate(r.dataNascita.Text)
	var sex pinsede.Sex
	if i := slices.Index(r.sesso.Options, r.sesso.Selected); i >= 0 {
		sex = sexes[i]
	}
	return pinsede.Request{
		Cognome:       strings.TrimSpace(r.cognome.Text),
		Nome:          strings.TrimSpace(r.nome.Text),
		Sesso:         sex,
		DataNascita:   d,
		LuogoNascita:  r.birthPlace(),
		CodiceFiscale: pinsede.CodiceFiscale(r.cf.Text),
		Residenza: pinsede.Address{
			Street:   strings.TrimSpace(r.indirizzo.Text),
			CAP:      strings.TrimSpace(r.cap.Text),
			City:     strings.TrimSpace(r.comune.Text),
			Province: provinceFor(r.stato.code(), r.provincia.Text),
			Country:  r.stato.code(),
		},
		Recapiti: pinsede.Contacts{
			Mobile:   strings.TrimSpace(r.cellulare.Text),
			Landline: strings.TrimSpace(r.telefono.Text),
			Email:    strings.TrimSpace(r.email.Text),
			PEC:      strings.TrimSpace(r.pec.Text),
		},
	}
}

// birthPlace reads the place of birth: the picker's name and province, and
// the code.
func (r *requestScreen) birthPlace() pinsede.Place {
	pl := r.luogo.place()
	pl.Code = strings.ToUpper(strings.TrimSpace(r.catastale.Text))
	return pl
}

// provinceFor keeps the province only for an Italian address: the entry is
// disabled abroad but keeps what was typed.
func provinceFor(country, p string) string {
	if country != "IT" {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(p))
}

// fill puts a request in a new form, as a draft of it (requestDraft)
// would, and shows the problems of every field.
func (r *requestScreen) fill(q pinsede.Request) {
	r.restoreDraft(requestDraft(q))
	for _, f := range r.fields {
		f.touched = true
	}
	r.validate(false)
}

// problems validates the form as of today: the domain's problems, and a
// date typed in a form the domain cannot read.
func (r *requestScreen) problems() pinsede.FieldErrors {
	req := r.request()
	es := placeCodeField(req.Validate(r.a.today()))
	return withDateFormat(es, pinsede.FieldDataNascita, r.dataNascita.Text)
}

// placeCodeField moves the problems of the place's code to the code's own
// entry: the domain files them under the place of birth.
func placeCodeField(es pinsede.FieldErrors) pinsede.FieldErrors {
	out := make(pinsede.FieldErrors, len(es))
	for i, e := range es {
		if e.Field == pinsede.FieldLuogoNascita && (e.Key == pinsede.KeyPlaceCode || e.Key == pinsede.KeyPlaceUnknown) {
			e.Field = fieldCatastale
		}
		out[i] = e
	}
	return out
}

// withDateFormat replaces the problems of a date field with "wrong format",
// or "no such day" for a date well written that is not in the calendar
// (pinsede.DateKey), when its text is not empty and does not parse.
func withDateFormat(es pinsede.FieldErrors, field, text string) pinsede.FieldErrors {
	if strings.TrimSpace(text) == "" {
		return es
	}
	_, err := pinsede.ParseDate(text)
	if err == nil {
		return es
	}
	out := pinsede.FieldErrors{{Field: field, Key: pinsede.DateKey(err)}}
	for _, e := range es {
		if e.Field != field {
			out = append(out, e)
		}
	}
	return out
}

// validate shows the problems of the touched fields, or of all of them,
// and the notes: what the codice fiscale and the MRZ say about the data,
// the code computed from them.
func (r *requestScreen) validate(all bool) pinsede.FieldErrors {
	es := r.problems()
	id := r.identity(es)
	r.fields.show(id.problems, all)
	r.fields.setNotes(id.notes)
	r.propose(id.computed)
	if len(es) == 0 {
		r.msg.set(msgError, "")
	}
	return id.problems
}

// propose offers the computed code when it differs from the one typed.
func (r *requestScreen) propose(computed pinsede.CodiceFiscale) {
	r.cfComputed = computed
	if computed == "" {
		r.cfUse.Hide()
		return
	}
	if text := lang.L("mv35.cf.use", map[string]any{"Code": string(computed)}); r.cfUse.Text != text {
		r.cfUse.SetText(text)
	}
	r.cfUse.Show()
}

// submit checks everything and goes on to the identity verification.
func (r *requestScreen) submit() {
	if es := r.validate(true); len(es) > 0 {
		r.msg.set(msgError, lang.L("form.haserrors"))
		r.focusFirst(es)
		return
	}
	r.msg.set(msgError, "")
	if r.checkResidence(true) {
		r.a.win.Canvas().Focus(r.policy.override)
		return
	}
	r.a.showVerify()
}

// checkResidence shows the panel of the refusal the residence gives under
// the policy in force, or hides it, and reports whether it refuses. With
// submitted set the refusal is recorded (audit entry and event), once for
// each codice fiscale the MV35 is submitted with.
func (r *requestScreen) checkResidence(submitted bool) bool {
	if r.stato.code() == "" || r.a.session == nil {
		r.policy.hide()
		return false
	}
	req := r.request()
	audit := submitted && r.refusedCF != req.CodiceFiscale
	err := r.a.desk.PolicyRefusal(r.a.session, req, nil, audit)
	if audit && errors.Is(err, pinsede.ErrNotEligible) {
		r.refusedCF = req.CodiceFiscale
	}
	if err == nil {
		r.policy.hide()
		return false
	}
	r.policy.show(req, err)
	return true
}

// continueToOverride goes on to the identity check with the refusal shown
// there, where a supervisor may override it once the document is checked.
func (r *requestScreen) continueToOverride(p *policyPanel) {
	if es := r.validate(true); len(es) > 0 {
		r.msg.set(msgError, lang.L("form.haserrors"))
		r.focusFirst(es)
		return
	}
	r.a.showVerify()
	r.a.verify.policy.show(p.req, p.err)
}

// focusFirst gives the keyboard to the first entry with a problem.
func (r *requestScreen) focusFirst(es pinsede.FieldErrors) {
	for _, f := range r.order {
		if _, ok := es.For(f.name); ok && f.entry != nil && !f.entry.Disabled() {
			r.a.win.Canvas().Focus(f.entry)
			return
		}
	}
}

// showErrors shows problems found by the issue, and returns whether any was
// about this form.
func (r *requestScreen) showErrors(es pinsede.FieldErrors) bool {
	es = r.identity(placeCodeField(es)).problems
	if !r.fields.has(es) {
		return false
	}
	r.fields.show(es, true)
	r.msg.set(msgError, lang.L("form.haserrors"))
	return true
}
