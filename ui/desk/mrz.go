package desk

import (
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// mrzShortest is the length of the shortest MRZ (TD2, 2 x 36): from there
// on, a problem of the MRZ shows while it is typed.
const mrzShortest = 72

// mrzChanged reads the MRZ on every change. Once it parses, it fills the
// empty fields of the document and of the MV35 with what it says; the
// fields already typed are compared with it (see mrzNotes).
func (v *verifyScreen) mrzChanged() {
	if v.a.verify != v {
		return // a screen already dropped
	}
	text := v.mrz.Text
	m, err := pinsede.ParseMRZ(text, v.a.desk.Now())
	fl := v.fields[pinsede.FieldMRZ]
	if err != nil {
		v.mrzRead, v.mrzErr = nil, err
		if strings.TrimSpace(text) == "" {
			v.mrzErr = nil
		} else if mrzLength(text) >= mrzShortest {
			fl.touched = true
		}
	} else {
		v.mrzRead, v.mrzErr = &m, nil
		fl.touched = true
		v.prefill(m)
	}
	if r := v.a.request; r != nil {
		r.validate(false)
	}
}

// mrzKey handles the keys that end an MRZ: the Enter a keyboard-wedge
// reader sends after the last line, or the clerk's, moves on once the zone
// parses, to what it left to do (nextTodo: the issuing authority, say);
// before, it starts the next line.
func (v *verifyScreen) mrzKey(k *fyne.KeyEvent) bool {
	if k.Name != fyne.KeyReturn && k.Name != fyne.KeyEnter || v.mrzRead == nil {
		return false
	}
	v.nextTodo()
	return true
}

// nextTodo moves the focus to what is left to do on the identity check:
// the first field of the document left empty, else the first check not
// ticked, else Emetti PIN (pressed with Space or Ctrl+Enter: Enter never
// issues). Enter in a field of the document calls it, as the MRZ
// reader's last Enter does.
func (v *verifyScreen) nextTodo() {
	c := v.a.win.Canvas()
	if c == nil {
		return
	}
	blank := func(e *entry) bool { return strings.TrimSpace(e.Text) == "" }
	for _, x := range []struct {
		left bool
		to   fyne.Focusable
	}{
		{v.docType.SelectedIndex() < 0, v.docType},
		{blank(v.number), v.number},
		{blank(v.authority), v.authority},
		{v.country.code() == "", v.country.entry},
		{blank(v.issued), v.issued},
		{blank(v.expires), v.expires},
		{!v.checkOriginal.Checked, v.checkOriginal},
		{!v.checkPhoto.Checked, v.checkPhoto},
		{!v.checkSigned.Checked, v.checkSigned},
	} {
		if x.left {
			c.Focus(x.to)
			return
		}
	}
	c.Focus(v.issue)
}

// mrzLength counts the characters of an MRZ as ParseMRZ reads them: line
// breaks and spaces aside.
func mrzLength(s string) int {
	n := 0
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\r' && r != '\n' {
			n++
		}
	}
	return n
}

// prefill writes what m says in the empty fields of the document and of
// the MV35 (pinsede.MRZ.Prefill decides which): a field typed already keeps
// its text. A field filled shows its problems at once (an expired
// document, say).
func (v *verifyScreen) prefill(m pinsede.MRZ) {
	r := v.a.request
	// The type first: choosing it sets the country of an Italian document.
	if v.docType.SelectedIndex() < 0 {
		if t := m.DocumentType(); t != "" {
			v.docType.SetSelectedIndex(slices.Index(pinsede.DocumentTypes(), t))
		}
	}
	// A field the last MRZ filled, untouched since, counts as empty: a
	// second document read replaces the first one's data.
	for e, s := range v.mrzFilled {
		if e.Text == s {
			e.SetText("")
		}
	}
	if v.mrzCountry != "" && v.country.code() == v.mrzCountry {
		v.country.set("")
	}
	req, doc := r.request(), v.verification().Document
	m.Prefill(&req, &doc)
	v.mrzFilled = map[*entry]string{}
	fill := func(fs fields, name string, e *entry, s string) {
		if strings.TrimSpace(e.Text) == "" && s != "" {
			fs[name].touched = true
			e.SetText(s)
			v.mrzFilled[e] = s
		}
	}
	fill(v.fields, pinsede.FieldDocNumber, v.number, doc.Number)
	v.mrzCountry = ""
	if v.country.code() == "" && doc.Country != "" {
		v.fields[pinsede.FieldDocCountry].touched = true
		v.country.set(doc.Country)
		v.mrzCountry = doc.Country
	}
	if !doc.ExpiresOn.IsZero() {
		fill(v.fields, pinsede.FieldDocExpires, v.expires, doc.ExpiresOn.Italian())
	}
	fill(r.fields, pinsede.FieldCognome, r.cognome, req.Cognome)
	fill(r.fields, pinsede.FieldNome, r.nome, req.Nome)
	if r.sesso.Selected == "" && req.Sesso != "" {
		r.sesso.SetSelected(lang.L("sex." + string(req.Sesso)))
	}
	if !req.DataNascita.IsZero() {
		fill(r.fields, pinsede.FieldDataNascita, r.dataNascita, req.DataNascita.Italian())
	}
}

// mrzProblems returns why the MRZ typed does not parse: the message names
// the line and position, and for a check digit the digit that fits.
func (v *verifyScreen) mrzProblems() pinsede.FieldErrors {
	var fe pinsede.FieldError
	if errors.As(v.mrzErr, &fe) {
		return pinsede.FieldErrors{fe}
	}
	return nil
}

// mrzNotes returns the notes of the verification's fields: under each
// document field the MRZ contradicts, the two values; under the MRZ, that
// it was read, or what to check: the MRZ's own warnings (a holder with one
// name only, written as both cognome and nome) and which fields of the MV35
// it contradicts (they show the values on the MV35).
func (v *verifyScreen) mrzNotes() map[string]fieldNote {
	notes := map[string]fieldNote{}
	m := v.mrzRead
	if m == nil {
		return notes
	}
	req, doc := v.a.request.request(), v.verification().Document
	var mv35 []string
	for _, mm := range m.Prefill(&req, &doc) {
		if _, ok := v.fields[mm.Field]; ok {
			notes[mm.Field] = fieldNote{text: i18n.Field(mrzDisplay(mm)), kind: noteWarning}
			continue
		}
		mv35 = append(mv35, fieldLabel(mm.Field))
	}
	var warnings []string
	for _, w := range m.Warnings() {
		warnings = append(warnings, i18n.Field(w))
	}
	if len(mv35) > 0 {
		warnings = append(warnings, lang.L("verify.mrz.mv35", map[string]any{"Fields": strings.Join(mv35, ", ")}))
	}
	if len(warnings) > 0 {
		notes[pinsede.FieldMRZ] = fieldNote{text: strings.Join(warnings, " "), kind: noteWarning}
	} else {
		notes[pinsede.FieldMRZ] = fieldNote{text: lang.L("verify.mrz.ok", map[string]any{"Format": string(m.Format)}), kind: noteOK}
	}
	return notes
}

// mrzDisplay writes a mismatch's values as the form shows them: a
// document type and a state by name.
func mrzDisplay(mm pinsede.Mismatch) pinsede.FieldError {
	fe := pinsede.FieldError(mm)
	var name func(string) string
	switch mm.Field {
	case pinsede.FieldDocType:
		name = func(s string) string { return lang.L("doc." + s) }
	case pinsede.FieldDocCountry:
		name = countryName
	default:
		return fe
	}
	fe.Args = map[string]any{}
	for k, x := range mm.Args {
		if s, ok := x.(string); ok && s != "" {
			x = name(s)
		}
		fe.Args[k] = x
	}
	return fe
}
