// Package slip renders the sealed-envelope PIN slip (busta chiusa) as a PDF,
// in memory.
//
// # Basics
//
// [Render] returns an A4 PDF of two pages. Page 1 goes into the envelope:
// the INPS heading with the sede, the recipient, the PIN as two groups of
// eight characters in a large monospaced font, its type, state and expiry,
// the first-access instructions and the Contact Center numbers. Page 2 is
// the handover receipt (ricevuta di consegna) that the citizen and the
// operator sign and the sede keeps: it never carries the PIN.
//
// The text is Italian, whatever the language of the user interface: the
// slip is an official paper. It is set in Fyne's bundled fonts, embedded as
// subsets: Noto Sans for the text and DejaVu Sans Mono for the PIN. Both
// cover Latin (with the accents of western, central and eastern Europe,
// Vietnamese and ß), Greek and Cyrillic; they do not cover Arabic, Hebrew,
// the Indic scripts, Chinese, Japanese or Korean, whose characters would
// print as empty boxes. Names on an MV35 are written in Latin letters, so
// this matters only for free text.
//
// The same slip always renders to the same bytes: the document dates are
// the slip's issue time and the catalogues are sorted.
//
// # Caveats
//
// The returned PDF holds the plaintext PIN. Print it and clear it (the
// ui/printer package does); never write it to a file, a log or a cache.
// fpdf builds the document in buffers of its own that Render cannot wipe:
// they are left to the garbage collector, as are the strings of
// [pinsede.PIN.Groups].
package slip

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
)

// sizeHint is well above the size of a rendered slip (about 40 KB, most of
// it the font subsets), so that the output buffer never grows: every growth
// would leave a copy of the PIN behind in freed memory.
const sizeHint = 128 << 10

// Render renders the slip s as a PDF of two pages: the letter with the PIN
// and the handover receipt without it. The result holds the plaintext PIN:
// clear it once printed.
func Render(s pinsede.Slip) ([]byte, error) {
	if err := check(s); err != nil {
		return nil, fmt.Errorf("render slip %s: %w", s.Serial, err)
	}
	d := newDoc()
	d.SetCreationDate(s.IssuedAt)
	d.SetModificationDate(s.IssuedAt)
	d.SetCatalogSort(true)
	d.SetTitle("INPS – busta PIN n. "+s.Serial, true)
	d.SetAuthor("INPS – "+sedeName(s.Sede), true)
	d.SetCreator("pinsede", true)
	d.SetLang("it-IT")

	letter(d, s)
	receipt(d, s)

	buf := bytes.NewBuffer(make([]byte, 0, sizeHint))
	if err := d.Output(buf); err != nil {
		return nil, fmt.Errorf("render slip %s: %w", s.Serial, err)
	}
	return buf.Bytes(), nil
}

// check refuses a slip that cannot make a complete paper.
func check(s pinsede.Slip) error {
	switch {
	case s.PIN == nil:
		return errors.New("no PIN")
	case s.Serial == "":
		return errors.New("no serial number")
	case s.IssuedAt.IsZero() || s.ExpiresAt.IsZero():
		return errors.New("no issue or expiry date")
	case typeName(s.Type) == "":
		return fmt.Errorf("unknown credential type %q", s.Type)
	}
	return nil
}

// typeName is how the slip names a kind of PIN.
func typeName(t pinsede.CredentialType) string {
	switch t {
	case pinsede.Dispositivo:
		return "PIN dispositivo"
	case pinsede.Ordinario:
		return "PIN ordinario"
	}
	return ""
}

// stateName is the state of the PIN as the slip says it.
func stateName(s pinsede.Slip) string {
	if s.Pending {
		return "In attesa di attivazione"
	}
	return "Già attivo"
}

// sedeName returns "Sede di <name>", unless the name already says "Sede".
func sedeName(s pinsede.Sede) string {
	name := strings.TrimSpace(s.Name)
	if strings.HasPrefix(strings.ToLower(name), "sede ") {
		return name
	}
	return "Sede di " + name
}

// date returns t's calendar day as gg/mm/aaaa.
func date(t time.Time) string { return pinsede.DateOf(t).Italian() }

// addressLines returns the postal address of a, one line each: street,
// then "CAP Comune PR" in Italy, or "postcode city" and the country code
// abroad.
func addressLines(a pinsede.Address) []string {
	var lines []string
	add := func(parts ...string) {
		var kept []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			lines = append(lines, strings.Join(kept, " "))
		}
	}
	add(a.Street)
	if a.Abroad() {
		add(a.CAP, a.City)
		add(strings.ToUpper(a.Country))
	} else {
		add(a.CAP, a.City, strings.ToUpper(a.Province))
	}
	return lines
}

// header draws the INPS heading of a page, with the sede on the left and
// the date and serial number on the right, and returns the y below it.
func header(d doc, s pinsede.Slip) float64 {
	const base = 24
	d.font("B", 24, blue)
	d.Text(marginL, base, "INPS")
	x := marginL + d.GetStringWidth("INPS") + 2.5
	d.font("", 12, dark)
	d.Text(x, base, "– Istituto Nazionale della Previdenza Sociale")

	// One line each, whatever their length: the heading has a fixed height.
	y := d.fit(marginL, base+4, 100, sedeName(s.Sede), "B", 10, 7.5, dark, 1)
	y = d.fit(marginL, y, 100, strings.TrimSpace(s.Sede.Address), "", 9, 7, grey, 1)
	y = d.fit(marginL, y, 100, "Codice sede "+s.Sede.Code, "", 9, 9, grey, 1)

	pair := func(y float64, label, value string) {
		value = clean(value)
		d.font("B", 9, dark)
		wv := d.GetStringWidth(value)
		d.Text(right-wv, y, value)
		d.font("", 9, grey)
		d.Text(right-wv-d.GetStringWidth(label)-1.5, y, label)
	}
	pair(base+7.5, "Data", date(s.IssuedAt))
	pair(base+12, "Busta n.", s.Serial)

	y += 2
	d.hrule(y, blue, 0.6)
	return y
}

// footer draws the footer of page n of 2.
func footer(d doc, s pinsede.Slip, left string, n int) {
	d.hrule(footerY, rule, 0.2)
	d.font("", 7.5, grey)
	d.text(marginL, footerY+1.5, width-25, 4, left, "L")
	d.text(right-25, footerY+1.5, 25, 4, fmt.Sprintf("Pagina %d di 2", n), "R")
	d.fit(marginL, footerY+5.5, width, fmt.Sprintf("Busta n. %s · %s · operatore %s", s.Serial, sedeName(s.Sede), s.Operator),
		"", 7.5, 6, grey, 1)
}
