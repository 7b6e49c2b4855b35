package desk

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
)

// The request in progress (the MV35 and the identity check) is kept in the
// store as the clerk types (pinsede.Desk.SaveDraft): at each tick of the
// desk's timer (a second) checkDraft compares the forms with what it kept
// last, and keeps them again, off the UI goroutine, when they changed.
// After a crash or a power cut, the next login of the same operator on the
// same day offers to resume it (offerDraft). The draft goes when the
// request is issued (in the transaction), recorded as a choice of
// SPID, CIE or CNS, replaced by a new request, or left at the logout. A
// logout from the lock screen keeps it (logoutFromLock); a kiosk ticket
// taken as its clerk logged out is kept as that clerk's draft
// (keepTicket).
//
// A scanned document is not kept: after a resume the clerk attaches it
// again.

// draftState is what checkDraft kept last, and the order of the store's
// writes: each write is numbered on the UI goroutine, and one overtaken by
// a later write of the same operator's draft before it ran is not made, so
// that a save that runs late cannot bring back a draft wiped after it. A
// write of another operator's draft overtakes nothing: the draft a
// session kept at its end (logoutFromLock) stays.
type draftState struct {
	step   string
	fields map[string]string

	mu     sync.Mutex    // held by each write
	number atomic.Uint64 // the number of the latest write asked for
	latest sync.Map      // operator's id → the number of their latest write
}

// writeDraft makes the store's write op of the session's draft, numbered
// after every write asked for before it, off the UI goroutine; what names
// it in the log.
func (a *App) writeDraft(what string, op func(*pinsede.Session) error) {
	if a.session == nil {
		return
	}
	a.writeDraftOf(a.session, what, op)
}

// writeDraftOf is writeDraft for the draft of session s, which may have
// ended.
func (a *App) writeDraftOf(s *pinsede.Session, what string, op func(*pinsede.Session) error) {
	n := a.draft.number.Add(1)
	a.draft.latest.Store(s.Actor(), n)
	a.background(func() func() {
		a.draft.mu.Lock()
		defer a.draft.mu.Unlock()
		if latest, _ := a.draft.latest.Load(s.Actor()); latest != n {
			return nil // a later write overtook this one
		}
		if err := op(s); err != nil {
			a.cfg.Log.Warn("the request in progress could not be "+what, "err", err)
		}
		return nil
	})
}

// requestField is one field of the MV35 typed in an entry, as a draft
// keeps it: its name, its text in a request (as fill writes it) and its
// entry. The MV35's draft (draftFields, restoreDraft), its filling from a
// request (fill, through requestDraft) and the draft of a kiosk ticket
// kept (keepTicket) all read this one list, in the form's order. The sex
// and the country of residence, which are choices, follow it.
type requestField struct {
	name  string
	text  func(pinsede.Request) string
	entry func(*requestScreen) *entry
}

// requestFields are the MV35's entries.
var requestFields = []requestField{
	{pinsede.FieldCognome, func(q pinsede.Request) string { return q.Cognome }, func(r *requestScreen) *entry { return r.cognome }},
	{pinsede.FieldNome, func(q pinsede.Request) string { return q.Nome }, func(r *requestScreen) *entry { return r.nome }},
	{pinsede.FieldDataNascita, func(q pinsede.Request) string { return q.DataNascita.Italian() }, func(r *requestScreen) *entry { return r.dataNascita }},
	{pinsede.FieldLuogoNascita, func(q pinsede.Request) string { return placeText(q.LuogoNascita) }, func(r *requestScreen) *entry { return r.luogo.entry }},
	{fieldCatastale, func(q pinsede.Request) string { return q.LuogoNascita.Code }, func(r *requestScreen) *entry { return r.catastale }},
	{pinsede.FieldCodiceFiscale, func(q pinsede.Request) string { return string(q.CodiceFiscale) }, func(r *requestScreen) *entry { return r.cf }},
	{pinsede.FieldIndirizzo, func(q pinsede.Request) string { return q.Residenza.Street }, func(r *requestScreen) *entry { return r.indirizzo }},
	{pinsede.FieldComune, func(q pinsede.Request) string { return q.Residenza.City }, func(r *requestScreen) *entry { return r.comune }},
	{pinsede.FieldCAP, func(q pinsede.Request) string { return q.Residenza.CAP }, func(r *requestScreen) *entry { return r.cap }},
	{pinsede.FieldProvincia, func(q pinsede.Request) string { return q.Residenza.Province }, func(r *requestScreen) *entry { return r.provincia }},
	{pinsede.FieldCellulare, func(q pinsede.Request) string { return q.Recapiti.Mobile }, func(r *requestScreen) *entry { return r.cellulare }},
	{pinsede.FieldEmail, func(q pinsede.Request) string { return q.Recapiti.Email }, func(r *requestScreen) *entry { return r.email }},
	{pinsede.FieldTelefono, func(q pinsede.Request) string { return q.Recapiti.Landline }, func(r *requestScreen) *entry { return r.telefono }},
	{pinsede.FieldPEC, func(q pinsede.Request) string { return q.Recapiti.PEC }, func(r *requestScreen) *entry { return r.pec }},
}

// requestDraft returns request q as a draft keeps it: the fields of the
// MV35 filled with q, as draftFields reads them.
func requestDraft(q pinsede.Request) map[string]string {
	out := map[string]string{}
	for _, f := range requestFields {
		putDraft(out, f.name, f.text(q))
	}
	if slices.Contains(sexes, q.Sesso) {
		out[pinsede.FieldSesso] = string(q.Sesso)
	}
	// Even none: a request of no residence leaves the residence empty,
	// not the form's default.
	out[pinsede.FieldStato] = q.Residenza.Country
	return out
}

// draftFields returns what the MV35 holds, as typed; nothing for the
// fields left empty. The kiosk ticket it was opened from goes with it.
func (r *requestScreen) draftFields(out map[string]string) {
	for _, f := range requestFields {
		putDraft(out, f.name, f.entry(r).Text)
	}
	if i := slices.Index(r.sesso.Options, r.sesso.Selected); i >= 0 {
		out[pinsede.FieldSesso] = string(sexes[i])
	}
	putDraft(out, pinsede.FieldStato, r.stato.code())
	if r.ticket != nil {
		r.ticket.putDraft(out)
	}
}

// restoreDraft writes a draft's fields back into a new MV35, under the
// banner of the kiosk ticket it was opened from, if any.
func (r *requestScreen) restoreDraft(fields map[string]string) {
	for _, f := range requestFields {
		if v, ok := fields[f.name]; ok && f.name != pinsede.FieldLuogoNascita && f.name != fieldCatastale {
			f.entry(r).SetText(v)
		}
	}
	// The code first: typing it names the place; then the place as typed.
	if v, ok := fields[fieldCatastale]; ok {
		r.catastale.SetText(v)
	}
	if v, ok := fields[pinsede.FieldLuogoNascita]; ok {
		r.luogo.setText(v)
	}
	if i := slices.Index(sexes, pinsede.Sex(fields[pinsede.FieldSesso])); i >= 0 {
		r.sesso.SetSelected(r.sesso.Options[i])
	}
	if v, ok := fields[pinsede.FieldStato]; ok {
		r.stato.set(v)
	}
	if t, ok := draftTicket(fields); ok {
		r.showTicket(t)
	}
}

// draftEntries names the identity check's entries as the draft keeps them.
func (v *verifyScreen) draftEntries() map[string]*entry {
	return map[string]*entry{
		pinsede.FieldMRZ: v.mrz, pinsede.FieldDocNumber: v.number, pinsede.FieldDocAuthority: v.authority,
		pinsede.FieldDocIssued: v.issued, pinsede.FieldDocExpires: v.expires,
	}
}

// The names under which the draft keeps the identity check's boxes.
var draftChecks = []string{pinsede.FieldCheckOriginal, pinsede.FieldCheckPhoto, pinsede.FieldCheckSigned}

// checks returns the identity check's boxes, in the order of draftChecks.
func (v *verifyScreen) checks() []*check {
	return []*check{v.checkOriginal, v.checkPhoto, v.checkSigned}
}

// draftFields returns what the identity check holds, as typed.
func (v *verifyScreen) draftFields(out map[string]string) {
	for name, e := range v.draftEntries() {
		putDraft(out, name, e.Text)
	}
	putDraft(out, pinsede.FieldDocType, string(v.documentType()))
	putDraft(out, pinsede.FieldDocCountry, v.country.code())
	for i, c := range v.checks() {
		if c.Checked {
			out[draftChecks[i]] = "sì"
		}
	}
}

// restoreDraft writes a draft's fields back into the identity check. The
// MRZ goes first: reading it fills the document's fields, and those typed
// after it win.
func (v *verifyScreen) restoreDraft(fields map[string]string) {
	v.mrz.SetText(fields[pinsede.FieldMRZ])
	if i := slices.Index(pinsede.DocumentTypes(), pinsede.DocumentType(fields[pinsede.FieldDocType])); i >= 0 {
		v.docType.SetSelectedIndex(i)
	}
	if c, ok := fields[pinsede.FieldDocCountry]; ok {
		v.country.set(c)
	}
	for name, e := range v.draftEntries() {
		if val, ok := fields[name]; ok && name != pinsede.FieldMRZ {
			e.SetText(val)
		}
	}
	for i, c := range v.checks() {
		c.SetChecked(fields[draftChecks[i]] != "")
	}
}

// putDraft keeps a field's text when there is some.
func putDraft(out map[string]string, name, text string) {
	if text != "" {
		out[name] = text
	}
}

// draftNow returns the request in progress as a draft keeps it, and its
// step; ok is false when there is none, or nothing typed in it.
func (a *App) draftNow() (step string, fields map[string]string, ok bool) {
	if a.session == nil || a.request == nil {
		return "", nil, false
	}
	fields = map[string]string{}
	a.request.draftFields(fields)
	step = pinsede.DraftRequest
	if a.verify != nil {
		a.verify.draftFields(fields)
		if a.current.View == a.verify.screen.View {
			step = pinsede.DraftVerify
		}
	}
	return step, fields, len(fields) > 0
}

// checkDraft keeps the request in progress when it changed since it was
// last kept. It runs on the UI goroutine; the store's write does not.
func (a *App) checkDraft() {
	step, fields, ok := a.draftNow()
	if !ok || (step == a.draft.step && maps.Equal(fields, a.draft.fields)) {
		return
	}
	a.draft.step, a.draft.fields = step, fields
	a.writeDraft("kept", func(s *pinsede.Session) error { return a.desk.SaveDraft(s, step, fields) })
}

// keepDraftAgain keeps the request in progress now, whether or not it
// changed: an issue wiped its draft in its own transaction and then
// failed (the slip did not print, its PIN revoked), and the screens keep
// every field for a new attempt. Without it a crash, or a colleague's
// Esci on the lock screen, lost the request until the clerk typed again.
func (a *App) keepDraftAgain() {
	a.draft.step, a.draft.fields = "", nil
	a.checkDraft()
}

// dropDraft wipes the kept request in progress: it was finished, replaced
// or left.
func (a *App) dropDraft() {
	a.draft.step, a.draft.fields = "", nil
	a.writeDraft("wiped", a.desk.DiscardDraft)
}

// offerDraft tells, after a login, the slips of the operator whose print
// was cut short (their PINs revoked at the desk's start), or that were
// printing as the copy the store was restored from was made, until the
// operator closes the notice, then asks
// whether to resume the request the operator left today when the desk
// stopped: that of a slip cut short is kept again.
func (a *App) offerDraft() {
	s := a.session
	a.background(func() func() {
		un, uerr := a.desk.UnprintedSlips(s)
		dr, ok, err := a.desk.Draft(s)
		return func() {
			if uerr != nil {
				a.logger().Warn("the slips not printed could not be read", "err", uerr)
			}
			if a.session != s {
				return
			}
			offer := func() {
				switch {
				case err != nil:
					a.cfg.Log.Warn("the request in progress could not be read", "err", err)
					return
				case !ok || a.session != s || a.request != nil:
					return
				}
				name := dr.Fields[pinsede.FieldCognome] + " " + dr.Fields[pinsede.FieldNome]
				if name == " " {
					name = lang.L("draft.noname")
				}
				a.showDraftOffer(dr, name)
			}
			if len(un) == 0 {
				offer()
				return
			}
			d := a.newDialog(lang.L(unprintedTitle(un)), lang.L("OK"), dialogText(unprintedText(un)))
			d.SetIcon(fynetheme.WarningIcon())
			// Forgotten once the clerk closes it, by OK or Esc: the store
			// keeps it until then, for their next login, should a
			// colleague's Esci on the lock or the desk's end close it.
			d.SetOnClosed(func() {
				if a.session == s {
					a.background(func() func() {
						if err := a.desk.ForgetUnprinted(s, un); err != nil {
							a.logger().Warn("the slips not printed told could not be forgotten: told again at the next login", "err", err)
						}
						return nil
					})
				}
				offer()
			})
			a.showDialog(d)
		}
	})
}

// unprintedTitle is the key of the title of the notice of the slips un:
// that of a restore's when all were printing as the copy restored was
// made (their PINs active), else that of a print not recorded.
func unprintedTitle(un []pinsede.Unprinted) string {
	for _, u := range un {
		if !u.Restored {
			return "unprinted.title"
		}
	}
	return "unprinted.restored.title"
}

// unprintedText tells the slips un, whose print was cut short (their PINs
// revoked), or that were printing as the copy the store was restored
// from was made (their PINs active, valid if the citizen has the
// envelope).
func unprintedText(un []pinsede.Unprinted) string {
	msgs := make([]string, len(un))
	for i, u := range un {
		who := string(u.CodiceFiscale)
		if u.Citizen != "" {
			who = u.Citizen + " (" + who + ")"
		}
		key := "unprinted.message"
		if u.Restored {
			key = "unprinted.restored.message"
		}
		msgs[i] = lang.L(key, map[string]any{
			"Citizen": who, "Serial": u.SlipSerial, "When": u.Issued.Format("02/01/2006 15:04"),
		})
	}
	return strings.Join(msgs, "\n\n")
}

// showDraftOffer asks whether to resume dr, the request of the citizen
// name (and of the kiosk ticket it keeps, if any). Riprendi has the
// keyboard: Enter or Space resumes it. Scarta
// wipes it; Esc closes the question and wipes nothing, the draft being
// offered again at the next login until a new request replaces it (Esc
// answered no, and wiped what a colleague's Esci on the lock screen had
// kept).
func (a *App) showDraftOffer(dr pinsede.Draft, name string) {
	offer, args := "draft.offer", map[string]any{"Time": dr.Saved.Format("15:04"), "Name": name}
	if t, ok := draftTicket(dr.Fields); ok { // the citizen is called by the ticket's number
		offer, args["Number"] = "draft.offer.ticket", t.number
	}
	d := dialog.NewCustomWithoutButtons(lang.L("draft.title"), dialogText(lang.L(offer, args)), a.win)
	d.SetIcon(fynetheme.QuestionIcon())
	discard := a.button(lang.L("draft.discard"), fynetheme.DeleteIcon(), func() {
		d.Hide()
		a.dropDraft()
	})
	resume := a.button(lang.L("draft.resume"), fynetheme.ConfirmIcon(), func() {
		d.Hide()
		a.resumeDraft(dr)
	})
	resume.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{discard, resume})
	a.showDialogFocus(d, resume)
}

// resumeDraft opens the request of a draft on the screen it was left on.
func (a *App) resumeDraft(dr pinsede.Draft) {
	a.request = a.newRequestScreen()
	a.request.restoreDraft(dr.Fields)
	a.verify = nil
	a.draft.step, a.draft.fields = dr.Step, dr.Fields
	if dr.Step == pinsede.DraftVerify {
		a.verify = a.newVerifyScreen()
		a.verify.restoreDraft(dr.Fields)
		a.showVerify()
		return
	}
	a.request.validate(false)
	a.show(a.request.screen)
}
