package desk

import (
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
	newRequest *widget.Button
	back       *widget.Button
	// replaceSlip holds the "Sostituisci busta" button of each active
	// credential, by id; replace is the dialog last opened by one.
	replaceSlip map[string]*widget.Button
	replace     *replaceDialog
	// revokeCred holds the "Revoca" button of each active credential, by
	// id; revoke is the dialog last opened by one.
	revokeCred map[string]*widget.Button
	revoke     *revokeDialog
	screen     screen
}

// showCitizen opens a citizen's page.
func (a *App) showCitizen(cf pinsede.CodiceFiscale) {
	p, err := a.desk.Citizen(a.session, cf)
	if err != nil {
		msg := newMessage()
		msg.set(msgError, i18n.Message(err))
		a.show(screen{Title: lang.L("citizen.title"), View: a.page(msg.box, false)})
		return
	}
	a.citizen = a.newCitizenScreen(p)
	a.show(a.citizen.screen)
}

func (a *App) newCitizenScreen(p pinsede.CitizenPage) *citizenScreen {
	c := &citizenScreen{a: a, page: p, replaceSlip: map[string]*widget.Button{}, revokeCred: map[string]*widget.Button{}}
	r := p.Citizen.Request
	c.newRequest = a.primaryButton(lang.L("citizen.newrequest"), fynetheme.DocumentCreateIcon(), func() {
		cit := p.Citizen
		a.newRequestFor(&cit)
	})
	c.back = a.button(lang.L("nav.home"), fynetheme.HomeIcon(), a.showHome)

	residence := strings.Join(nonEmpty(r.Residenza.Street,
		strings.TrimSpace(r.Residenza.CAP+" "+r.Residenza.City+provinceSuffix(r.Residenza.Province)),
		countryName(r.Residenza.Country)), ", ")
	// Roma (RM, H501): the province tells apart two comuni of one name.
	place := r.LuogoNascita.Name
	if in := nonEmpty(r.LuogoNascita.Province, r.LuogoNascita.Code); len(in) > 0 {
		place += " (" + strings.Join(in, ", ") + ")"
	}
	doc := p.Citizen.Document
	personal := rows(
		row(lang.L("field.codice_fiscale"), string(r.CodiceFiscale)),
		row(lang.L("field.sesso"), lang.L("sex."+string(r.Sesso))),
		row(lang.L("citizen.born"), lang.L("citizen.born.value", map[string]any{"Date": r.DataNascita.Italian(), "Place": place})),
		row(lang.L("mv35.residenza"), residence),
		row(lang.L("field.cellulare"), dash(r.Recapiti.Mobile)),
		row(lang.L("field.telefono"), dash(r.Recapiti.Landline)),
		row(lang.L("field.email"), dash(r.Recapiti.Email)),
		row(lang.L("field.pec"), dash(r.Recapiti.PEC)),
		row(lang.L("citizen.document"), lang.L("citizen.document.value", map[string]any{
			"Type": lang.L("doc." + string(doc.Type)), "Number": doc.Number, "Expires": doc.ExpiresOn.Italian(),
		})),
		row(lang.L("citizen.updated"), when(p.Citizen.UpdatedAt)),
	)

	now := a.desk.Now()
	creds := []fyne.CanvasObject{}
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
			row(lang.L("cred.issued"), when(cr.IssuedAt)),
			row(lang.L("cred.expires"), day(cr.ExpiresAt)),
			row(lang.L("cred.by"), lang.L("cred.by.value", map[string]any{"Operator": cr.IssuedBy, "Sede": cr.Sede})),
			row(lang.L("issue.serial"), cr.SlipSerial),
			row(lang.L("cred.handedover"), handover(cr)),
		}
		if cr.State == pinsede.StateRevocato {
			pairs = append(pairs, row(lang.L("cred.revoked"), lang.L("cred.revoked.value", map[string]any{
				"When": when(cr.RevokedAt), "By": cr.RevokedBy, "Reason": reason(cr.RevokeReason),
			})))
		}
		creds = append(creds, rows(pairs...))
		if cr.Active(now) {
			b := a.button(lang.L("citizen.replaceslip"), fynetheme.MailReplyIcon(), func() { c.showReplace(cr) })
			c.replaceSlip[cr.ID] = b
			rv := a.button(lang.L("citizen.revoke"), fynetheme.DeleteIcon(), func() { c.showRevoke(cr) })
			c.revokeCred[cr.ID] = rv
			creds = append(creds, container.NewHBox(b, rv))
		}
	}

	history := []fyne.CanvasObject{}
	if len(p.History) == 0 {
		history = append(history, note(lang.L("citizen.nohistory")))
	}
	for _, e := range p.History {
		t := lowLabel(when(e.Time))
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
			title(r.FullName())),
		container.New(&columnsLayout{ratio: 0.5},
			section(lang.L("citizen.personal"), personal),
			section(lang.L("citizen.credentials"), creds...)),
		section(lang.L("citizen.history"), history...),
	)
	c.screen = screen{Title: lang.L("citizen.title"), View: a.page(body, true)}
	return c
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
