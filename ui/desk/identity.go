package desk

import (
	"slices"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// identityView is what the MV35 shows about the person's identity besides
// the problems of each field: the domain's disagreements between the
// codice fiscale and the data, each under the field it names; the code
// computed from the data, to propose; the notes (an omocode that matches,
// a place code not in force on the birth date, what the document's MRZ
// contradicts, a holder with one name only, as the MRZ says).
type identityView struct {
	problems pinsede.FieldErrors
	notes    map[string]fieldNote
	// computed is the code to propose, "" when the data do not make one or
	// the code typed is already it (or one of its omocodes).
	computed pinsede.CodiceFiscale
}

// keyCFMismatch is the problem the codice fiscale shows when it disagrees
// with fields that show why.
const keyCFMismatch = "mv35.cf.mismatch"

// identity works out the identityView of the form, given its problems es.
// Every rule is the domain's: EncodeCodiceFiscale, CompareCodiceFiscale,
// CheckPlace, MRZ.Prefill.
func (r *requestScreen) identity(es pinsede.FieldErrors) identityView {
	req := r.request()
	v := identityView{notes: map[string]fieldNote{}}
	warn := func(field, text string) {
		if _, ok := v.notes[field]; !ok {
			v.notes[field] = fieldNote{text: text, kind: noteWarning}
		}
	}

	typed, typedErr := pinsede.ParseCodiceFiscale(string(req.CodiceFiscale))
	computed, err := pinsede.EncodeCodiceFiscale(req.Cognome, req.Nome, req.Sesso, req.DataNascita, req.LuogoNascita.Code)
	if err != nil {
		computed = ""
	}
	var ms []pinsede.Mismatch
	if typedErr == nil {
		ms = pinsede.CompareCodiceFiscale(typed, req)
	}

	// The domain files the disagreements on the code: show each under the
	// field it names, and on the code a pointer to them.
	v.problems = make(pinsede.FieldErrors, 0, len(es))
	moved := false
	for _, e := range es {
		if e.Field == pinsede.FieldCodiceFiscale {
			if i := slices.IndexFunc(ms, func(m pinsede.Mismatch) bool { return m.Key == e.Key }); i >= 0 {
				e.Field, moved = ms[i].Field, true
			}
		}
		v.problems = append(v.problems, e)
	}
	if moved {
		if _, ok := v.problems.For(pinsede.FieldCodiceFiscale); !ok {
			v.problems = append(v.problems, pinsede.FieldError{Field: pinsede.FieldCodiceFiscale, Key: keyCFMismatch})
		}
	}
	// The letters of the surname and name only warn: a code issued from
	// another spelling of a foreign name stays its holder's.
	for _, m := range ms {
		if m.Key == pinsede.KeyCFMismatchSurname || m.Key == pinsede.KeyCFMismatchName {
			warn(m.Field, i18n.Field(pinsede.FieldError(m)))
		}
	}

	switch {
	case typedErr != nil || computed == "" || len(ms) > 0:
	case typed.IsOmocode() && typed.Canonical() == computed:
		v.notes[pinsede.FieldCodiceFiscale] = fieldNote{text: lang.L("mv35.cf.omocode", map[string]any{"Code": string(computed)}), kind: noteOK}
	case typed == computed:
		v.notes[pinsede.FieldCodiceFiscale] = fieldNote{text: lang.L("mv35.cf.match"), kind: noteOK}
	}
	if computed != "" && (typedErr != nil || typed.Canonical() != computed) {
		v.computed = computed
	}

	if code := req.LuogoNascita.Code; code != "" {
		if w, err := pinsede.CheckPlace(code, req.DataNascita); err == nil && w != "" {
			warn(pinsede.FieldLuogoNascita, lang.L(w))
		}
	}
	if r.luogo.notFound() {
		warn(pinsede.FieldLuogoNascita, lang.L("place.notfound"))
	}

	// What the document's MRZ, read on the verification screen, says
	// against the data typed here; for a holder with one name only, why
	// the surname is the name.
	if m := r.a.mrzRead(); m != nil {
		var doc pinsede.Document
		for _, mm := range m.Prefill(&req, &doc) {
			warn(mm.Field, i18n.Field(pinsede.FieldError(mm)))
		}
		for _, w := range m.Warnings() {
			warn(pinsede.FieldCognome, i18n.Field(w))
		}
	}
	return v
}

// mrzRead returns the MRZ read on the verification screen of the request in
// progress, nil when none.
func (a *App) mrzRead() *pinsede.MRZ {
	if a.verify == nil {
		return nil
	}
	return a.verify.mrzRead
}

// fieldLabel returns the label of a field of the MV35 or the verification,
// for a sentence that names it.
func fieldLabel(name string) string { return lang.L("field." + name) }
