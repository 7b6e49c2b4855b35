package slip

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"regexp"
	"strconv"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"fyne.io/fyne/v2/theme"
)

// Font families, registered from Fyne's bundled fonts: Noto Sans for the
// text and DejaVu Sans Mono for the PIN.
const (
	sans = "NotoSans"
	mono = "DejaVuSansMono"
)

// fontSet holds the fonts of the documents, cut down to the characters
// they can print: the text fonts as TrueType files for fpdf's UTF-8 path,
// the PIN's font as a simple TrueType font (a WinAnsi definition and the
// compressed file), which fpdf embeds as it is, with no work per document.
type fontSet struct {
	regular, bold []byte
	monoDef       []byte // fpdf's JSON font definition
	monoZ         []byte // the font file, zlib-compressed
}

// fonts cuts Fyne's fonts down once per process. fpdf reads the whole of
// every UTF-8 font it is given again on every document, to cut the subset
// it embeds, and writes the width of every character of the font: on the
// full fonts (about 450 KB each) that was most of the time and of the size
// of a slip. The cut text fonts hold the scripts a name on an MV35 can be
// written in (see textRepertoire); the PIN's font holds digits and
// capitals, and goes to fpdf as a simple TrueType font, which costs
// nothing per document.
var fonts = sync.OnceValues(func() (fontSet, error) {
	var fs fontSet
	var err error
	if fs.regular, err = cutFont(theme.DefaultTextFont().Content(), textRepertoire()); err != nil {
		return fs, fmt.Errorf("cut Noto Sans: %w", err)
	}
	if fs.bold, err = cutFont(theme.DefaultTextBoldFont().Content(), textRepertoire()); err != nil {
		return fs, fmt.Errorf("cut Noto Sans Bold: %w", err)
	}
	mono, err := cutFont(theme.DefaultTextMonospaceFont().Content(), []rune(" 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	if err != nil {
		return fs, fmt.Errorf("cut DejaVu Sans Mono: %w", err)
	}
	if fs.monoDef, fs.monoZ, err = simpleFont("DejaVuSansMono", mono); err != nil {
		return fs, fmt.Errorf("DejaVu Sans Mono: %w", err)
	}
	return fs, nil
})

// simpleFont returns fpdf's definition of ttf as a simple TrueType font in
// the WinAnsi encoding (cp1252), and the font file compressed, for
// AddFontFromBytes. Only ASCII is measured: the PIN font prints the PIN
// alphabet and digits. The metrics come from fpdf's own reading of the
// font.
func simpleFont(name string, ttf []byte) (def, z []byte, err error) {
	pdf := fpdf.New("P", "pt", "A4", "")
	pdf.AddUTF8FontFromBytes("m", "", ttf)
	pdf.SetFont("m", "", 1000) // widths in points at 1000 pt: thousandths of an em
	if err := pdf.Error(); err != nil {
		return nil, nil, err
	}
	desc := pdf.GetFontDesc("m", "")
	cw := make([]int, 256)
	for c := range cw {
		cw[c] = desc.MissingWidth
		if c >= ' ' && c <= '~' {
			cw[c] = int(math.Round(pdf.GetStringWidth(string(rune(c)))))
		}
	}
	desc.Flags = 32 | 1 // nonsymbolic (the WinAnsi encoding applies), fixed pitch
	def, err = json.Marshal(map[string]any{
		"Tp": "TrueType", "Name": name, "Desc": desc, "Up": -100, "Ut": 50, "Cw": cw,
		"Enc": "cp1252", "File": name + ".z", "OriginalSize": len(ttf),
	})
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(ttf)
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return def, buf.Bytes(), nil
}

// textRepertoire returns the characters the text font keeps: Latin (with
// the extensions for every European language and Vietnamese), the spacing
// modifiers and combining accents, modern Greek, Cyrillic, and the
// punctuation, currency and letter-like signs. Every character kept costs
// time in every document (fpdf reads the font to cut each subset): the IPA,
// polytonic Greek and the Cyrillic supplement are left out.
func textRepertoire() []rune {
	var rs []rune
	for _, block := range [][2]rune{
		{0x0020, 0x007E}, {0x00A0, 0x024F}, {0x02B0, 0x036F}, {0x0370, 0x04FF},
		{0x1E00, 0x1EFF}, {0x2010, 0x205E}, {0x20A0, 0x20C0}, {0x2100, 0x214F},
	} {
		for r := block[0]; r <= block[1]; r++ {
			rs = append(rs, r)
		}
	}
	return rs
}

// fontFileRE finds the embedded font program in a PDF written by fpdf.
var fontFileRE = regexp.MustCompile(`<</Length (\d+)\n/Filter /FlateDecode\n/Length1 (\d+)\n>>\nstream\n`)

// cutFont returns the TrueType font ttf cut down to the characters runes
// (those it has), and slimmed (slimFont).
func cutFont(ttf []byte, runes []rune) ([]byte, error) {
	font, err := subsetFont(ttf, runes)
	if err != nil {
		return nil, err
	}
	return slimFont(font)
}

// subsetFont returns the TrueType font ttf cut down to the characters
// runes (those it has), by letting fpdf embed them in a scratch document
// and taking the font program out of it: fpdf's own subsetter makes a font
// that fpdf reads back.
func subsetFont(ttf []byte, runes []rune) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("cut", "", ttf)
	pdf.AddPage()
	pdf.SetFont("cut", "", 10)
	for i := 0; i < len(runes); i += 64 {
		pdf.Text(10, 10, string(runes[i:min(i+64, len(runes))]))
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, err
	}
	b := out.Bytes()
	m := fontFileRE.FindSubmatchIndex(b)
	if m == nil {
		return nil, errors.New("no font program in fpdf's output")
	}
	n, _ := strconv.Atoi(string(b[m[2]:m[3]]))
	size, _ := strconv.Atoi(string(b[m[4]:m[5]]))
	if m[1]+n > len(b) {
		return nil, errors.New("font program cut short")
	}
	zr, err := zlib.NewReader(bytes.NewReader(b[m[1] : m[1]+n]))
	if err != nil {
		return nil, err
	}
	font, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if len(font) != size {
		return nil, fmt.Errorf("font program of %d bytes, want %d", len(font), size)
	}
	return font, nil
}

// slimFont returns the TrueType font ttf with what a PDF does not need
// left out. The name table keeps only its records 0 to 6 (copyright,
// family, subfamily, unique id, full name, version, PostScript name), as
// font subsetters keep by default: DejaVu's name table alone, with its
// licence text, would add 3 KB to every slip. And the hinting goes: the
// programs of the font (fpgm, prep, cvt) and each glyph's instructions,
// which fit outlines to the pixels of a screen. PDF viewers and
// pdftoppm draw the outlines unhinted, a printer's resolution needs no
// fitting, and ISO 32000-1 (9.9) asks for those tables only where the
// glyphs' instructions use them. In Fyne's Noto Sans (hinted by
// ttfautohint) they were about 40% of the font each document embeds.
func slimFont(ttf []byte) ([]byte, error) {
	be := binary.BigEndian
	if len(ttf) < 12 {
		return nil, errors.New("font too short")
	}
	n := int(be.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return nil, errors.New("font table directory cut short")
	}
	type table struct {
		tag  string
		data []byte
	}
	var tables []table
	byTag := map[string]int{}
	for i := range n {
		e := ttf[12+16*i:]
		off, size := int(be.Uint32(e[8:])), int(be.Uint32(e[12:]))
		if off+size > len(ttf) {
			return nil, fmt.Errorf("font table %q out of the file", e[:4])
		}
		switch tag := string(e[:4]); tag {
		case "fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX", "TTFA":
		default:
			byTag[tag] = len(tables)
			tables = append(tables, table{tag, bytes.Clone(ttf[off : off+size])})
		}
	}
	get := func(tag string, min int) ([]byte, error) {
		i, ok := byTag[tag]
		if !ok || len(tables[i].data) < min {
			return nil, fmt.Errorf("font table %q missing or cut short", tag)
		}
		return tables[i].data, nil
	}
	name, err := get("name", 6)
	if err != nil {
		return nil, err
	}
	if tables[byTag["name"]].data, err = trimName(name); err != nil {
		return nil, err
	}
	head, err := get("head", 54)
	if err != nil {
		return nil, err
	}
	maxp, err := get("maxp", 6)
	if err != nil {
		return nil, err
	}
	loca, err := get("loca", 0)
	if err != nil {
		return nil, err
	}
	glyf, err := get("glyf", 0)
	if err != nil {
		return nil, err
	}
	glyf, loca, err = unhintGlyphs(glyf, loca, int(be.Uint16(maxp[4:])), be.Uint16(head[50:]) == 1)
	if err != nil {
		return nil, err
	}
	tables[byTag["glyf"]].data, tables[byTag["loca"]].data = glyf, loca
	be.PutUint16(head[50:], 1) // indexToLocFormat: long offsets
	be.PutUint32(head[8:], 0)  // checkSumAdjustment: fpdf sets its own
	if len(maxp) >= 28 {
		be.PutUint16(maxp[26:], 0) // maxSizeOfInstructions
	}

	// The directory, its search fields made again for the tables kept.
	out := append(bytes.Clone(ttf[:4]), 0, 0, 0, 0, 0, 0, 0, 0)
	be.PutUint16(out[4:], uint16(len(tables)))
	p := 1
	for p*2 <= len(tables) {
		p *= 2
	}
	be.PutUint16(out[6:], uint16(16*p))
	be.PutUint16(out[8:], uint16(bits.Len(uint(p))-1))
	be.PutUint16(out[10:], uint16(16*(len(tables)-p)))
	off := 12 + 16*len(tables)
	var body []byte
	for _, t := range tables {
		out = append(out, t.tag...)
		out = be.AppendUint32(out, checksum(t.data))
		out = be.AppendUint32(out, uint32(off+len(body)))
		out = be.AppendUint32(out, uint32(len(t.data)))
		body = append(body, t.data...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	return append(out, body...), nil
}

// trimName returns the name table name with only its records 0 to 6.
func trimName(name []byte) ([]byte, error) {
	be := binary.BigEndian
	count, strOff := int(be.Uint16(name[2:])), int(be.Uint16(name[4:]))
	var records, strs []byte
	for r := range count {
		if len(name) < 6+12*(r+1) {
			return nil, errors.New("name table cut short")
		}
		rec := name[6+12*r : 6+12*r+12]
		id, l, o := be.Uint16(rec[6:]), int(be.Uint16(rec[8:])), int(be.Uint16(rec[10:]))
		if id > 6 || strOff+o+l > len(name) {
			continue
		}
		nr := bytes.Clone(rec)
		be.PutUint16(nr[10:], uint16(len(strs)))
		records = append(records, nr...)
		strs = append(strs, name[strOff+o:strOff+o+l]...)
	}
	kept := len(records) / 12
	out := be.AppendUint16(nil, 0)
	out = be.AppendUint16(out, uint16(kept))
	out = be.AppendUint16(out, uint16(6+12*kept))
	return append(append(out, records...), strs...), nil
}

// The flags of a composite glyph's components that unhintGlyphs reads.
const (
	argsAreWords     = 0x0001
	haveScale        = 0x0008
	moreComponents   = 0x0020
	haveXYScale      = 0x0040
	haveTwoByTwo     = 0x0080
	haveInstructions = 0x0100
)

// unhintGlyphs returns the glyf table of n glyphs, located by loca (long
// or short offsets), with every glyph's instructions left out, and its
// loca with long offsets, each glyph starting on 4 bytes.
func unhintGlyphs(glyf, loca []byte, n int, long bool) ([]byte, []byte, error) {
	be := binary.BigEndian
	at := func(i int) int {
		if long {
			return int(be.Uint32(loca[4*i:]))
		}
		return 2 * int(be.Uint16(loca[2*i:]))
	}
	w := 2
	if long {
		w = 4
	}
	if len(loca) < w*(n+1) {
		return nil, nil, errors.New("font loca table cut short")
	}
	var out, offsets []byte
	for i := range n {
		offsets = be.AppendUint32(offsets, uint32(len(out)))
		from, to := at(i), at(i+1)
		if from > to || to > len(glyf) {
			return nil, nil, fmt.Errorf("glyph %d out of the glyf table", i)
		}
		g := glyf[from:to]
		if len(g) == 0 {
			continue
		}
		if len(g) < 10 {
			return nil, nil, fmt.Errorf("glyph %d cut short", i)
		}
		if contours := int16(be.Uint16(g)); contours >= 0 {
			p := 10 + 2*int(contours) // the instructions' length
			if len(g) < p+2 || len(g) < p+2+int(be.Uint16(g[p:])) {
				return nil, nil, fmt.Errorf("glyph %d cut short", i)
			}
			out = append(append(append(out, g[:p]...), 0, 0), g[p+2+int(be.Uint16(g[p:])):]...)
		} else {
			start := len(out)
			p, last := 10, 0
			for {
				if len(g) < p+4 {
					return nil, nil, fmt.Errorf("glyph %d: component cut short", i)
				}
				flags := be.Uint16(g[p:])
				last = p
				p += 6 // flags, glyph index, two arguments of a byte
				if flags&argsAreWords != 0 {
					p += 2
				}
				switch {
				case flags&haveScale != 0:
					p += 2
				case flags&haveXYScale != 0:
					p += 4
				case flags&haveTwoByTwo != 0:
					p += 8
				}
				if flags&moreComponents == 0 {
					break
				}
			}
			if len(g) < p {
				return nil, nil, fmt.Errorf("glyph %d: component cut short", i)
			}
			out = append(out, g[:p]...)
			be.PutUint16(out[start+last:], be.Uint16(g[last:])&^haveInstructions)
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, be.AppendUint32(offsets, uint32(len(out))), nil
}

// checksum is the TrueType table checksum: the sum of its 32-bit words.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
