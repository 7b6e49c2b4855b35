package pinsede

import "strings"

// Message keys of identity-document problems found by the number and date
// rules of this file.
const (
	// KeyDocPaperCeased: a paper identity card, which has no MRZ, stopped
	// being valid on Date (3 August 2026), whatever its printed expiry.
	KeyDocPaperCeased = "err.doc.paper_ceased"
)

// PaperIDCardsCease returns the day from which the paper carta d'identità is no
// longer valid: Regulation (EU) 2019/1157, article 5, ends on 3 August 2026
// the identity cards that have no machine-readable zone.
func PaperIDCardsCease() Date { return Date{2026, 8, 3} }

// NormalizeDocumentNumber returns a document number as the rules compare
// it: upper case, without the spaces and hyphens people type to group it
// ("AU 1234567" is AU1234567).
func NormalizeDocumentNumber(n string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, n)
}

// docNumberShapes are the number formats of the Italian documents, as
// patterns: A a letter, 9 a digit, X a letter or a digit.
var docNumberShapes = map[DocumentType]struct{ pattern, example string }{
	DocCIE:           {"AA99999AA", "CA00000AA"},   // CIE 3.0, issued since 2016
	DocCartaIdentita: {"AA9999999", "AU1234567"},   // paper card
	DocPassaporto:    {"AA9999999", "YA1234567"},   // electronic passport, since 2006
	DocPatente:       {"AXXXXXXXXA", "U1A1234B5C"}, // EU card (U1, 7 letters or digits, a letter) and the older RM1234567X
}

// validDocNumber checks a normalised number: the Italian documents whose
// format is fixed by their shape (see docNumberShapes); the permesso di
// soggiorno, whose paper and electronic models number differently, and the
// foreign documents by 5 to 20 letters and digits.
func validDocNumber(t DocumentType, n string) bool {
	if s, ok := docNumberShapes[t]; ok {
		return matchShape(s.pattern, n)
	}
	if len(n) < 5 || len(n) > 20 {
		return false
	}
	for _, c := range []byte(n) {
		if !isLetter(c) && !isDigit(c) {
			return false
		}
	}
	return true
}

// matchShape reports whether n follows pattern: A a letter, 9 a digit, X
// either.
func matchShape(pattern, n string) bool {
	if len(n) != len(pattern) {
		return false
	}
	for i := range len(n) {
		c := n[i]
		switch pattern[i] {
		case 'A':
			if !isLetter(c) {
				return false
			}
		case '9':
			if !isDigit(c) {
				return false
			}
		default:
			if !isLetter(c) && !isDigit(c) {
				return false
			}
		}
	}
	return true
}

// DocNumberExample returns a number of the right shape for the document
// type, for the message that refuses a number and for the form's hint.
func DocNumberExample(t DocumentType) string {
	if s, ok := docNumberShapes[t]; ok {
		return s.example
	}
	return "AB1234567"
}
