package desk

import (
	"maps"
	"slices"
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

// draftEntries names the request's entries as the draft keeps them.
func (r *requestScreen) draftEntries() map[string]*entry {
	return map[string]*entry{
		pinsede.FieldCognome: r.cognome, pinsede.FieldNome: r.nome, pinsede.FieldDataNascita: r.dataNascita,
		pinsede.FieldLuogoNascita: r.luogo.entry, fieldCatastale: r.catastale, pinsede.FieldCodiceFiscale: r.cf,
		pinsede.FieldIndirizzo: r.indirizzo, pinsede.FieldCAP: r.cap, pinsede.FieldComune: r.comune,
		pinsede.FieldProvincia: r.provincia, pinsede.FieldCellulare: r.cellulare, pinsede.FieldTelefono: r.telefono,
		pinsede.FieldEmail: r.email, pinsede.FieldPEC: r.pec,
	}
}

// draftFields returns what the MV35 holds, as typed; nothing for the
// fields left empty.
func (r *requestScreen) draftFields(out map[string]string) {
	for name, e := range r.draftEntries() {
		putDraft(out, name, e.Text)
	}
	if i := slices.Index(r.sesso.Options, r.sesso.Selected); i >= 0 {
		out[pinsede.FieldSesso] = string(sexes[i])
	}
	putDraft(out, pinsede.FieldStato, r.stato.code())
}

// restoreDraft writes a draft's fields back into the MV35.
func (r *requestScreen) restoreDraft(fields map[string]string) {
	for name, e := range r.draftEntries() {
		if v, ok := fields[name]; ok && name != pinsede.FieldLuogoNascita && name != fieldCatastale {
			e.SetText(v)
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

// dropDraft wipes the kept request in progress: it was finished, replaced
// or left.
func (a *App) dropDraft() {
	a.draft.step, a.draft.fields = "", nil
	a.writeDraft("wiped", a.desk.DiscardDraft)
}

// offerDraft asks, after a login, whether to resume the request the
// operator left today when the desk stopped.
func (a *App) offerDraft() {
	s := a.session
	a.background(func() func() {
		dr, ok, err := a.desk.Draft(s)
		return func() {
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
	})
}

// showDraftOffer asks whether to resume dr, the request of the citizen
// name. Riprendi has the keyboard: Enter or Space resumes it. Scarta
// wipes it; Esc closes the question and wipes nothing, the draft being
// offered again at the next login until a new request replaces it (Esc
// answered no, and wiped what a colleague's Esci on the lock screen had
// kept).
func (a *App) showDraftOffer(dr pinsede.Draft, name string) {
	d := dialog.NewCustomWithoutButtons(lang.L("draft.title"),
		dialogText(lang.L("draft.offer", map[string]any{"Time": dr.Saved.Format("15:04"), "Name": name})), a.win)
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
