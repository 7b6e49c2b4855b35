package pinsede

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The bounds of the texts a desk keeps and sends to the central records,
// which refuse an event that breaks them (sync/central applies them, with
// InvisibleChar, to every string of an event): the desk applies them to
// every text it takes, before anything is committed or printed, so that
// nothing it accepted is refused there.
const (
	// MaxTextBytes is the most bytes of a text: a name, an address, a
	// document's number or authority, a reason. A text of at most
	// MaxTextRunes characters always fits.
	MaxTextBytes = 512
	// MaxShortTextBytes is the most bytes of an id, of an operator or a
	// sede, of a slip serial or a ticket code.
	MaxShortTextBytes = 64
	// MaxTextRunes is the most characters of a free text of a form: the
	// MV35's, a document's authority, a reason, the sede's name and
	// address (the MV35 and the slip fit or cut them). In four-byte
	// characters it fits MaxTextBytes.
	MaxTextRunes = maxText
	// MaxNameRunes is the most characters of an operator's name: what
	// the MV35 writes, with the sede's name, in the lines of its box
	// "Riservato all'ufficio", above "Firma e timbro dell'operatore".
	MaxNameRunes = 60
	// MaxCitizenTextBytes is the most bytes the texts of a citizen's
	// record (Citizen: the MV35 and the document verified, TextBytes)
	// may add up to: an issue carries it to the central records, which
	// keep it with the event and send it to every desk of the sede.
	MaxCitizenTextBytes = 4 << 10
)

// MaxTextRunes characters of four bytes each fit MaxTextBytes: the build
// fails if one of the two changes so that they do not.
var _ = [MaxTextBytes/utf8.UTFMax - MaxTextRunes]struct{}{}

// KeyTextTotal is the message of a field of an MV35 whose texts, with the
// document's, add up to more than MaxCitizenTextBytes: the longest of
// them is to be shortened (Args: Max, the bytes of them all).
const KeyTextTotal = "err.text.total"

// KeyTextInvisible is the message of a text with a character that does not
// show, or that breaks a line or turns the text around it, where a record
// is shown (Args: Pos, the position in characters from 1, and Char, the
// character's code such as U+202E).
const KeyTextInvisible = "err.text.invisible"

// InvisibleChar reports whether r may not be in a text kept and sent: a
// control character (C0, DEL, C1: a tab, a line break, an escape) or a
// character that changes the direction of the text around it or breaks a
// line where a record shows it (the marks, embeddings, overrides and
// isolates of Unicode's bidirectional algorithm: U+200E, U+200F, U+061C,
// U+202A to U+202E, U+2066 to U+2069; and U+2028, U+2029). It is the one
// rule of the characters of a text, the desk's and the central records'.
func InvisibleChar(r rune) bool {
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F, r == 0x2028, r == 0x2029:
		return true
	case 0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// FoldLines returns the reason typed in a box of several lines as one
// line: every run of spaces, tabs and line breaks becomes one space, and
// none is left at the ends. A reason is kept and sent on one line; the
// Return a clerk types in its box is a space.
func FoldLines(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkText adds to es the problem of v as the text of field, of at most
// maxRunes characters (at most MaxTextRunes, so that it fits
// MaxTextBytes): empty when required (KeyRequired), too long (KeyTooLong)
// or with an invisible character (KeyTextInvisible, InvisibleChar; a byte
// that is not UTF-8 too).
func (es *FieldErrors) checkText(field, v string, required bool, maxRunes int) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		es.add(field, KeyRequired, nil)
	case utf8.RuneCountInString(v) > maxRunes:
		es.add(field, KeyTooLong, map[string]any{"Max": maxRunes})
	default:
		if e, ok := invisibleAt(field, v); ok {
			*es = append(*es, e)
		}
	}
}

// checkName is checkText for a surname or first name, required and of at
// most maxText characters, which must also be written in Latin letters as
// the identity document spells them (KeyNameLatin).
func (es *FieldErrors) checkName(field, v string) {
	n := len(*es)
	es.checkText(field, v, true, maxText)
	if len(*es) == n && !latinName(v) {
		es.add(field, KeyNameLatin, nil)
	}
}

// invisibleAt returns the KeyTextInvisible problem of the first character
// of v that InvisibleChar refuses, or that is a byte not of UTF-8, as the
// text of field; false when v has none.
func invisibleAt(field, v string) (FieldError, bool) {
	pos := 0
	for i, r := range v {
		pos++
		if _, size := utf8.DecodeRuneInString(v[i:]); InvisibleChar(r) || r == utf8.RuneError && size == 1 {
			return FieldError{Field: field, Key: KeyTextInvisible, Args: map[string]any{"Pos": pos, "Char": fmt.Sprintf("%U", r)}}, true
		}
	}
	return FieldError{}, false
}

// TextBytes returns the bytes of the strings in v and in what it holds
// (the exported fields of its structs, through pointers, the elements of
// its slices, arrays and interfaces; bytes such as a PDF left out): how
// much text a record carries, as the central records count it.
func TextBytes(v any) int { return textBytes(reflect.ValueOf(v)) }

// textBytes is TextBytes of a reflect.Value.
func textBytes(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return textBytes(v.Elem())
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n += textBytes(v.Field(i))
			}
		}
		return n
	case reflect.Slice, reflect.Array:
		n := 0
		for i := 0; i < v.Len() && v.Type().Elem().Kind() != reflect.Uint8; i++ {
			n += textBytes(v.Index(i))
		}
		return n
	case reflect.String:
		return v.Len()
	}
	return 0
}

// citizenTextProblem returns the KeyTextTotal problem of the citizen's
// record c when its texts add up to more than MaxCitizenTextBytes (each
// within its own bounds, they can, in characters of four bytes), on the
// free text of most bytes; false when they fit.
func citizenTextProblem(c Citizen) (FieldError, bool) {
	if TextBytes(c) <= MaxCitizenTextBytes {
		return FieldError{}, false
	}
	r, a := c.Request, c.Request.Residenza
	longest, most := "", -1
	for _, f := range []struct{ field, v string }{
		{FieldCognome, r.Cognome}, {FieldNome, r.Nome}, {FieldLuogoNascita, r.LuogoNascita.Name},
		{FieldIndirizzo, a.Street}, {FieldCAP, a.CAP}, {FieldComune, a.City}, {FieldProvincia, a.Province},
		{FieldEmail, r.Recapiti.Email}, {FieldPEC, r.Recapiti.PEC}, {FieldDocAuthority, c.Document.Authority},
	} {
		if len(f.v) > most {
			longest, most = f.field, len(f.v)
		}
	}
	return FieldError{Field: longest, Key: KeyTextTotal, Args: map[string]any{"Max": MaxCitizenTextBytes}}, true
}
