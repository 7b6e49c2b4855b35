package pinsede

import (
	"strings"
	"time"
)

// MRZFormat is the size of a machine-readable zone (ICAO 9303).
type MRZFormat string

// The MRZ sizes of ICAO 9303.
const (
	TD1 MRZFormat = "TD1" // 3 lines of 30: identity cards (the CIE)
	TD2 MRZFormat = "TD2" // 2 lines of 36: older identity cards and permits
	TD3 MRZFormat = "TD3" // 2 lines of 44: passports
)

// MRZ problems and notes, as message keys. Line and Pos (from 1) name the
// character at fault; the check-digit keys also get Want, the digit that
// fits.
const (
	KeyMRZRequired       = "err.mrz.required"
	KeyMRZLength         = "err.mrz.length"  // Len: not 90, 72 or 88 characters
	KeyMRZChar           = "err.mrz.char"    // Line, Pos, Char: not A-Z, 0-9 or <
	KeyMRZDocCode        = "err.mrz.doccode" // Code: not an identity card or passport (a visa, say)
	KeyMRZNumber         = "err.mrz.number"  // Line, Pos: a long document number's continuation is malformed
	KeyMRZBirth          = "err.mrz.birth"   // Line, Pos: not a date, or in the future
	KeyMRZExpiry         = "err.mrz.expiry"  // Line, Pos: not a date
	KeyMRZSex            = "err.mrz.sex"     // Line, Pos, Char: not M, F, X or <
	KeyMRZNames          = "err.mrz.names"   // Line: no name at all, neither primary nor secondary identifier
	KeyMRZCheckNumber    = "err.mrz.check.number"
	KeyMRZCheckBirth     = "err.mrz.check.birth"
	KeyMRZCheckExpiry    = "err.mrz.check.expiry"
	KeyMRZCheckOptional  = "err.mrz.check.optional"
	KeyMRZCheckComposite = "err.mrz.check.composite"
	// KeyMRZExpiryRange is an expiry that no real document has: in neither
	// century does it fall within the window of [ParseMRZ]. From and To
	// are the window's first and last day (gg/mm/aaaa), besides Line and
	// Pos.
	KeyMRZExpiryRange = "err.mrz.expiry.range"
	// KeyMRZSingleName is a warning: the holder has one name only (Name),
	// which the MV35 gets as both cognome and nome (see
	// [MRZ.HolderNames]).
	KeyMRZSingleName = "warn.mrz.single_name"
	// KeyMRZMismatch is a typed value that the MRZ contradicts: Typed and
	// MRZ give both.
	KeyMRZMismatch = "warn.mrz.mismatch"
)

// MRZ is the machine-readable zone of an identity document or passport,
// read and checked by ParseMRZ.
type MRZ struct {
	Format         MRZFormat
	DocumentCode   string // P, I, C, ID, IR...: the first two characters without fillers
	IssuingState   string // as printed: ITA, D (Germany), UTO (the ICAO specimen)
	DocumentNumber string // fillers dropped, a long number's continuation joined
	Surname        string // the primary identifier, its fillers as spaces
	GivenNames     string // the secondary identifier, its fillers as spaces
	NamesCut       bool   // the name field is full: the names may have been cut short
	SingleName     bool   // the holder has one name only: one identifier is empty (see HolderNames)
	Nationality    string // as printed
	BirthDate      Date   // zero when the MRZ leaves it unknown (fillers)
	Sex            Sex    // "" when unspecified (< or X)
	ExpiryDate     Date   // zero when the MRZ leaves it unknown
	OptionalData   string // the personal number (TD3) or optional data, fillers dropped
	Lines          []string
}

// mrzFail makes the FieldError of an MRZ problem.
func mrzFail(key string, args map[string]any) error {
	return FieldError{Field: FieldMRZ, Key: key, Args: args}
}

// ParseMRZ reads a machine-readable zone as typed, or as a keyboard-wedge
// reader types it into one field: the lines may come joined, or separated by
// newlines, \r\n or spaces; lower case is accepted, and so is « (the common
// OCR reading of <). The size tells the format: 90 characters are TD1, 72
// TD2, 88 TD3. It checks every check digit (the document number, also when
// long numbers continue into the optional data; the birth date; the expiry;
// the TD3 personal number; the composite), the dates and the sex.
//
// An MRZ gives only the last two digits of a year. The century of the birth
// date is the most recent that does not put it after now (a person is born
// in the past). The century of the expiry is the one that puts it within
// the window a real document allows: from 50 years before now (an old,
// long expired document) to 30 years after (beyond any validity an
// identity card or passport has). The window is 80 years wide, so at most
// one century fits: the ICAO specimen that expired on 12 July 1995 reads as
// 1995-07-12 in 2026, and is expired; an expiry that fits in neither
// century (2060 or 1960, read in 2026) is an error, KeyMRZExpiryRange.
//
// A holder may have one name only (ICAO 9303 allows it, and issuing
// states write it either way): an empty primary identifier with the name in
// the secondary ("P<IND<<KUMAR<<<", as India does), or the name as primary
// identifier and nothing after it ("P<PAKZAHRA<<<<"). Either is read, with
// SingleName set; a name field cut short with no secondary identifier is
// not taken for one, since the given names may be what was cut. A zone with
// no name at all is refused (KeyMRZNames).
//
// A problem comes back as a FieldError on the field "mrz" that names the
// line and position at fault; for a check digit, also the digit that fits.
func ParseMRZ(s string, now time.Time) (MRZ, error) {
	b := make([]byte, 0, 90)
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			continue
		case r == '«' || r == '‹':
			r = '<'
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r >= 0x80 {
			r = '?'
		}
		b = append(b, byte(r))
	}
	var m MRZ
	width := 0
	switch len(b) {
	case 0:
		return m, mrzFail(KeyMRZRequired, nil)
	case 90:
		m.Format, width = TD1, 30
	case 72:
		m.Format, width = TD2, 36
	case 88:
		m.Format, width = TD3, 44
	default:
		return m, mrzFail(KeyMRZLength, map[string]any{"Len": len(b)})
	}
	for i, c := range b {
		if !isLetter(c) && !isDigit(c) && c != '<' {
			return m, mrzFail(KeyMRZChar, map[string]any{"Line": i/width + 1, "Pos": i%width + 1, "Char": string(c)})
		}
	}
	for i := 0; i < len(b); i += width {
		m.Lines = append(m.Lines, string(b[i:i+width]))
	}
	l1, l2 := m.Lines[0], m.Lines[1]
	m.DocumentCode = strings.TrimRight(l1[0:2], "<")
	if !strings.ContainsRune("ACIP", rune(l1[0])) {
		return m, mrzFail(KeyMRZDocCode, map[string]any{"Code": m.DocumentCode})
	}
	m.IssuingState = strings.TrimRight(l1[2:5], "<")

	// The fields of each format: where they are, by line and position.
	var (
		number, opt          field
		dob, sex, exp, nat   field
		names                field
		composite            []field
		compositeAt, optAt   field
		numberInOpt, hasOptC bool
	)
	switch m.Format {
	case TD1:
		l3 := m.Lines[2]
		number, opt = field{1, 5, 14, l1}, field{1, 15, 30, l1}
		dob, sex, exp, nat = field{2, 0, 6, l2}, field{2, 7, 8, l2}, field{2, 8, 14, l2}, field{2, 15, 18, l2}
		names = field{3, 0, 30, l3}
		composite = []field{{1, 5, 30, l1}, {2, 0, 7, l2}, {2, 8, 15, l2}, {2, 18, 29, l2}}
		compositeAt, numberInOpt = field{2, 29, 30, l2}, true
		m.OptionalData = strings.Trim(strings.ReplaceAll(l1[15:30]+"<"+l2[18:29], "<", " "), " ")
	case TD2:
		names = field{1, 5, 36, l1}
		number, opt = field{2, 0, 9, l2}, field{2, 28, 35, l2}
		nat, dob, sex, exp = field{2, 10, 13, l2}, field{2, 13, 19, l2}, field{2, 20, 21, l2}, field{2, 21, 27, l2}
		composite = []field{{2, 0, 10, l2}, {2, 13, 20, l2}, {2, 21, 35, l2}}
		compositeAt, numberInOpt = field{2, 35, 36, l2}, true
		m.OptionalData = strings.Trim(strings.ReplaceAll(l2[28:35], "<", " "), " ")
	case TD3:
		names = field{1, 5, 44, l1}
		number, opt = field{2, 0, 9, l2}, field{2, 28, 42, l2}
		nat, dob, sex, exp = field{2, 10, 13, l2}, field{2, 13, 19, l2}, field{2, 20, 21, l2}, field{2, 21, 27, l2}
		composite = []field{{2, 0, 10, l2}, {2, 13, 20, l2}, {2, 21, 43, l2}}
		compositeAt, optAt, hasOptC = field{2, 43, 44, l2}, field{2, 42, 43, l2}, true
		m.OptionalData = strings.Trim(strings.ReplaceAll(opt.text(), "<", " "), " ")
	}

	// The document number, and its check digit after it; a long number
	// (TD1, TD2) has < there and goes on in the optional data, followed by
	// its check digit.
	numCheck := field{number.line, number.end, number.end + 1, number.src}
	m.DocumentNumber = strings.TrimRight(number.text(), "<")
	if numberInOpt && numCheck.text() == "<" && opt.text()[0] != '<' {
		rest := opt.text()
		k := strings.IndexByte(rest, '<')
		if k < 0 {
			k = len(rest)
		}
		if k < 2 {
			return m, mrzFail(KeyMRZNumber, map[string]any{"Line": opt.line, "Pos": opt.start + 1})
		}
		m.DocumentNumber += rest[:k-1]
		numCheck = field{opt.line, opt.start + k - 1, opt.start + k, opt.src}
		if m.Format == TD1 {
			m.OptionalData = strings.Trim(strings.ReplaceAll(l1[15+k:30]+"<"+l2[18:29], "<", " "), " ")
		} else {
			m.OptionalData = strings.Trim(strings.ReplaceAll(rest[k:], "<", " "), " ")
		}
		if err := checkDigit(KeyMRZCheckNumber, m.DocumentNumber, numCheck); err != nil {
			return m, err
		}
	} else if err := checkDigit(KeyMRZCheckNumber, number.text(), numCheck); err != nil {
		return m, err
	}

	dobCheck := field{dob.line, dob.end, dob.end + 1, dob.src}
	if err := checkDigit(KeyMRZCheckBirth, dob.text(), dobCheck); err != nil {
		return m, err
	}
	expCheck := field{exp.line, exp.end, exp.end + 1, exp.src}
	if err := checkDigit(KeyMRZCheckExpiry, exp.text(), expCheck); err != nil {
		return m, err
	}
	if hasOptC && !(optAt.text() == "<" && strings.Trim(opt.text(), "<") == "") {
		if err := checkDigit(KeyMRZCheckOptional, opt.text(), optAt); err != nil {
			return m, err
		}
	}
	var all strings.Builder
	for _, f := range composite {
		all.WriteString(f.text())
	}
	if err := checkDigit(KeyMRZCheckComposite, all.String(), compositeAt); err != nil {
		return m, err
	}

	today := DateOf(now)
	var ok bool
	if m.BirthDate, ok = mrzDate(dob.text(), func(yy int, md Date) (int, bool) {
		y := today.Year - today.Year%100 + yy
		if (Date{y, md.Month, md.Day}).After(today) {
			y -= 100
		}
		return y, true
	}); !ok {
		return m, mrzFail(KeyMRZBirth, dob.at())
	}
	from, until := mrzExpiryWindow(today)
	inWindow := true
	if m.ExpiryDate, ok = mrzDate(exp.text(), func(yy int, md Date) (int, bool) {
		for y := from.Year - from.Year%100 + yy; y <= until.Year; y += 100 {
			if d := (Date{y, md.Month, md.Day}); !d.Before(from) && !d.After(until) {
				return y, true
			}
		}
		inWindow = false
		return 0, false
	}); !ok {
		if !inWindow {
			args := exp.at()
			args["From"], args["To"] = from.Italian(), until.Italian()
			return m, mrzFail(KeyMRZExpiryRange, args)
		}
		return m, mrzFail(KeyMRZExpiry, exp.at())
	}
	switch c := sex.text(); c {
	case "M":
		m.Sex = SexMale
	case "F":
		m.Sex = SexFemale
	case "<", "X":
	default:
		args := sex.at()
		args["Char"] = c
		return m, mrzFail(KeyMRZSex, args)
	}
	m.Nationality = strings.TrimRight(nat.text(), "<")

	n := names.text()
	m.NamesCut = !strings.HasSuffix(n, "<")
	primary, secondary, _ := strings.Cut(n, "<<")
	m.Surname = strings.Join(strings.FieldsFunc(primary, func(r rune) bool { return r == '<' }), " ")
	m.GivenNames = strings.Join(strings.FieldsFunc(secondary, func(r rune) bool { return r == '<' }), " ")
	switch {
	case m.Surname == "" && m.GivenNames == "":
		return m, mrzFail(KeyMRZNames, map[string]any{"Line": names.line})
	case m.Surname == "", m.GivenNames == "" && !m.NamesCut:
		m.SingleName = true
	}
	return m, nil
}

// HolderNames returns the cognome and the nome to write on the MV35: the
// primary and the secondary identifier. For a holder with one name only
// (SingleName) both are that name.
//
// Why both: the MV35 requires a cognome and a nome, and the codice fiscale
// takes three letters from each; a person with one name has a codice
// fiscale computed from that name as surname and as name (the practice
// reported for the Agenzia delle Entrate, not in the project's sources: the
// desk tells the clerk, KeyMRZSingleName, and compares the result with the
// codice fiscale typed, whose letters warn when they disagree). Leaving the
// nome empty would stop the MV35; putting the name in one field only would
// make up an empty name or surname that the person does not have.
func (m MRZ) HolderNames() (cognome, nome string) {
	if !m.SingleName {
		return m.Surname, m.GivenNames
	}
	name := m.Surname + m.GivenNames // one of them is empty
	return name, name
}

// Warnings returns what the clerk should check in a valid MRZ, as
// FieldErrors on the field "mrz": a holder with one name only
// (KeyMRZSingleName, with the Name).
func (m MRZ) Warnings() []FieldError {
	if !m.SingleName {
		return nil
	}
	name, _ := m.HolderNames()
	return []FieldError{{Field: FieldMRZ, Key: KeyMRZSingleName, Args: map[string]any{"Name": name}}}
}

// field is a stretch of one MRZ line: line from 1, start and end bytes.
type field struct {
	line, start, end int
	src              string
}

func (f field) text() string { return f.src[f.start:f.end] }

// at returns the arguments that name where f starts.
func (f field) at() map[string]any { return map[string]any{"Line": f.line, "Pos": f.start + 1} }

// checkDigit checks s against the check digit at f: its characters weighted
// 7, 3, 1 (digits by value, A-Z as 10-35, < as 0), modulo 10.
func checkDigit(key, s string, f field) error {
	want := byte('0' + mrzCheck(s))
	if got := f.text()[0]; got != want {
		args := f.at()
		args["Want"] = string(want)
		return mrzFail(key, args)
	}
	return nil
}

func mrzCheck(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		v := 0
		switch c := s[i]; {
		case isDigit(c):
			v = int(c - '0')
		case isLetter(c):
			v = int(c-'A') + 10
		}
		sum += v * [3]int{7, 3, 1}[i%3]
	}
	return sum % 10
}

// The window of a document's expiry around today, in years: see ParseMRZ.
const (
	mrzExpiryBack  = 50
	mrzExpiryAhead = 30
)

// mrzExpiryWindow returns the first and last day an expiry read from an MRZ
// may fall on, read on today.
func mrzExpiryWindow(today Date) (from, until Date) {
	t := today.Time()
	return DateOf(t.AddDate(-mrzExpiryBack, 0, 0)), DateOf(t.AddDate(mrzExpiryAhead, 0, 0))
}

// mrzDate reads yymmdd, year(yy, the month and day) giving the year, or
// false when no year fits. A date with fillers is unknown (ICAO 9303 allows
// them for an unknown day or month): zero, and ok. A month or day that no
// year has is not asked to year.
func mrzDate(s string, year func(yy int, md Date) (int, bool)) (Date, bool) {
	if strings.Contains(s, "<") {
		return Date{}, true
	}
	for i := range 6 {
		if !isDigit(s[i]) {
			return Date{}, false
		}
	}
	n := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	d := Date{0, time.Month(n(2)), n(4)}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Month, true) {
		return Date{}, false
	}
	var ok bool
	if d.Year, ok = year(n(0), d); !ok || d.Day > daysIn(d.Month, isLeap(d.Year)) {
		return Date{}, false
	}
	return d, true
}

// mrzStates maps the three-letter codes an MRZ may use for a state beyond
// ISO 3166-1 alpha-3 to the alpha-2 code.
var mrzStates = map[string]string{
	"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK",
}

// Country returns the ISO 3166-1 alpha-2 code of the issuing state, or ""
// for a code with none (UTO, the ICAO specimen; UNO, the United Nations).
func (m MRZ) Country() string {
	if c, ok := mrzStates[m.IssuingState]; ok {
		return c
	}
	if c, ok := LookupCountry(m.IssuingState); ok && len(m.IssuingState) == 3 {
		return c.Alpha2
	}
	return ""
}

// DocumentType tells the desk's document type from the document code and
// the issuing state: P is a passport (Italian or foreign); A, C and I are
// identity cards, the CIE when Italian and numbered like one. It returns ""
// when it cannot tell (an Italian card with another number, such as a
// permesso di soggiorno).
func (m MRZ) DocumentType() DocumentType {
	italian := m.IssuingState == "ITA"
	switch {
	case m.DocumentCode[0] == 'P' && italian:
		return DocPassaporto
	case m.DocumentCode[0] == 'P':
		return DocPassaportoEstero
	case italian && validDocNumber(DocCIE, m.DocumentNumber):
		return DocCIE
	case !italian:
		return DocIdentitaEstera
	}
	return ""
}

// Prefill fills the empty fields of the request and of the document with
// what the MRZ says (surname, name, sex, birth date; document type, number,
// issuing country, expiry), and returns the typed fields it contradicts.
// The surname and name are those of HolderNames: a holder with one name
// only gets it in both.
// Names are compared by their letters, accents, apostrophes and spaces
// aside; a name the MRZ cut short matches a typed name that starts with it.
// The names are filled in upper case, as printed.
func (m MRZ) Prefill(r *Request, d *Document) []Mismatch {
	var ms []Mismatch
	mismatch := func(field, typed, read string) {
		ms = append(ms, Mismatch{Field: field, Key: KeyMRZMismatch, Args: map[string]any{"Typed": typed, "MRZ": read}})
	}
	name := func(field string, typed *string, read string) {
		if read == "" {
			return
		}
		if strings.TrimSpace(*typed) == "" {
			*typed = read
			return
		}
		t, _ := foldLetters(*typed)
		rd, _ := foldLetters(read)
		if t != rd && !(m.NamesCut && strings.HasPrefix(t, rd)) {
			mismatch(field, *typed, read)
		}
	}
	cognome, nome := m.HolderNames()
	name(FieldCognome, &r.Cognome, cognome)
	name(FieldNome, &r.Nome, nome)
	switch {
	case m.Sex == "":
	case r.Sesso == "":
		r.Sesso = m.Sex
	case r.Sesso != m.Sex:
		mismatch(FieldSesso, string(r.Sesso), string(m.Sex))
	}
	date := func(field string, typed *Date, read Date) {
		switch {
		case read.IsZero():
		case typed.IsZero():
			*typed = read
		case *typed != read:
			mismatch(field, typed.Italian(), read.Italian())
		}
	}
	date(FieldDataNascita, &r.DataNascita, m.BirthDate)
	date(FieldDocExpires, &d.ExpiresOn, m.ExpiryDate)
	text := func(field string, typed *string, read string, norm func(string) string) {
		switch {
		case read == "":
		case strings.TrimSpace(*typed) == "":
			*typed = read
		case norm(*typed) != read:
			mismatch(field, *typed, read)
		}
	}
	text(FieldDocNumber, &d.Number, m.DocumentNumber, NormalizeDocumentNumber)
	text(FieldDocCountry, &d.Country, m.Country(), func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) })
	if t := m.DocumentType(); t != "" {
		text(FieldDocType, (*string)(&d.Type), string(t), func(s string) string { return s })
	}
	return ms
}
