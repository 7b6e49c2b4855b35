package pinsede

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sex is the sex as written on the MV35 and in the codice fiscale.
type Sex string

// The sexes of the codice fiscale.
const (
	SexMale   Sex = "M"
	SexFemale Sex = "F"
)

// Place is a place of birth: an Italian comune or a foreign state, with its
// codice catastale (Belfiore code, e.g. H501 for Roma, Z404 for the USA)
// when known.
type Place struct {
	Name     string `json:"name"`
	Province string `json:"province,omitempty"` // sigla, for a comune
	Code     string `json:"code,omitempty"`
}

// Address is a residence, Italian or foreign.
type Address struct {
	Street   string `json:"street"`
	CAP      string `json:"cap"` // postal code; free form abroad
	City     string `json:"city"`
	Province string `json:"province,omitempty"` // sigla, Italy only
	Country  string `json:"country"`            // ISO 3166-1 alpha-2; "IT" for Italy
}

// Abroad reports whether the address is outside Italy.
func (a Address) Abroad() bool { return a.Country != "" && a.Country != "IT" }

// Contacts are the citizen's recapiti: at least one phone and at least one
// of e-mail and PEC.
type Contacts struct {
	Mobile   string `json:"mobile,omitempty"`
	Landline string `json:"landline,omitempty"`
	Email    string `json:"email,omitempty"`
	PEC      string `json:"pec,omitempty"`
}

// Request is the modello MV35, "Richiesta assegnazione PIN dispositivo per
// il cittadino in sede": who asks, and how to reach them.
type Request struct {
	Cognome       string        `json:"cognome"`
	Nome          string        `json:"nome"`
	Sesso         Sex           `json:"sesso"`
	DataNascita   Date          `json:"data_nascita"`
	LuogoNascita  Place         `json:"luogo_nascita"`
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	Residenza     Address       `json:"residenza"`
	Recapiti      Contacts      `json:"recapiti"`
}

// maxText is the longest free text accepted in a form field.
const maxText = 120

// Validate checks the request as of today and returns every problem, in the
// order of the form. The surname and name must be written in Latin letters
// as the identity document spells them (KeyNameLatin). The codice fiscale
// and the place-of-birth code are normalised in place. A place code, when
// given, must be in the table of places (its validity dates only warn: see
// [CheckPlace]), and must agree with the codice fiscale.
func (r *Request) Validate(today Date) FieldErrors {
	var es FieldErrors
	text := func(field, v string, required bool) {
		switch {
		case strings.TrimSpace(v) == "" && required:
			es.add(field, KeyRequired, nil)
		case utf8.RuneCountInString(v) > maxText:
			es.add(field, KeyTooLong, map[string]any{"Max": maxText})
		}
	}
	name := func(field, v string) {
		text(field, v, true)
		if _, found := es.For(field); !found && !latinName(v) {
			es.add(field, KeyNameLatin, nil)
		}
	}
	name(FieldCognome, r.Cognome)
	name(FieldNome, r.Nome)
	if r.Sesso != SexMale && r.Sesso != SexFemale {
		es.add(FieldSesso, KeySex, nil)
	}
	switch {
	case r.DataNascita.IsZero():
		es.add(FieldDataNascita, KeyRequired, nil)
	case r.DataNascita.After(today):
		es.add(FieldDataNascita, KeyDateFuture, nil)
	case r.DataNascita.Year < today.Year-130:
		es.add(FieldDataNascita, KeyDateTooOld, nil)
	}
	text(FieldLuogoNascita, r.LuogoNascita.Name, true)
	if code := strings.ToUpper(strings.TrimSpace(r.LuogoNascita.Code)); code != "" {
		r.LuogoNascita.Code = code
		if _, err := CheckPlace(code, r.DataNascita); err != nil {
			es = append(es, asFieldError(err, FieldLuogoNascita))
		}
	}
	if cf, err := ParseCodiceFiscale(string(r.CodiceFiscale)); err != nil {
		es = append(es, asFieldError(err, FieldCodiceFiscale))
	} else {
		r.CodiceFiscale = cf
		es = append(es, r.crossCheck()...)
	}
	a := r.Residenza
	text(FieldIndirizzo, a.Street, true)
	text(FieldComune, a.City, true)
	switch {
	case a.Country == "":
		es.add(FieldStato, KeyRequired, nil)
	case !validCountry(a.Country):
		es.add(FieldStato, KeyCountry, nil)
	}
	if a.Country == "IT" {
		if !validCAP(a.CAP) {
			es.add(FieldCAP, KeyCAP, nil)
		}
		if !validProvince(a.Province) {
			es.add(FieldProvincia, KeyProvincia, nil)
		}
	} else {
		text(FieldCAP, a.CAP, false)
	}
	c := r.Recapiti
	phone := func(field, v string) {
		if v != "" && !validPhone(v) {
			es.add(field, KeyPhone, nil)
		}
	}
	phone(FieldCellulare, c.Mobile)
	phone(FieldTelefono, c.Landline)
	if c.Mobile == "" && c.Landline == "" {
		es.add(FieldCellulare, KeyPhoneNeeded, nil)
	}
	email := func(field, v string) {
		if v != "" && !validEmail(v) {
			es.add(field, KeyEmail, nil)
		}
	}
	email(FieldEmail, c.Email)
	email(FieldPEC, c.PEC)
	if c.Email == "" && c.PEC == "" {
		es.add(FieldEmail, KeyEmailNeeded, nil)
	}
	return es
}

// crossCheck compares the codice fiscale with the sex, birth date and
// place of birth typed on the form (see [CompareCodiceFiscale]); a
// disagreement is an error on the code. Surname and name letters are left to
// the form to flag: a code the Agenzia issued from another spelling of a
// foreign name stays the holder's code.
func (r *Request) crossCheck() FieldErrors {
	var es FieldErrors
	for _, m := range CompareCodiceFiscale(r.CodiceFiscale, *r) {
		switch m.Key {
		case KeyCFMismatchSex, KeyCFMismatchBirth, KeyCFMismatchPlace:
			es.add(FieldCodiceFiscale, m.Key, m.Args)
		}
	}
	return es
}

func validCAP(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, c := range []byte(s) {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func validProvince(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1])
}

// validPhone accepts an optional leading + and 6 to 15 digits, with spaces,
// dots, hyphens or slashes between them.
func validPhone(s string) bool {
	digits := 0
	for i, c := range s {
		switch {
		case c == '+' && i == 0:
		case unicode.IsDigit(c) && c < 128:
			digits++
		case c == ' ' || c == '.' || c == '-' || c == '/':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// validEmail accepts local@domain.tld with no spaces: the check a person can
// act on, not RFC 5322.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || len(s) > 254 || strings.ContainsAny(s, " \t<>,;\"") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-2 && !strings.Contains(domain, "..")
}

// FullName returns "Cognome Nome".
func (r Request) FullName() string { return strings.TrimSpace(r.Cognome + " " + r.Nome) }
