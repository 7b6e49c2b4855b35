package desk

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// citizenScreen is everything the desk knows about one citizen: personal
// data, each credential and the history. Opening it is audited by the
// domain.
type citizenScreen struct {
	a          *App
	page       pinsede.CitizenPage
	newRequest *button
	back       *button
	// replaceSlip holds the "Sostituisci busta" button of each active
	// credential, by id; replace is the dialog last opened by one.
	replaceSlip map[string]*button
	replace     *replaceDialog
	// handover holds the "Registra consegna" button of each printed slip
	// not yet handed over, by credential id (handover.go).
	handover map[string]*button
	// revokeCred holds the "Revoca" button of each active credential, by
	// id; revoke is the dialog last opened by one.
	revokeCred map[string]*button
	revoke     *revokeDialog
	// convertCred holds the "Converti in dispositivo" button of each
	// active PIN ordinario, by id; convertScreen is the conversion last
	// opened by one (convert.go).
	convertCred   map[string]*button
	convertScreen *convertScreen
	// central is the lookup of the citizen's credentials at centrale that
	// the sede does not hold (convert.go); nil without centrale.
	central *centralLookup
	// registerDelegation opens delegation, the delegation form;
	// revokeDelegation holds the "Revoca delega" button of each delegation
	// in force or to come, by id, and revokeDeleg is the dialog last
	// opened by one (delegation.go).
	registerDelegation *button
	delegation         *delegationScreen
	revokeDelegation   map[string]*button
	revokeDeleg        *delegationRevokeDialog
	// msg says the outcome of the action that led back to the page.
	msg    *message
	screen screen
}

// showCitizen opens a citizen's page. A walk-in found at centrale from
// the home screen (home.go), of whom the sede holds nothing, has no page
// at the sede: back from the conversion, the page shown before opens again
// and looks them up at centrale anew.
func (a *App) showCitizen(cf pinsede.CodiceFiscale) {
	p, err := a.desk.Citizen(a.session, cf)
	if prev := a.citizen; errors.Is(err, pinsede.ErrNotFound) && prev != nil && prev.page.Unknown && prev.page.Citizen.CF() == cf {
		p, err = prev.page, nil
		p.Central = nil
	}
	if err != nil {
		msg := newMessage()
		msg.set(msgError, i18n.Message(err))
		a.show(screen{Title: lang.L("citizen.title"), View: a.page(msg.box, false)})
		return
	}
	a.openCitizen(p, false)
}

// openCitizen shows the citizen's page p. lookedUp says that p comes from
// a lookup at centrale (the home screen's, CentralCitizen), whose findings
// the page lists; otherwise the page looks the citizen up at centrale by
// itself when the sede holds no PIN of theirs.
func (a *App) openCitizen(p pinsede.CitizenPage, lookedUp bool) {
	a.citizen = a.newCitizenScreen(p)
	a.show(a.citizen.screen)
	switch l := a.citizen.central; {
	case l == nil:
	case lookedUp:
		l.show(p.Central, nil)
	case len(p.Credentials) == 0:
		l.lookUp() // a PIN obtained online, which the sede does not hold (convert.go)
	}
}

func (a *App) newCitizenScreen(p pinsede.CitizenPage) *citizenScreen {
	c := &citizenScreen{
		a: a, page: p, replaceSlip: map[string]*button{}, handover: map[string]*button{}, revokeCred: map[string]*button{},
		convertCred: map[string]*button{}, revokeDelegation: map[string]*button{}, msg: newMessage(),
	}
	c.newRequest = a.primaryButton(lang.L("citizen.newrequest"), fynetheme.DocumentCreateIcon(), func() {
		a.unlessTyped(lang.L("request.new.confirm"), func() {
			if p.Unknown { // no MV35 to start from: the codice fiscale only
				a.newRequestFor(nil)
				a.request.cf.SetText(string(p.Citizen.CF()))
				return
			}
			cit := p.Citizen
			a.newRequestFor(&cit)
		})
	})
	c.back = a.button(lang.L("nav.home"), fynetheme.HomeIcon(), a.showHome)

	name, personal := a.personalData(p)

	now := a.desk.Now()
	creds := []fyne.CanvasObject{}
	// first is the first action on the citizen's PIN, which takes the
	// keyboard when the page opens: the handover of a slip not yet handed
	// over, else the replacement, one Tab before Revoca, else the
	// conversion of a PIN ordinario obtained elsewhere (five Tabs away,
	// past the page's buttons and values, when nothing had it).
	var first fyne.Focusable
	if len(p.Credentials) == 0 {
		creds = append(creds, note(lang.L("citizen.nocredentials")))
	}
	for i, cr := range p.Credentials {
		if i > 0 {
			creds = append(creds, widget.NewSeparator())
		}
		pairs := [][]fyne.CanvasObject{
			row(lang.L("cred.type"), lang.L("credtype."+string(cr.Type))),
			{lowLabel(lang.L("cred.state")), stateLabel(cr.StateAt(now))},
		}
		if cr.Type == pinsede.Telefonico && cr.Validity.Valid() {
			pairs = append(pairs, row(lang.L("cred.validity"), lang.L("telephone.validity."+string(cr.Validity))))
		}
		pairs = append(pairs,
			row(lang.L("cred.issued"), when(cr.IssuedAt)),
			row(lang.L("cred.expires"), day(cr.ExpiresAt)),
			row(lang.L("cred.by"), issuedBy(cr)),
			a.copyRow(lang.L("issue.serial"), dash(cr.SlipSerial)),
			row(lang.L("cred.handedover"), handover(cr)),
		)
		if !cr.ConvertedAt.IsZero() {
			pairs = append(pairs, row(lang.L("cred.converted"), lang.L("cred.converted.value", map[string]any{
				"When": when(cr.ConvertedAt), "By": cr.ConvertedBy,
			})))
		}
		if cr.State == pinsede.StateRevocato {
			pairs = append(pairs, row(lang.L("cred.revoked"), lang.L("cred.revoked.value", map[string]any{
				"When": when(cr.RevokedAt), "By": cr.RevokedBy, "Reason": reason(cr.RevokeReason),
			})))
		}
		creds = append(creds, rows(pairs...))
		if cr.Active(now) && cr.Sede == a.session.Sede.Code { // another sede's, converted here: centrale holds it (convert.go)
			if cr.Can(pinsede.TransitionHandOver, now) == nil { // its own line, first: the next step
				ho := a.primaryButton(lang.L("issue.handover"), fynetheme.ConfirmIcon(), func() { c.confirmHandover(cr) })
				c.handover[cr.ID] = ho
				creds = append(creds, container.NewHBox(ho))
				if first == nil {
					first = ho
				}
			}
			b := a.button(lang.L("citizen.replaceslip"), fynetheme.MailReplyIcon(), func() { c.showReplace(cr) })
			c.replaceSlip[cr.ID] = b
			if first == nil {
				first = b
			}
			rv := a.button(lang.L("citizen.revoke"), fynetheme.DeleteIcon(), func() { c.showRevoke(cr) })
			c.revokeCred[cr.ID] = rv
			creds = append(creds, container.NewHBox(b, rv))
		}
		// Its own line: the column is half the page.
		if cr.Can(pinsede.TransitionConvert, now) == nil {
			cv := a.button(lang.L("citizen.convert"), fynetheme.UploadIcon(), func() { c.showConvert(cr) })
			c.convertCred[cr.ID] = cv
			if first == nil {
				first = cv
			}
			creds = append(creds, container.NewHBox(cv))
		}
	}

	creds = append(creds, c.newCentralLookup()...)

	delegations := []fyne.CanvasObject{note(lang.L("citizen.delegations.intro"))}
	if len(p.Delegations) == 0 {
		delegations = append(delegations, note(lang.L("citizen.nodelegations")))
	}
	for _, dl := range p.Delegations {
		delegations = append(delegations, widget.NewSeparator(), rows(c.delegationRows(dl, pinsede.DateOf(now))...))
		if st := dl.StateOn(pinsede.DateOf(now)); st == pinsede.DelegationActive || st == pinsede.DelegationFuture {
			b := a.button(lang.L("citizen.delegation.revoke"), fynetheme.DeleteIcon(), func() { c.showRevokeDelegation(dl) })
			c.revokeDelegation[dl.ID] = b
			delegations = append(delegations, container.NewHBox(b))
		}
	}
	if !p.Unknown { // a delegation names the citizen: an MV35 comes first
		c.registerDelegation = a.button(lang.L("citizen.delegation.register"), fynetheme.ContentAddIcon(), c.showRegisterDelegation)
		delegations = append(delegations, container.NewHBox(c.registerDelegation))
	}

	history := []fyne.CanvasObject{}
	if len(p.History) == 0 {
		history = append(history, note(lang.L("citizen.nohistory")))
	}
	for _, e := range p.History {
		t := lowLabel(when(e.ActedAt())) // another desk's act: when it was done there
		act := widget.NewLabelWithStyle(lang.L("audit."+string(e.Action)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		actor := widget.NewLabel(e.Actor)
		detail := widget.NewLabel(e.Detail)
		detail.Wrapping = fyne.TextWrapWord
		history = append(history, container.New(&historyLayout{}, t, act, actor, detail))
	}
	if len(p.History) > 0 {
		head := func(key string) fyne.CanvasObject { return lowLabel(lang.L(key)) }
		history = append([]fyne.CanvasObject{
			container.New(&historyLayout{}, head("history.when"), head("history.action"), head("history.actor"), head("history.detail")),
			widget.NewSeparator(),
		}, history...)
	}

	body := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(c.back, c.newRequest),
			title(name)),
		c.msg.box,
		container.New(&columnsLayout{ratio: 0.5},
			section(lang.L("citizen.personal"), personal),
			section(lang.L("citizen.credentials"), creds...)),
		section(lang.L("citizen.delegations"), delegations...),
		section(lang.L("citizen.history"), history...),
	)
	c.screen = screen{Title: lang.L("citizen.title"), View: a.page(body, true), Focus: first}
	return c
}

// personalData returns the title and the personal data of page p: the
// citizen's name, their last MV35 and the document last verified; for a
// citizen the sede holds no record of, the codice fiscale alone and a note
// that the rest comes with an MV35.
func (a *App) personalData(p pinsede.CitizenPage) (string, fyne.CanvasObject) {
	r := p.Citizen.Request
	if p.Unknown {
		return lang.L("citizen.unknown.name"), container.NewVBox(
			rows(a.copyRow(lang.L("field.codice_fiscale"), string(r.CodiceFiscale))), note(lang.L("citizen.unknown.intro")))
	}
	residence := strings.Join(nonEmpty(r.Residenza.Street,
		strings.TrimSpace(r.Residenza.CAP+" "+r.Residenza.City+provinceSuffix(r.Residenza.Province)),
		countryName(r.Residenza.Country)), ", ")
	// Roma (RM, H501): the province tells apart two comuni of one name.
	place := r.LuogoNascita.Name
	if in := nonEmpty(r.LuogoNascita.Province, r.LuogoNascita.Code); len(in) > 0 {
		place += " (" + strings.Join(in, ", ") + ")"
	}
	doc := p.Citizen.Document
	return r.FullName(), rows(
		a.copyRow(lang.L("field.codice_fiscale"), string(r.CodiceFiscale)),
		row(lang.L("field.sesso"), lang.L("sex."+string(r.Sesso))),
		row(lang.L("citizen.born"), lang.L("citizen.born.value", map[string]any{"Date": r.DataNascita.Italian(), "Place": place})),
		row(lang.L("mv35.residenza"), residence),
		row(lang.L("field.cellulare"), dash(r.Recapiti.Mobile)),
		row(lang.L("field.telefono"), dash(r.Recapiti.Landline)),
		row(lang.L("field.email"), dash(r.Recapiti.Email)),
		row(lang.L("field.pec"), dash(r.Recapiti.PEC)),
		row(lang.L("citizen.document"), documentText(doc)),
		row(lang.L("citizen.updated"), when(p.Citizen.UpdatedAt)),
	)
}

// delegationRows describes a delegation from the side of the citizen of
// the page: to whom they delegate, or by whom they are delegated; its
// state on today, form, period, registration and revocation.
func (c *citizenScreen) delegationRows(dl pinsede.Delegation, today pinsede.Date) [][]fyne.CanvasObject {
	role, other := "citizen.delegation.to", dl.Delegato
	if dl.Delegante.CodiceFiscale != c.page.Citizen.CF() {
		role, other = "citizen.delegation.by", dl.Delegante
	}
	period := lang.L("citizen.delegation.open", map[string]any{"From": dl.From.Italian()})
	if !dl.Until.IsZero() {
		period = lang.L("citizen.delegation.until", map[string]any{"From": dl.From.Italian(), "Until": dl.Until.Italian()})
	}
	pairs := [][]fyne.CanvasObject{
		row(lang.L(role), other.FullName()+" ("+string(other.CodiceFiscale)+")"),
		{lowLabel(lang.L("cred.state")), delegationStateLabel(dl.StateOn(today))},
		row(lang.L("citizen.delegation.form"), lang.L("delegation.form."+string(dl.Form))),
	}
	if dl.MedicalCertificate != "" {
		pairs = append(pairs, row(lang.L("field."+pinsede.FieldDelegationCertificate), dl.MedicalCertificate))
	}
	pairs = append(pairs,
		row(lang.L("citizen.delegation.period"), period),
		row(lang.L("citizen.delegation.registered"), lang.L("citizen.delegation.registered.value", map[string]any{
			"When": when(dl.RegisteredAt), "By": dl.RegisteredBy, "Sede": dl.Sede,
		})))
	if !dl.RevokedAt.IsZero() {
		pairs = append(pairs, row(lang.L("citizen.delegation.revoked"), lang.L("cred.revoked.value", map[string]any{
			"When": when(dl.RevokedAt), "By": dl.RevokedBy, "Reason": dl.RevokeReason,
		})))
	}
	return pairs
}

// delegationStateLabel shows a delegation's state in its colour: green in
// force, blue to come, red revoked, amber ended.
func delegationStateLabel(state pinsede.DelegationState) *widget.Label {
	l := widget.NewLabelWithStyle(lang.L("delegationstate."+string(state)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	switch state {
	case pinsede.DelegationActive:
		l.Importance = widget.SuccessImportance
	case pinsede.DelegationFuture:
		l.Importance = widget.HighImportance
	case pinsede.DelegationRevoked:
		l.Importance = widget.DangerImportance
	default:
		l.Importance = widget.WarningImportance
	}
	return l
}

// stateLabel shows a credential's state in its colour: green active, red
// revoked, amber expired.
func stateLabel(state pinsede.CredentialState) *widget.Label {
	l := widget.NewLabelWithStyle(lang.L("state."+string(state)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	switch state {
	case pinsede.StateAttivo:
		l.Importance = widget.SuccessImportance
	case pinsede.StateRevocato:
		l.Importance = widget.DangerImportance
	default:
		l.Importance = widget.WarningImportance
	}
	return l
}

// handover writes who received a credential's envelope, and when.
func handover(c pinsede.Credential) string {
	if c.HandedOverAt.IsZero() {
		return lang.L("cred.notyet")
	}
	return lang.L("cred.handedover.value", map[string]any{"When": when(c.HandedOverAt), "By": c.HandedOverBy})
}

// reason translates the revocation reasons the desk writes itself; others
// (from other channels) show as recorded.
func reason(r string) string {
	switch r {
	case pinsede.ReasonReplaced:
		return lang.L("reason.replaced")
	case pinsede.ReasonPrintFailed:
		return lang.L("reason.printfailed")
	case pinsede.ReasonSlipLost:
		return lang.L("reason.sliplost")
	case pinsede.ReasonSlipSpoiled:
		return lang.L("reason.slipspoiled")
	}
	return r
}

// documentText describes the document last verified, "–" for a citizen
// recorded with none (a choice of SPID, CIE or CNS).
func documentText(doc pinsede.Document) string {
	if !doc.Type.Valid() {
		return dash("")
	}
	return lang.L("citizen.document.value", map[string]any{
		"Type": lang.L("doc." + string(doc.Type)), "Number": doc.Number, "Expires": doc.ExpiresOn.Italian(),
	})
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func provinceSuffix(p string) string {
	if p == "" {
		return ""
	}
	return " (" + p + ")"
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// historyLayout lays an audit entry out in columns: time, action, actor,
// detail (the rest of the width).
type historyLayout struct{}

var historyColumns = [3]float32{150, 260, 130}

func (l *historyLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(historyColumns[0]+historyColumns[1]+historyColumns[2]+100, h)
}

func (l *historyLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := size.Width - x
		if i < len(historyColumns) {
			w = historyColumns[i]
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}
