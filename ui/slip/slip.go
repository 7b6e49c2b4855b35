// Package slip renders the papers of a PIN issued at the desk as PDF, in
// memory: the sealed-envelope PIN slip (busta chiusa) with its handover
// receipt, and the filled request form MV35.
//
// # Basics
//
// [Render] returns an A4 PDF of two pages. Page 1 is a PIN mailer for a
// DL window envelope (110 × 220 mm, window 90 × 45 mm at 20 mm from the
// left and 15 mm from the bottom, DIN 680 / ISO 269), laid out as a
// DIN 5008 form B letter and Z-folded at the marks 105 and 210 mm from the
// top. The top panel carries the INPS heading, the serial number as a
// Code 128 bar code, and the recipient where the window always shows it,
// whichever way the folded sheet slides. The PIN, two groups of eight
// characters in a large monospaced font, is on the middle panel, which no
// window shows, over a light guilloche; where the top and bottom panels
// lie over it once folded, they carry dark masks of cross-hatching and
// decoy characters, so that the PIN cannot be read through the envelope
// against the light. Then come its type, state and expiry, the
// first-access instructions and the Contact Center. Page 2 is the handover
// receipt (ricevuta di consegna) that the citizen and the operator sign and
// the sede keeps: it never carries the PIN.
//
// [MV35] returns the one-page request form, filled, for the citizen to
// sign: the request, the identity document, the sede, the operator and
// the date. It carries no PIN.
//
// [Printer] prints slips: it renders one, hands it to a ui/cups back end
// and zeroes the PDF once printed.
//
// The text is Italian, whatever the language of the user interface: these
// are official papers. It is set in Fyne's bundled fonts, cut once per
// process to what the papers can print and embedded as subsets: Noto Sans
// for the text (Latin with every European accent, ß and Vietnamese, Greek,
// Cyrillic) and DejaVu Sans Mono for the PIN. Arabic, Hebrew, the Indic
// scripts, Chinese, Japanese and Korean are not covered and print as
// blanks. Arabic would also need shaping and right-to-left layout, which
// fpdf does not do: a font with Arabic letters (Debian's fonts-noto-core
// has Noto Sans Arabic) would print them unjoined and in the wrong order.
// Names on an MV35 are written in Latin letters (as on the codice
// fiscale), so this matters only for free text.
//
// The same input always renders to the same bytes: the document dates are
// the issue time, the catalogues are sorted, and the security pattern is
// drawn from a generator seeded with the serial number (never the PIN).
//
// # Caveats
//
// The PDF of a slip holds the plaintext PIN. Print it and clear it
// ([Printer] does, on a ui/cups back end); never write it to a file, a log
// or a cache.
// fpdf builds the document in buffers of its own that Render cannot wipe:
// they are left to the garbage collector, as are the strings of
// [pinsede.PIN.Groups], or kept in fpdf's pools for the next document
// (its output buffers, and its zlib writers, whose window holds the end of
// the last stream compressed).
//
// fpdf is the copy in third_party/fpdf, patched to keep its zlib writers
// and the parsed text fonts from one document to the next (see its
// README). It still cuts the two text fonts' subsets anew for every
// document: that is the largest part of what a render takes (see
// BENCHMARKS.md).
package slip

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
)

// sizeHint is well above the size of a rendered slip (about 55 KB, most of
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
	d, err := newDoc(true)
	if err != nil {
		return nil, fmt.Errorf("render slip %s: %w", s.Serial, err)
	}
	d.SetCreationDate(s.IssuedAt)
	d.SetModificationDate(s.IssuedAt)
	d.SetCatalogSort(true)
	d.SetTitle("INPS – busta PIN n. "+s.Serial, true)
	d.SetAuthor("INPS – "+sedeName(s.Sede), true)
	d.SetCreator("pinsede", true)
	d.SetLang("it-IT")

	if err := letter(d, s); err != nil {
		return nil, fmt.Errorf("render slip %s: %w", s.Serial, err)
	}
	if err := receipt(d, s); err != nil {
		return nil, fmt.Errorf("render slip %s: %w", s.Serial, err)
	}

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
	case pinsede.Telefonico:
		return "PIN telefonico"
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
// then "CAP Comune PR" in Italy, or "postcode city" and the country's
// Italian name in capitals abroad (as the UPU asks of the sending country).
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
		add(strings.ToUpper(countryName(a.Country)))
	} else {
		add(a.CAP, a.City, strings.ToUpper(a.Province))
	}
	return lines
}

// header draws the INPS heading of a page, with the sede on the left and
// the date, the serial number and its bar code on the right. It ends with
// a rule at headerY.
func header(d doc, s pinsede.Slip) error {
	const base = mastheadBase
	masthead(d)

	// One line each, whatever their length: the heading has a fixed height.
	y := d.fit(marginL, base+3, 95, sedeName(s.Sede), "B", 9.5, 7.5, dark, 1)
	y = d.fit(marginL, y, 95, strings.TrimSpace(s.Sede.Address), "", 8.5, 7, grey, 1)
	code := "Codice sede " + s.Sede.Code
	if s.Desk != "" { // the desk PC that printed it, small, by the sede's code
		code += " – Sportello " + s.Desk
	}
	d.fit(marginL, y, 95, code, "", 8.5, 8.5, grey, 1)

	// The serial number as a bar code, 8 mm high, at most 62 mm wide.
	if err := d.barcode(right, base+5, 8, 62, s.Serial); err != nil {
		return err
	}
	pair := func(y float64, label, value string) {
		value = clean(value)
		d.font("B", 8.5, dark)
		wv := d.GetStringWidth(value)
		d.Text(right-wv, y, value)
		d.font("", 8.5, grey)
		d.Text(right-wv-d.GetStringWidth(label)-1.5, y, label)
	}
	pair(base-4.5, "Data", date(s.IssuedAt))
	pair(base, "Busta n.", s.Serial)
	d.hrule(headerY, blue, 0.5)
	return nil
}

// headerY is the rule under the heading.
const headerY = 33.0

// footer draws the footer of page n of 2 at the bottom of the page, w wide.
func footer(d doc, s pinsede.Slip, left string, n int, w float64) {
	const y = bottomY - 8
	d.hrule2(y, w)
	d.font("", 7, grey)
	d.text(marginL, y+1.2, w-22, 3.5, left, "L")
	d.text(marginL+w-22, y+1.2, 22, 3.5, fmt.Sprintf("Pagina %d di 2", n), "R")
	d.fit(marginL, y+4.6, w, fmt.Sprintf("Busta n. %s · %s · operatore %s", s.Serial, sedeName(s.Sede), s.Operator),
		"", 7, 5.5, grey, 1)
}

// mastheadBase is the baseline of the masthead.
const mastheadBase = 17

// masthead draws "INPS – Istituto Nazionale della Previdenza Sociale" at
// the top of a page.
func masthead(d doc) {
	d.font("B", 21, blue)
	d.Text(marginL, mastheadBase, "INPS")
	x := marginL + d.GetStringWidth("INPS") + 2.5
	d.font("", 10.5, dark)
	d.Text(x, mastheadBase, "– Istituto Nazionale della Previdenza Sociale")
}

// formHeading draws the heading of a form or report page: the masthead,
// the sede under it when given, the document's name on the right, and the
// blue rule above headerY.
func formHeading(d doc, sede *pinsede.Sede, name string) {
	masthead(d)
	if sede != nil {
		d.fit(marginL, mastheadBase+3, 120, sedeName(*sede)+" · codice "+sede.Code, "B", 9.5, 7.5, dark, 1)
	}
	d.font("B", 11, dark)
	d.text(right-60, mastheadBase-6, 60, 6, name, "R")
	d.hrule(headerY-6, blue, 0.5)
}
