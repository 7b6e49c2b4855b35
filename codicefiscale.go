package pinsede

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CodiceFiscale is an Italian tax code as written, upper case, without
// spaces: 16 characters for a person (possibly an omocode), or 11 digits for
// a temporary code. Make one with ParseCodiceFiscale.
type CodiceFiscale string

// Codice fiscale problems and notes, as message keys. The arguments each
// message gets are named beside it.
const (
	KeyCFRequired  = "err.cf.required"
	KeyCFLength    = "err.cf.length"    // Len: the characters typed
	KeyCFSeparator = "err.cf.separator" // Pos: a space or hyphen inside the code
	KeyCFChar      = "err.cf.char"      // Pos: not a digit, in a temporary code
	KeyCFLetter    = "err.cf.letter"    // Pos: a letter was expected
	KeyCFDigit     = "err.cf.digit"     // Pos: a digit or one of LMNPQRSTUV was expected
	KeyCFMonth     = "err.cf.month"     // Letter: not a month letter
	KeyCFDay       = "err.cf.day"       // Day: not 1-31 or 41-71
	KeyCFDate      = "err.cf.date"      // Date (gg/mm/aa): no such day in the calendar
	KeyCFCheck     = "err.cf.check"     // Want: the check character the code should end with
	KeyCFTempCheck = "err.cf.tempcheck"
	KeyCFPlace     = "err.cf.place" // Code: the place code is not in the table
	// KeyCFLowerCase is a warning: the code was typed in lower case and has
	// been upper-cased.
	KeyCFLowerCase = "warn.cf.lowercase"
)

// The keys of what the codice fiscale and the form disagree on (see
// [CompareCodiceFiscale]). Code is what the codice fiscale says, Typed what
// the form's field gives.
const (
	KeyCFMismatchSurname = "err.cf.mismatch.surname" // Code, Typed: three letters each
	KeyCFMismatchName    = "err.cf.mismatch.name"    // Code, Typed: three letters each
	KeyCFMismatchSex     = "err.cf.mismatch.sex"     // Code: M or F
	KeyCFMismatchBirth   = "err.cf.mismatch.birth"   // Code: gg/mm/aa
	KeyCFMismatchPlace   = "err.cf.mismatch.place"   // Code, Name: the place of the codice fiscale
)

// omocodeDigits are the letters that replace the digits 0-9 in an omocode.
const omocodeDigits = "LMNPQRSTUV"

// monthLetters maps the letter at position 9 to the month of birth.
const monthLetters = "ABCDEHLMPRST"

// cfOdd is the value of each character in an odd position (1st, 3rd, ...)
// for the check character, indexed by digit or by letter.
var cfOdd = [36]int{
	// 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
	// A-Z
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
}

// cfDigitPositions are the positions that hold digits or omocode letters.
var cfDigitPositions = [7]int{6, 7, 9, 10, 12, 13, 14}

// cfDigitAt tells, for each of the 16 positions, whether it holds a digit.
var cfDigitAt = [16]bool{6: true, 7: true, 9: true, 10: true, 12: true, 13: true, 14: true}

// ParseCodiceFiscale checks s and returns it normalised: surrounding spaces
// trimmed and letters upper-cased (tell the user with [CheckCodiceFiscale],
// which warns about it). It checks the kind of character at each position,
// the month letter, the day (1-31, or 41-71 for a woman), that the day
// exists in the calendar (29 February only in a year divisible by four: the
// century is not in the code, and 1900 and 2000 are the two it can be), and
// the check character computed on the code as written. In the seven digit
// positions it accepts the omocodia letters L M N P Q R S T U V in any
// combination. An 11-digit code is a temporary one (codice fiscale
// provvisorio), checked like a partita IVA.
//
// Spaces or hyphens inside the code are refused with their position:
// no printed code has them, and the desk should see the code exactly as the
// tessera sanitaria prints it.
//
// A problem comes back as a [FieldError] for the field "codice_fiscale"
// whose arguments name the position at fault.
func ParseCodiceFiscale(s string) (CodiceFiscale, error) {
	cf, _, err := parseCF(s)
	return cf, err
}

// parseCF is ParseCodiceFiscale, also telling whether a lower-case letter
// was upper-cased.
func parseCF(s string) (CodiceFiscale, bool, error) {
	s = strings.TrimSpace(s)
	fail := func(key string, args map[string]any) (CodiceFiscale, bool, error) {
		return "", false, FieldError{Field: FieldCodiceFiscale, Key: key, Args: args}
	}
	if s == "" {
		return fail(KeyCFRequired, nil)
	}
	var b [16]byte
	n, lower := 0, false
	for _, r := range s {
		n++
		switch {
		case r == ' ' || r == '-' || unicode.IsSpace(r):
			return fail(KeyCFSeparator, map[string]any{"Pos": n})
		case r >= 'a' && r <= 'z':
			lower = true
			r -= 'a' - 'A'
		}
		if n <= 16 {
			b[n-1] = byte(r)
			if r >= 0x80 {
				b[n-1] = '?'
			}
		}
	}
	switch n {
	case 11:
		for i := range 11 {
			if !isDigit(b[i]) {
				return fail(KeyCFChar, map[string]any{"Pos": i + 1})
			}
		}
		if c := luhnIT(string(b[:10])); c != b[10] {
			return fail(KeyCFTempCheck, nil)
		}
		return CodiceFiscale(b[:11]), lower, nil
	case 16:
	default:
		return fail(KeyCFLength, map[string]any{"Len": n})
	}
	for i := range 16 {
		c := b[i]
		switch {
		case cfDigitAt[i] && !isDigit(c) && strings.IndexByte(omocodeDigits, c) < 0:
			return fail(KeyCFDigit, map[string]any{"Pos": i + 1})
		case !cfDigitAt[i] && !isLetter(c):
			return fail(KeyCFLetter, map[string]any{"Pos": i + 1})
		}
	}
	month := strings.IndexByte(monthLetters, b[8]) + 1
	if month == 0 {
		return fail(KeyCFMonth, map[string]any{"Letter": string(b[8])})
	}
	day := cfNumber(b[9], b[10])
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > 31 {
		return fail(KeyCFDay, map[string]any{"Day": cfNumber(b[9], b[10])})
	}
	yy := cfNumber(b[6], b[7])
	if day > daysIn(time.Month(month), yy%4 == 0) {
		return fail(KeyCFDate, map[string]any{"Date": fmt.Sprintf("%02d/%02d/%02d", day, month, yy)})
	}
	if want := cfCheck(b[:15]); want != b[15] {
		return fail(KeyCFCheck, map[string]any{"Want": string(want)})
	}
	return CodiceFiscale(b[:]), lower, nil
}

// IsTemporary reports whether cf is an 11-digit temporary code.
func (cf CodiceFiscale) IsTemporary() bool { return len(cf) == 11 }

// IsOmocode reports whether cf is an omocode: a 16-character code with a
// letter in one of its digit positions.
func (cf CodiceFiscale) IsOmocode() bool {
	if len(cf) != 16 {
		return false
	}
	for _, p := range cfDigitPositions {
		if !isDigit(cf[p]) {
			return true
		}
	}
	return false
}

// Canonical returns cf with the omocode letters of its digit positions put
// back to digits and the check character computed again: the code that the
// person's data give. An omocode is not the same person as its canonical
// code: the Agenzia delle Entrate assigns it to someone whose data gave a
// code already taken. Records are keyed by the code as written; Canonical
// serves to decode a code and to compare it with the data.
func (cf CodiceFiscale) Canonical() CodiceFiscale {
	if len(cf) != 16 {
		return cf
	}
	b := []byte(cf)
	for _, p := range cfDigitPositions {
		if i := strings.IndexByte(omocodeDigits, b[p]); i >= 0 {
			b[p] = byte('0' + i)
		}
	}
	b[15] = cfCheck(b[:15])
	return CodiceFiscale(b)
}

// Decoded is what a codice fiscale says about its holder.
type Decoded struct {
	Sex            Sex
	BirthDate      Date
	PlaceCode      string // codice catastale, with digits (H501 also for an omocode's H50M)
	SurnameLetters string // the three letters of the surname
	NameLetters    string // the three letters of the name
	Omocode        bool
	Temporary      bool        // an 11-digit temporary code: nothing else is known
	Century        CenturyRule // how the century of BirthDate was chosen
}

// CenturyRule tells how [CodiceFiscale.Decode] chose the century of a birth
// date: the code holds only the year's last two digits.
type CenturyRule int

// The rules of the century, in the order Decode tries them.
const (
	// CenturyLatest is the most recent century that does not put the
	// birth after the reference day.
	CenturyLatest CenturyRule = iota
	// CenturyLeapDay is the century before: a 29 February whose year in
	// the most recent century is not a leap year.
	CenturyLeapDay
	// CenturyPlace is the century before: the place of birth, an Italian
	// comune, was in force in it and no longer in the most recent one.
	CenturyPlace
)

// String names the rule as pinctl prints it: latest, leap_day, place.
func (c CenturyRule) String() string {
	switch c {
	case CenturyLeapDay:
		return "leap_day"
	case CenturyPlace:
		return "place"
	}
	return "latest"
}

// oldestAge is the greatest age, in whole years, that Decode believes of a
// living person: that of the oldest person whose age was verified (Jeanne
// Calment, 122). A century that would make the holder older is not taken
// from the place of birth.
const oldestAge = 122

// Decode reads the holder's data out of cf. The code holds only the last two
// digits of the year, and Century tells which rule chose the century:
//
//   - CenturyLatest: the most recent century that does not put the birth
//     after ref (today, for the desk). It stands unless one of the next two
//     rules applies.
//   - CenturyLeapDay: a 29 February falls back one more century when that
//     year is not a leap year.
//   - CenturyPlace: when the place of birth is an Italian comune whose code
//     (its entries in the table of places, see [LookupPlace]) was not in
//     force on the birth date in the most recent century but was in the
//     one before, the century before it is: a comune ceased in 1927 puts
//     a year 07 in 1907, not 2007. It is not taken when it would make the
//     holder older than 122 (the oldest verified age) at ref. When the
//     place allows both centuries, or neither, the most recent stands (and
//     [CheckCodiceFiscale] warns when the place was not in force then).
//
// The place decides for comuni only. A comune that ceased was absorbed by
// another, whose code the births after take. For a foreign state the table
// knows no start dates (none of its states has one), so it cannot say that
// a state was in force a century ago; and a ceased state's code on a later
// birth (the USSR's for someone born in Russia in 2005) is a case that the
// Agenzia delle Entrate accepts and the desk only warns about
// (KeyPlaceValidity).
//
// A code that is not valid returns the error of [ParseCodiceFiscale]; a 29
// February whose year is not a leap year in either century returns a
// FieldError with KeyCFDate.
func (cf CodiceFiscale) Decode(ref time.Time) (Decoded, error) {
	cf, err := ParseCodiceFiscale(string(cf))
	if err != nil {
		return Decoded{}, err
	}
	if cf.IsTemporary() {
		return Decoded{Temporary: true}, nil
	}
	c := cf.Canonical()
	d := Decoded{
		Sex:            SexMale,
		PlaceCode:      string(c[11:15]),
		SurnameLetters: string(c[0:3]),
		NameLetters:    string(c[3:6]),
		Omocode:        cf != c,
	}
	day := cfNumber(c[9], c[10])
	if day > 40 {
		d.Sex, day = SexFemale, day-40
	}
	month := time.Month(strings.IndexByte(monthLetters, c[8]) + 1)
	yy := cfNumber(c[6], c[7])
	today := DateOf(ref)
	year := today.Year - today.Year%100 + yy
	if (Date{year, month, day}).After(today) {
		year -= 100
	}
	switch {
	case month == time.February && day == 29 && !isLeap(year):
		if year -= 100; !isLeap(year) {
			return Decoded{}, FieldError{Field: FieldCodiceFiscale, Key: KeyCFDate,
				Args: map[string]any{"Date": fmt.Sprintf("29/02/%02d", yy)}}
		}
		d.Century = CenturyLeapDay
	case centuryBefore(d.PlaceCode, Date{year, month, day}, Date{year - 100, month, day}, today):
		year -= 100
		d.Century = CenturyPlace
	}
	d.BirthDate = Date{year, month, day}
	return d, nil
}

// centuryBefore reports whether the place of birth code, an Italian
// comune, puts the birth in the century before: its code was in force on
// earlier, a date that exists and leaves the holder no older than
// oldestAge on today, and not on later.
func centuryBefore(code string, later, earlier, today Date) bool {
	if code[0] == 'Z' || (earlier.Month == time.February && earlier.Day == 29 && !isLeap(earlier.Year)) {
		return false
	}
	if !earlier.After(DateOf(today.Time().AddDate(-(oldestAge + 1), 0, 0))) {
		return false
	}
	ps := tableEntries(code)
	valid := func(d Date) bool { return slices.ContainsFunc(ps, func(p PlaceInfo) bool { return p.ValidOn(d) }) }
	return ps != nil && valid(earlier) && !valid(later)
}

// CFCheck is the full answer about one typed codice fiscale, for a person
// to read (pinctl cf, the desk's code field).
type CFCheck struct {
	Input     string
	Code      CodiceFiscale // normalised
	Canonical CodiceFiscale // the omocode's original code; Code itself otherwise
	Decoded   Decoded
	Place     []PlaceInfo // the place of birth's entries in the table; none for a temporary code
	Warnings  []string    // message keys: KeyCFLowerCase, KeyPlaceValidity
}

// CheckCodiceFiscale parses input, decodes it as of ref and looks its place
// of birth up. An unknown place code is an error (KeyCFPlace); a place whose
// validity does not cover the birth date is only a warning, as for
// [CheckPlace].
func CheckCodiceFiscale(input string, ref time.Time) (CFCheck, error) {
	c := CFCheck{Input: input}
	cf, lower, err := parseCF(input)
	if err != nil {
		return c, err
	}
	c.Code, c.Canonical = cf, cf.Canonical()
	if lower {
		c.Warnings = append(c.Warnings, KeyCFLowerCase)
	}
	if c.Decoded, err = cf.Decode(ref); err != nil || c.Decoded.Temporary {
		return c, err
	}
	warning, err := CheckPlace(c.Decoded.PlaceCode, c.Decoded.BirthDate)
	if err != nil {
		return c, FieldError{Field: FieldCodiceFiscale, Key: KeyCFPlace, Args: map[string]any{"Code": c.Decoded.PlaceCode}}
	}
	c.Place, _ = LookupPlace(c.Decoded.PlaceCode)
	if warning != "" {
		c.Warnings = append(c.Warnings, warning)
	}
	return c, nil
}

// EncodeCodiceFiscale computes the codice fiscale of a person by the rules
// of the Agenzia delle Entrate (D.M. 23 dicembre 1976): three letters of the
// surname (its consonants, then its vowels, then X), three of the name (the
// 1st, 3rd and 4th consonant when it has four or more, otherwise as for the
// surname), the year's last two digits, the month letter, the day (plus 40
// for a woman), the place's codice catastale and the check character.
// Accented letters count as their base letter, and the Latin letters
// outside the Italian alphabet follow ICAO 9303's transliteration (Ø as OE,
// ß as SS: see latinFold); apostrophes, spaces and hyphens are dropped. A
// name written in another alphabet (Cyrillic, Greek) is refused with
// KeyNameLatin: the desk asks for the Latin form the document prints.
//
// It returns a FieldError on the field at fault. The place code is checked
// for its shape only (a letter and three digits); [CheckPlace] looks it up.
func EncodeCodiceFiscale(cognome, nome string, sex Sex, birth Date, placeCode string) (CodiceFiscale, error) {
	fail := func(field, key string) (CodiceFiscale, error) {
		return "", FieldError{Field: field, Key: key}
	}
	surname, err := nameLetters(FieldCognome, cognome, false)
	if err != nil {
		return "", err
	}
	name, err := nameLetters(FieldNome, nome, true)
	if err != nil {
		return "", err
	}
	switch {
	case sex != SexMale && sex != SexFemale:
		return fail(FieldSesso, KeySex)
	case birth.IsZero():
		return fail(FieldDataNascita, KeyRequired)
	case birth.Month < 1 || birth.Month > 12 || birth.Day < 1 || birth.Day > daysIn(birth.Month, isLeap(birth.Year)):
		return fail(FieldDataNascita, KeyDateFormat)
	}
	placeCode = strings.ToUpper(strings.TrimSpace(placeCode))
	if !validPlaceCode(placeCode) {
		return fail(FieldLuogoNascita, KeyPlaceCode)
	}
	day := birth.Day
	if sex == SexFemale {
		day += 40
	}
	b := make([]byte, 0, 16)
	b = append(b, surname...)
	b = append(b, name...)
	b = fmt.Appendf(b, "%02d%c%02d%s", birth.Year%100, monthLetters[birth.Month-1], day, placeCode)
	b = append(b, cfCheck(b))
	return CodiceFiscale(b), nil
}

// nameLetters returns the three letters of a surname, or of a name when
// given is true.
func nameLetters(field, s string, given bool) (string, error) {
	letters, ok := foldLetters(s)
	switch {
	case !ok:
		return "", FieldError{Field: field, Key: KeyNameLatin}
	case letters == "":
		return "", FieldError{Field: field, Key: KeyRequired}
	}
	var cons, vows []byte
	for i := 0; i < len(letters); i++ {
		if strings.IndexByte("AEIOU", letters[i]) >= 0 {
			vows = append(vows, letters[i])
		} else {
			cons = append(cons, letters[i])
		}
	}
	if given && len(cons) >= 4 {
		return string([]byte{cons[0], cons[2], cons[3]}), nil
	}
	return string(append(append(cons, vows...), 'X', 'X', 'X')[:3]), nil
}

// Mismatch is a fact on which two sources disagree: the codice fiscale or a
// document's MRZ on one side, a field typed on the form on the other. Field
// is the form field, Key the message, Args its arguments.
type Mismatch struct {
	Field string
	Key   string
	Args  map[string]any
}

// CompareCodiceFiscale tells, field by field, where the request r disagrees
// with the code typed: the surname and name letters, the sex, the birth date
// (day, month and the year's last two digits) and the place code. A field
// left empty on the form is not compared. An omocode of the code computed
// from r is a match: it yields no Mismatch, and typed.IsOmocode() tells the
// form to show it as an omocode. A temporary or invalid code yields nothing.
func CompareCodiceFiscale(typed CodiceFiscale, r Request) []Mismatch {
	cf, err := ParseCodiceFiscale(string(typed))
	if err != nil || cf.IsTemporary() {
		return nil
	}
	c := cf.Canonical()
	var ms []Mismatch
	add := func(field, key string, args map[string]any) {
		ms = append(ms, Mismatch{Field: field, Key: key, Args: args})
	}
	if letters, err := nameLetters(FieldCognome, r.Cognome, false); err == nil && letters != string(c[0:3]) {
		add(FieldCognome, KeyCFMismatchSurname, map[string]any{"Code": string(c[0:3]), "Typed": letters})
	}
	if letters, err := nameLetters(FieldNome, r.Nome, true); err == nil && letters != string(c[3:6]) {
		add(FieldNome, KeyCFMismatchName, map[string]any{"Code": string(c[3:6]), "Typed": letters})
	}
	day := cfNumber(c[9], c[10])
	sex := SexMale
	if day > 40 {
		sex, day = SexFemale, day-40
	}
	if (r.Sesso == SexMale || r.Sesso == SexFemale) && r.Sesso != sex {
		add(FieldSesso, KeyCFMismatchSex, map[string]any{"Code": string(sex)})
	}
	if b := r.DataNascita; !b.IsZero() {
		month := time.Month(strings.IndexByte(monthLetters, c[8]) + 1)
		yy := cfNumber(c[6], c[7])
		if b.Year%100 != yy || b.Month != month || b.Day != day {
			add(FieldDataNascita, KeyCFMismatchBirth, map[string]any{"Code": fmt.Sprintf("%02d/%02d/%02d", day, month, yy)})
		}
	}
	if code := strings.ToUpper(strings.TrimSpace(r.LuogoNascita.Code)); code != "" && code != string(c[11:15]) {
		args := map[string]any{"Code": string(c[11:15]), "Name": ""}
		if ps, ok := LookupPlace(string(c[11:15])); ok {
			args["Name"] = ps[len(ps)-1].String()
		}
		add(FieldLuogoNascita, KeyCFMismatchPlace, args)
	}
	return ms
}

// Redacted returns cf with its middle hidden, for logs: RSS**********01U.
func (cf CodiceFiscale) Redacted() string {
	if len(cf) < 6 {
		return strings.Repeat("*", len(cf))
	}
	return string(cf[:3]) + strings.Repeat("*", len(cf)-6) + string(cf[len(cf)-3:])
}

// cfCheck computes the check character of the first 15 characters: a
// character in an odd position (1st, 3rd, ...) counts by the cfOdd table, one
// in an even position by its value (0-9, or A=0 ... Z=25).
func cfCheck(s []byte) byte {
	sum := 0
	for i := range 15 {
		c := s[i]
		idx := int(c - '0')
		if isLetter(c) {
			idx = int(c-'A') + 10
		}
		switch {
		case i%2 == 0:
			sum += cfOdd[idx]
		case isLetter(c):
			sum += int(c - 'A')
		default:
			sum += idx
		}
	}
	return byte('A' + sum%26)
}

// cfNumber reads two digit positions, omocode letters counting as digits.
func cfNumber(hi, lo byte) int { return cfDigit(hi)*10 + cfDigit(lo) }

func cfDigit(c byte) int {
	if i := strings.IndexByte(omocodeDigits, c); i >= 0 {
		return i
	}
	return int(c - '0')
}

// luhnIT computes the check digit of a partita IVA or temporary codice
// fiscale from its first ten digits.
func luhnIT(s string) byte {
	sum := 0
	for i := range 10 {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func daysIn(month time.Month, leap bool) int {
	switch month {
	case time.February:
		if leap {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// String returns the code.
func (cf CodiceFiscale) String() string { return string(cf) }

// GoString redacts the code, so that %#v in a log does not print it.
func (cf CodiceFiscale) GoString() string { return fmt.Sprintf("CodiceFiscale(%s)", cf.Redacted()) }

// foldLetters returns the letters of s as upper-case A-Z, by the rules of
// latinFold (È to E, Ñ to N, Ø to OE, ß to SS), everything that is not a
// letter (spaces, apostrophes, hyphens, dots, digits) dropped. ok is false
// when s holds a letter of another alphabet (Cyrillic, Greek...).
func foldLetters(s string) (letters string, ok bool) {
	ok = true
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch f, isLetter := foldRune(r); {
		case f != "":
			b = append(b, f...)
		case isLetter:
			ok = false
		}
	}
	return string(b), ok
}

// latinName reports whether a name is written as an identity document's
// Latin spelling (its MRZ, its name in Latin letters) writes it: Latin
// letters, accented or not, with the apostrophes, spaces, hyphens and
// marks between them; at least one letter, and none of another alphabet
// (Иванов: the desk does not transliterate, see latinFold), no digit, no
// symbol or emoji. Request.Validate refuses any other with KeyNameLatin:
// the MV35, the PIN and the codice fiscale take the document's spelling.
func latinName(s string) bool {
	letters := false
	for _, r := range s {
		f, isLetter := foldRune(r)
		switch {
		case f != "":
			letters = true
		case isLetter, unicode.IsNumber(r), unicode.IsSymbol(r) && !unicode.Is(unicode.Sk, r):
			return false
		}
	}
	return letters
}

// FoldName returns a name as searches compare it: its letters, upper-case
// A-Z, accents folded, the rest dropped ("Côte d'Ivoire": COTEDIVOIRE).
func FoldName(s string) string {
	f, _ := foldLetters(s)
	return f
}

// foldRune returns r as upper-case A-Z letters, or "" and whether r is a
// letter all the same (of another alphabet).
func foldRune(r rune) (string, bool) {
	switch {
	case r >= 'A' && r <= 'Z':
		return asciiLetters[r-'A' : r-'A'+1], true
	case r >= 'a' && r <= 'z':
		return asciiLetters[r-'a' : r-'a'+1], true
	case r < 0x80:
		return "", false
	}
	if f, ok := latinFold[r]; ok {
		return f, true
	}
	return "", unicode.IsLetter(r)
}

const asciiLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// latinFold maps every letter of the Latin script outside A-Z (Latin-1
// Supplement, Latin Extended-A and -B, Latin Extended Additional) that the
// codice fiscale can take to the letters that stand for it. The rules:
//
//   - A letter with diacritics (accents, cedilla, tilde, ring, caron,
//     umlaut, ogonek, comma below; the Vietnamese letters) counts as its
//     base letter: À, Ä and Å are A, Ñ is N, Ş and Ș are S, Ễ is E. This is
//     the rule the Agenzia delle Entrate applies to the accented letters of
//     Italian names (D.M. 23 dicembre 1976; its own software and every
//     peer library, codice-fiscale-js among them, take È as E), and one of
//     the transliterations that ICAO Doc 9303 (8th edition, 2021), Part 3,
//     section 6, "Transliteration of multinational Latin-based
//     characters", allows for each of these letters (it also allows AE, OE
//     and UE for Ä, Ö and Ü, and NXX for Ñ: the desk does not use them).
//   - A letter that is not a base letter with a mark has the one
//     transliteration ICAO 9303 Part 3 gives it, which a foreign
//     passport's MRZ already shows: Æ is AE, Ø and Œ are OE, ß is SS, Þ is
//     TH, Ð and Đ are D, Ł is L, Ħ is H, Ŋ is N, Ĳ is IJ, ı is I, ĸ is K.
//
// The Agenzia delle Entrate publishes no table for letters outside the
// Italian alphabet, and the sources in seeds/ say nothing of them: when the
// citizen brings a codice fiscale already issued, the desk compares its
// letters with the name (CompareCodiceFiscale) and that code stands.
//
// Names in another script (Cyrillic, Greek, Arabic...) are not
// transliterated: foldLetters reports them and the desk asks for the Latin
// form that the document itself prints (a passport's MRZ and its Latin
// name field, the permesso di soggiorno), because that is the form the
// Agenzia encoded; a transliteration of the desk's own (ICAO's, GOST's or
// ELOT's) could give other letters.
var latinFold = func() map[rune]string {
	m := make(map[rune]string)
	for _, g := range [...][2]string{
		{"Ææ", "AE"}, {"ØøŒœ", "OE"}, {"ß", "SS"}, {"Þþ", "TH"}, {"ÐðĐđ", "D"},
		{"Łł", "L"}, {"Ħħ", "H"}, {"Ŋŋ", "N"}, {"Ĳĳ", "IJ"}, {"ı", "I"}, {"ĸ", "K"},
		{"ſ", "S"}, {"Ŀŀ", "L"}, {"ŉ", "N"},
	} {
		for _, r := range g[0] {
			m[r] = g[1]
		}
	}
	for _, block := range [...][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			if _, ok := m[r]; ok || !unicode.IsLetter(r) {
				continue
			}
			if base, ok := baseLetter(r); ok {
				m[r] = string(base)
			}
		}
	}
	return m
}()

// baseLetter returns the upper-case A-Z letter that r is made of, when r
// decomposes (Unicode canonical decomposition) into it and combining marks
// only.
func baseLetter(r rune) (byte, bool) {
	d := []rune(norm.NFD.String(string(r)))
	if len(d) < 2 || d[0] >= 0x80 || !unicode.IsLetter(d[0]) {
		return 0, false
	}
	for _, c := range d[1:] {
		if !unicode.Is(unicode.Mn, c) {
			return 0, false
		}
	}
	return byte(unicode.ToUpper(d[0])), true
}
