package slip

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mm converts points from pdftotext into millimetres.
const mm = 25.4 / 72

// inside reports whether the word's box lies in b, give or take 0.5 mm.
func (w word) inside(b box) bool {
	return w.xMin*mm >= b.x0-0.5 && w.xMax*mm <= b.x1+0.5 && w.yMin*mm >= b.y0-0.5 && w.yMax*mm <= b.y1+0.5
}

// Ensure that the recipient is written where the window always shows it,
// that the PIN is on the middle panel where no window reaches, and that
// the masks lie where the folded panels cover the PIN.
func TestMailerGeometry(t *testing.T) {
	// The window of a DL envelope spans x 20-110 and y 50-95 from its top
	// left corner (a 90 × 45 mm window 20 mm from the left and 15 mm from
	// the bottom of 110 × 220). The sheet folded to 105 × 210 can sit
	// anywhere in it: the window always shows the intersection.
	always := box{20, 50, 110, 95}
	for _, dx := range []float64{0, 10} {
		for _, dy := range []float64{0, 5} {
			always.x0, always.y0 = max(always.x0, 20-dx), max(always.y0, 50-dy)
			always.x1, always.y1 = min(always.x1, 110-dx), min(always.y1, 95-dy)
		}
	}
	if always != window {
		t.Errorf("the window always shows %v, the letter writes in %v", always, window)
	}
	if pinBox.y0 <= fold1 || pinBox.y1 >= fold2 || pinBox.x0 < 110 {
		t.Errorf("PIN box %v is not on the middle panel right of the window", pinBox)
	}
	if m := mirror(pinBox, fold1); m.y0 < headerY || m.y1 > fold1 {
		t.Errorf("the top panel's mask %v is not between the heading and the fold", m)
	}

	s := sampleSlip(t, "Παπαδόπουλος", "Γιώργος")
	pdf, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	page := words(t, pdf)[0]
	want := map[string]box{
		"Παπαδόπουλος": window, "Γιώργος": window, "Königstraße": window, "Stuttgart": window,
		sampleFirst: pinBox, sampleSecond: pinBox,
	}
	for _, w := range page {
		if b, ok := want[w.text]; ok {
			if !w.inside(b) {
				t.Errorf("%q at (%.1f, %.1f)-(%.1f, %.1f) mm, not inside %v", w.text, w.xMin*mm, w.yMin*mm, w.xMax*mm, w.yMax*mm, b)
			}
			delete(want, w.text)
		}
	}
	for text := range want {
		t.Errorf("%q not found on page 1", text)
	}
}

// Ensure that the slip of a name in Greek or Cyrillic stays within 60 KB.
func TestRenderSize(t *testing.T) {
	for _, name := range [][2]string{{"Müller-Lüdenscheidt", "Jürgen"}, {"Иванов", "Сергей"}, {"Παπαδόπουλος", "Γιώργος"}} {
		pdf, err := Render(sampleSlip(t, name[0], name[1]))
		if err != nil {
			t.Fatal(err)
		}
		if len(pdf) > 60_000 {
			t.Errorf("%s: %d bytes, want at most 60 000", name[0], len(pdf))
		}
	}
}

// Ensure that Arabic, which the fonts lack, still renders (the letters
// print as blanks: see the package documentation) rather than failing.
func TestRenderArabic(t *testing.T) {
	if _, err := Render(sampleSlip(t, "الهاشمي", "محمد")); err != nil {
		t.Fatal(err)
	}
}

// Ensure that a bar code reader reads the serial number on both pages
// (zbarimg, from zbar-tools, on a 300 dpi scan).
func TestBarcodeScans(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed (poppler-utils, zbar-tools)")
		}
	}
	s := sampleSlip(t, "Rossi", "Mario")
	pdf, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("pdftoppm", "-png", "-r", "300", "-", filepath.Join(dir, "scan"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	for _, page := range []string{"scan-1.png", "scan-2.png"} {
		out, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, page)).Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != s.Serial {
			t.Errorf("%s: read %q (%v), want %q", page, got, err, s.Serial)
		}
	}
}
