package pinsede

import (
	"fmt"
	"strings"
)

// CodiceFiscale is an Italian tax code as written, upper case, without
// spaces: 16 characters for a person (possibly an omocode), or 11 digits for
// a temporary code. Make one with ParseCodiceFiscale.
type CodiceFiscale string

// Codice fiscale problems, as message keys.
const (
	KeyCFRequired  = "err.cf.required"
	KeyCFLength    = "err.cf.length"
	KeyCFChar      = "err.cf.char"
	KeyCFMonth     = "err.cf.month"
	KeyCFDay       = "err.cf.day"
	KeyCFCheck     = "err.cf.check"
	KeyCFTempCheck = "err.cf.tempcheck"
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

// ParseCodiceFiscale checks s and returns it normalised: surrounding spaces
// trimmed and letters upper-cased. Spaces or hyphens inside the code are not
// accepted, because no printed code has them and a clerk who types one has
// likely mistyped something else too. A problem comes back as a [FieldError]
// for the field "codice_fiscale".
func ParseCodiceFiscale(s string) (CodiceFiscale, error) {
	cf := strings.ToUpper(strings.TrimSpace(s))
	fail := func(key string, args map[string]any) (CodiceFiscale, error) {
		return "", FieldError{Field: FieldCodiceFiscale, Key: key, Args: args}
	}
	switch len(cf) {
	case 0:
		return fail(KeyCFRequired, nil)
	case 11:
		for i := 0; i < 11; i++ {
			if !isDigit(cf[i]) {
				return fail(KeyCFChar, map[string]any{"Pos": i + 1})
			}
		}
		if c := luhnIT(cf[:10]); c != cf[10] {
			return fail(KeyCFTempCheck, nil)
		}
		return CodiceFiscale(cf), nil
	case 16:
	default:
		return fail(KeyCFLength, map[string]any{"Len": len([]rune(cf))})
	}
	for i := 0; i < 16; i++ {
		c := cf[i]
		ok := isLetter(c)
		if isDigitPosition(i) {
			ok = isDigit(c) || strings.IndexByte(omocodeDigits, c) >= 0
		}
		if !ok {
			return fail(KeyCFChar, map[string]any{"Pos": i + 1})
		}
	}
	if strings.IndexByte(monthLetters, cf[8]) < 0 {
		return fail(KeyCFMonth, nil)
	}
	day := cfNumber(cf[9:11])
	if day > 40 {
		day -= 40
	}
	month := strings.IndexByte(monthLetters, cf[8]) + 1
	if day < 1 || day > daysIn(month) {
		return fail(KeyCFDay, nil)
	}
	if want := cfCheck(cf[:15]); want != cf[15] {
		return fail(KeyCFCheck, map[string]any{"Want": string(want)})
	}
	return CodiceFiscale(cf), nil
}

// IsTemporary reports whether cf is an 11-digit temporary code.
func (cf CodiceFiscale) IsTemporary() bool { return len(cf) == 11 }

// Canonical returns cf with the omocode letters of its digit positions put
// back to digits and the check character computed again. Two codes for the
// same person have the same Canonical.
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
	b[15] = cfCheck(string(b[:15]))
	return CodiceFiscale(b)
}

// Redacted returns cf with its middle hidden, for logs: RSSMRA*******12H.
func (cf CodiceFiscale) Redacted() string {
	if len(cf) < 6 {
		return strings.Repeat("*", len(cf))
	}
	return string(cf[:3]) + strings.Repeat("*", len(cf)-6) + string(cf[len(cf)-3:])
}

// cfCheck computes the check character of the first 15 characters: a
// character in an odd position (1st, 3rd, ...) counts by the cfOdd table, one
// in an even position by its value (0-9, or A=0 ... Z=25).
func cfCheck(s string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
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

func cfNumber(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if j := strings.IndexByte(omocodeDigits, c); j >= 0 {
			c = byte('0' + j)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// luhnIT computes the check digit of a partita IVA or temporary codice
// fiscale from its first ten digits.
func luhnIT(s string) byte {
	sum := 0
	for i := 0; i < 10; i++ {
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

func daysIn(month int) int {
	switch month {
	case 2:
		return 29 // the century is not in the code: 29 is allowed
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isDigitPosition(i int) bool {
	for _, p := range cfDigitPositions {
		if p == i {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// String returns the code.
func (cf CodiceFiscale) String() string { return string(cf) }

// GoString redacts the code, so that %#v in a log does not print it.
func (cf CodiceFiscale) GoString() string { return fmt.Sprintf("CodiceFiscale(%s)", cf.Redacted()) }
