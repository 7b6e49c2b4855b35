package slip

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"fyne.io/fyne/v2/theme"
)

// TestPINFontOnlyWithAPIN: fpdf embeds every font a document registers, so
// the PIN's font (about 8 KB) is registered only by the documents that
// print a PIN. The MV35 is archived with every credential, at the desk and
// at centrale: it was a quarter bigger with the font it never prints.
func TestPINFontOnlyWithAPIN(t *testing.T) {
	mv35, err := MV35(sampleMV35("Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := InfoSheet()
	if err != nil {
		t.Fatal(err)
	}
	recon, err := Reconciliation(sampleReconciliation())
	if err != nil {
		t.Fatal(err)
	}
	slip, err := Render(sampleSlip(t, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	font := []byte("/BaseFont /" + mono)
	for _, tc := range []struct {
		name string
		pdf  []byte
		want bool
	}{
		{"MV35", mv35, false}, {"information sheet", info, false}, {"reconciliation", recon, false}, {"slip", slip, true},
	} {
		if got := bytes.Contains(tc.pdf, font); got != tc.want {
			t.Errorf("%s (%d bytes): the PIN's font embedded %v, want %v", tc.name, len(tc.pdf), got, tc.want)
		}
	}
	t.Logf("MV35: %d bytes", len(mv35))
}

// TestSlimFontKeepsTheOutlines: the fonts the documents embed have no
// hinting left (no fpgm, prep or cvt table, no glyph's instructions) and
// no name records past 6, are at most 70% of the subset they come from,
// and draw the same pixels: a line of every kind of character a name or
// an address may hold, in each text font, rendered by pdftoppm with the
// subset and with the slim font.
func TestSlimFontKeepsTheOutlines(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	text := "Ññ ÀÈÌÒÙ àèìòù ÇçŠšŽžĐđ ŁłŚśŻż ȘșȚț ΑΒΓαβγ АБВабв Königstraße 12, 00144 Roma – «Ďž» €"
	for name, ttf := range map[string][]byte{"regular": theme.DefaultTextFont().Content(), "bold": theme.DefaultTextBoldFont().Content()} {
		full, err := subsetFont(ttf, textRepertoire())
		if err != nil {
			t.Fatal(err)
		}
		slim, err := slimFont(full)
		if err != nil {
			t.Fatal(err)
		}
		tables := fontTables(t, slim)
		for _, tag := range []string{"fpgm", "prep", "cvt "} {
			if _, ok := tables[tag]; ok {
				t.Errorf("%s: table %q kept", name, tag)
			}
		}
		glyf, loca := tables["glyf"], tables["loca"]
		be := binary.BigEndian
		for g := range int(be.Uint16(tables["maxp"][4:])) {
			from, to := be.Uint32(loca[4*g:]), be.Uint32(loca[4*g+4:])
			if d := glyf[from:to]; len(d) > 0 && int16(be.Uint16(d)) >= 0 {
				if p := 10 + 2*int(be.Uint16(d)); be.Uint16(d[p:]) != 0 {
					t.Errorf("%s: glyph %d keeps %d bytes of instructions", name, g, be.Uint16(d[p:]))
				}
			}
		}
		if got, limit := len(slim), len(full)*7/10; got > limit {
			t.Errorf("%s: slim font %d bytes, the subset %d: want at most %d", name, got, len(full), limit)
		}
		t.Logf("%s: %d bytes -> %d", name, len(full), len(slim))
		a, b := renderLine(t, full, text), renderLine(t, slim, text)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the slim font draws other pixels than the subset it comes from", name)
		}
	}
}

// fontTables returns the tables of a TrueType font by tag.
func fontTables(t *testing.T, ttf []byte) map[string][]byte {
	t.Helper()
	be := binary.BigEndian
	out := map[string][]byte{}
	for i := range int(be.Uint16(ttf[4:])) {
		e := ttf[12+16*i:]
		off, size := be.Uint32(e[8:]), be.Uint32(e[12:])
		out[string(e[:4])] = ttf[off : off+size]
	}
	return out
}

// renderLine renders text in the TrueType font ttf with fpdf and then
// pdftoppm at 150 dpi, and returns the page's pixels (PPM).
func renderLine(t *testing.T, ttf []byte, text string) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A5", "")
	pdf.AddUTF8FontFromBytes("f", "", ttf)
	pdf.AddPage()
	for i, size := range []float64{7, 9, 11, 14, 20} {
		pdf.SetFont("f", "", size)
		pdf.Text(5, 15+float64(i)*12, text)
	}
	var doc bytes.Buffer
	if err := pdf.Output(&doc); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftoppm", "-r", "150", "-singlefile", "-")
	cmd.Stdin = &doc
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	return out
}
