package desk

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
)

// liveField lays out a field of a form kept in fs whose problems show as
// the clerk types, as on the verification screen: validate runs at each
// change of an entry and when the clerk leaves it.
func (a *App) liveField(fs fields, validate func(), name, label string, input fyne.CanvasObject) fyne.CanvasObject {
	fl := fs.add(newField(name, label, input))
	if e, ok := input.(*entry); ok {
		e.onChange(func(string) {
			fl.edited = true
			validate()
		})
		e.onLeave = func() {
			if a.lock.locked {
				return
			}
			fl.touched = fl.touched || fl.edited
			validate()
		}
	}
	return fl.object
}

// documentForm is the identity document of a person, as the verification
// screen asks it: type, number, authority, state, issue and expiry dates.
type documentForm struct {
	docType           *dropdown
	number, authority *entry
	country           *countryPicker
	issued, expires   *entry
	// name gives the form's name of each of the document's fields
	// (pinsede.FieldDocType...): as is on the conversion, prefixed on the
	// delegation.
	name    func(string) string
	objects []fyne.CanvasObject
}

// newDocumentForm builds the document's fields, recorded in fs under the
// names name gives them, with validate run as they change.
func (a *App) newDocumentForm(fs fields, name func(string) string, validate func()) *documentForm {
	d := &documentForm{name: name}
	chosen := func(field string) {
		fs[name(field)].touched = true
		validate()
	}
	names := make([]string, len(pinsede.DocumentTypes()))
	for i, t := range pinsede.DocumentTypes() {
		names[i] = lang.L("doc." + string(t))
	}
	d.docType = a.newDropdown(names, func(string) {
		a.touch()
		t := d.documentType()
		switch {
		case t.Valid() && !t.Foreign():
			d.country.set("IT")
		case t.Foreign() && d.country.code() == "IT":
			d.country.set("")
		}
		chosen(pinsede.FieldDocType)
	})
	d.docType.PlaceHolder = lang.L("common.choose")
	d.number = a.newEntry("")
	d.authority = a.newEntry(lang.L("verify.authority.placeholder"))
	d.country = a.newCountryPicker(func(string) { chosen(pinsede.FieldDocCountry) })
	d.issued = a.newEntry(lang.L("date.placeholder"))
	d.country.after = d.issued
	d.expires = a.newEntry(lang.L("date.placeholder"))
	for _, x := range []struct {
		field string
		input fyne.CanvasObject
	}{
		{pinsede.FieldDocType, d.docType}, {pinsede.FieldDocNumber, d.number},
		{pinsede.FieldDocAuthority, d.authority}, {pinsede.FieldDocCountry, d.country.box},
		{pinsede.FieldDocIssued, d.issued}, {pinsede.FieldDocExpires, d.expires},
	} {
		d.objects = append(d.objects, a.liveField(fs, validate, name(x.field), lang.L("field."+x.field), x.input))
	}
	return d
}

// grid lays the document's fields out two by two.
func (d *documentForm) grid() fyne.CanvasObject { return d.columns(2) }

// columns lays the document's fields out n a row.
func (d *documentForm) columns(n int) fyne.CanvasObject { return columns(n, d.objects...) }

// documentType returns the chosen type, "" for none.
func (d *documentForm) documentType() pinsede.DocumentType {
	if i := d.docType.SelectedIndex(); i >= 0 {
		return pinsede.DocumentTypes()[i]
	}
	return ""
}

// document reads the fields.
func (d *documentForm) document() pinsede.Document {
	issued, _ := pinsede.ParseDate(d.issued.Text)
	expires, _ := pinsede.ParseDate(d.expires.Text)
	return pinsede.Document{
		Type:      d.documentType(),
		Number:    d.number.Text,
		Authority: strings.TrimSpace(d.authority.Text),
		Country:   d.country.code(),
		IssuedOn:  issued,
		ExpiresOn: expires,
	}
}

// set fills the fields with doc, as a record holds it.
func (d *documentForm) set(doc pinsede.Document) {
	if i := slices.Index(pinsede.DocumentTypes(), doc.Type); i >= 0 {
		d.docType.SetSelectedIndex(i)
	}
	d.number.SetText(doc.Number)
	d.authority.SetText(doc.Authority)
	if doc.Country != "" {
		d.country.set(doc.Country)
	}
	if !doc.IssuedOn.IsZero() {
		d.issued.SetText(doc.IssuedOn.Italian())
	}
	if !doc.ExpiresOn.IsZero() {
		d.expires.SetText(doc.ExpiresOn.Italian())
	}
}

// dateProblems puts "wrong format" on the document's dates that do not
// parse, in place of es's problems with them (see withDateFormat).
func (d *documentForm) dateProblems(es pinsede.FieldErrors) pinsede.FieldErrors {
	es = withDateFormat(es, d.name(pinsede.FieldDocIssued), d.issued.Text)
	return withDateFormat(es, d.name(pinsede.FieldDocExpires), d.expires.Text)
}

// checklist is the clerk's three checks of an identity check made in
// person, as the conversion and the replacement of a slip ask them: none
// ticked at first.
type checklist struct {
	checkOriginal, checkPhoto, checkSigned *check
}

// newChecklist builds the checks, each marked touched in fs when ticked
// or unticked, with validate run.
func (a *App) newChecklist(fs fields, validate func()) checklist {
	tick := func(key, field string) *check {
		return a.newCheck(lang.L(key), func(bool) {
			a.touch()
			fs[field].touched = true
			validate()
		})
	}
	return checklist{
		checkOriginal: tick("verify.check.original", pinsede.FieldCheckOriginal),
		checkPhoto:    tick("verify.check.photo", pinsede.FieldCheckPhoto),
		checkSigned:   tick("verify.check.signed", pinsede.FieldCheckSigned),
	}
}

// verification returns the identity check of doc with the checks as
// ticked.
func (c checklist) verification(doc pinsede.Document) pinsede.Verification {
	return pinsede.Verification{
		Document: doc,
		Checklist: pinsede.Checklist{
			OriginalSeen: c.checkOriginal.Checked,
			PhotoMatches: c.checkPhoto.Checked,
			MV35Signed:   c.checkSigned.Checked,
		},
	}
}
