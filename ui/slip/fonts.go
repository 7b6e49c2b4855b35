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
// (those it has), by letting fpdf embed them in a scratch document and
// taking the font program out of it: fpdf's own subsetter makes a font
// that fpdf reads back.
func cutFont(ttf []byte, runes []rune) ([]byte, error) {
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
	return trimNames(font)
}

// trimNames returns the TrueType font ttf with only the name records 0 to
// 6 (copyright, family, subfamily, unique id, full name, version,
// PostScript name), as font subsetters keep by default: DejaVu's name
// table alone, with its licence text, would add 3 KB to every slip.
func trimNames(ttf []byte) ([]byte, error) {
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
	tables := make([]table, n)
	for i := range tables {
		e := ttf[12+16*i:]
		off, size := int(be.Uint32(e[8:])), int(be.Uint32(e[12:]))
		if off+size > len(ttf) {
			return nil, fmt.Errorf("font table %q out of the file", e[:4])
		}
		tables[i] = table{string(e[:4]), ttf[off : off+size]}
	}
	for i, t := range tables {
		if t.tag != "name" || len(t.data) < 6 {
			continue
		}
		count, strOff := int(be.Uint16(t.data[2:])), int(be.Uint16(t.data[4:]))
		var records, strs []byte
		for r := range count {
			if len(t.data) < 6+12*(r+1) {
				return nil, errors.New("name table cut short")
			}
			rec := t.data[6+12*r : 6+12*r+12]
			id, l, o := be.Uint16(rec[6:]), int(be.Uint16(rec[8:])), int(be.Uint16(rec[10:]))
			if id > 6 || strOff+o+l > len(t.data) {
				continue
			}
			nr := bytes.Clone(rec)
			be.PutUint16(nr[10:], uint16(len(strs)))
			records = append(records, nr...)
			strs = append(strs, t.data[strOff+o:strOff+o+l]...)
		}
		kept := len(records) / 12
		name := be.AppendUint16(nil, 0)
		name = be.AppendUint16(name, uint16(kept))
		name = be.AppendUint16(name, uint16(6+12*kept))
		tables[i].data = append(append(name, records...), strs...)
	}
	out := bytes.Clone(ttf[:12])
	off := 12 + 16*n
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
