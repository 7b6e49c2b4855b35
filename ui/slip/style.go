package slip

import (
	"strings"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry, in millimetres (A4 portrait).
const (
	pageW   = 210.0
	marginL = 20.0
	marginR = 20.0
	right   = pageW - marginR       // right edge of the text
	width   = right - marginL       // width of the text
	column  = marginL + width/2 + 5 // left edge of the right-hand column
)

// rgb is a colour.
type rgb struct{ r, g, b int }

// Colours of the Italian public administration palette (DESIGN.md), and
// the tints of the boxes.
var (
	blue     = rgb{0x00, 0x66, 0xCC}
	dark     = rgb{0x17, 0x32, 0x4D}
	grey     = rgb{0x5C, 0x6F, 0x82}
	black    = rgb{0x1A, 0x1A, 0x1A}
	rule     = rgb{0xC5, 0xCF, 0xD9}
	boxTint  = rgb{0xF3, 0xF5, 0xF7}
	green    = rgb{0x00, 0x80, 0x55}
	amber    = rgb{0xA6, 0x60, 0x00}
	redLabel = rgb{0xA6, 0x1C, 0x1C}
)

// doc wraps the fpdf document with the few drawing steps the slip repeats.
type doc struct{ *fpdf.Fpdf }

// newDoc returns an empty A4 document with the text fonts registered, and
// the PIN's font when pin is true, automatic page breaks off (every
// element has a fixed place) and compression on. fpdf embeds every font
// registered, printed or not: the PIN's font (about 8 KB) goes only into
// the documents that print a PIN, and not into the MV35 archived with
// every credential.
func newDoc(pin bool) (doc, error) {
	fs, err := fonts()
	if err != nil {
		return doc{}, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginL, 15, marginR)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	pdf.AddUTF8FontFromBytes(sans, "", fs.regular)
	pdf.AddUTF8FontFromBytes(sans, "B", fs.bold)
	if pin {
		pdf.AddFontFromBytes(mono, "", fs.monoDef, fs.monoZ)
	}
	return doc{pdf}, pdf.Error()
}

// font sets the font: style is "" or "B", size in points, and its colour.
func (d doc) font(style string, size float64, c rgb) {
	d.SetFont(sans, style, size)
	d.SetTextColor(c.r, c.g, c.b)
}

func (d doc) fill(c rgb) { d.SetFillColor(c.r, c.g, c.b) }

func (d doc) draw(c rgb, lineWidth float64) {
	d.SetDrawColor(c.r, c.g, c.b)
	d.SetLineWidth(lineWidth)
}

// line draws a horizontal rule across the text width at y.
func (d doc) hrule(y float64, c rgb, lineWidth float64) {
	d.draw(c, lineWidth)
	d.Line(marginL, y, right, y)
}

// hrule2 draws a thin grey rule w wide from the left margin at y.
func (d doc) hrule2(y, w float64) {
	d.draw(rule, 0.2)
	d.Line(marginL, y, marginL+w, y)
}

// lineFactor is the line height, in millimetres per point of font size.
const lineFactor = 0.47

// text writes s at (x, y) in a cell of width w and line height h, aligned
// "L", "C" or "R", and leaves the cursor below it.
func (d doc) text(x, y, w, h float64, s, align string) {
	d.SetXY(x, y)
	d.CellFormat(w, h, clean(s), "", 2, align, false, 0, "")
}

// cut returns s, in the current font, cut to width w with an ellipsis
// ending what was cut; s itself when it fits.
func (d doc) cut(s string, w float64) string {
	s = clean(s)
	if d.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// para writes s wrapped to width w from (x, y), left aligned, and returns
// the y below it.
func (d doc) para(x, y, w, h float64, s string) float64 {
	d.SetXY(x, y)
	d.MultiCell(w, h, clean(s), "", "L", false)
	return d.GetY()
}

// fit writes s from (x, y) in at most maxLines lines of width w, in style
// and colour c at size points, or smaller down to minSize when it does not
// fit; at minSize the last line is cut with an ellipsis. It returns the y
// below the text. Each variable field of the slip goes through fit, so the
// longest input the forms accept still leaves every element in its place.
func (d doc) fit(x, y, w float64, s, style string, size, minSize float64, c rgb, maxLines int) float64 {
	s = clean(s)
	var lines []string
	for ; ; size -= 0.5 {
		d.font(style, size, c)
		lines = d.SplitText(s, w)
		if len(lines) <= maxLines || size-0.5 < minSize {
			break
		}
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = d.cut(lines[maxLines-1]+"…", w)
	}
	h := size * lineFactor
	for _, l := range lines {
		d.text(x, y, w, h, l, "L")
		y += h
	}
	return y
}

// clean replaces what fpdf cannot measure: control characters become
// spaces and characters beyond the Basic Multilingual Plane (emoji, rare
// CJK), which overflow fpdf's width tables and would stop the rendering,
// become '?'.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case r > 0xFFFF:
			return '?'
		}
		return r
	}, s)
}
