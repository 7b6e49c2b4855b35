package slip

import (
	"bytes"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// samplePIN is the PIN of the sample slips: the characters of the groups
// below, in order. It is no real PIN.
const (
	sampleFirst  = "ACEF3479"
	sampleSecond = "HJKMNPRT"
)

// sampleSlip returns a slip for the citizen cognome nome living abroad.
func sampleSlip(t testing.TB, cognome, nome string) pinsede.Slip {
	t.Helper()
	// GeneratePIN maps each byte b to PINAlphabet[b%22]: feed it the index
	// of each wanted character.
	var draw [32]byte
	for i, c := range []byte(sampleFirst + sampleSecond) {
		draw[i] = byte(strings.IndexByte(pinsede.PINAlphabet, c))
	}
	pin, err := pinsede.GeneratePIN(bytes.NewReader(draw[:]))
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, time.November, 23, 10, 42, 0, 0, time.UTC)
	return pinsede.Slip{
		Serial:   "ROMA01-20261123-3F9A2C",
		Sede:     pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale dell'Aeronautica 1, 00144 Roma RM"},
		Operator: "Giulia Bianchi",
		Citizen: pinsede.Request{
			Cognome:       cognome,
			Nome:          nome,
			CodiceFiscale: "MLLJRG80A01Z112X",
			Residenza:     pinsede.Address{Street: "Königstraße 12", CAP: "70173", City: "Stuttgart", Country: "DE"},
		},
		PIN:       pin,
		Type:      pinsede.Dispositivo,
		IssuedAt:  issued,
		ExpiresAt: pinsede.Expiry(issued),
	}
}

// pdftotext returns the text of pages first to last of pdf, laid out.
func pdftotext(t *testing.T, pdf []byte, first, last string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	cmd := exec.Command("pdftotext", "-layout", "-f", first, "-l", last, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return string(out)
}

// Ensure that every name prints, with the PIN on the letter and never on
// the receipt.
func TestRenderNames(t *testing.T) {
	for _, tc := range []struct{ cognome, nome string }{
		{"Müller-Lüdenscheidt", "Jürgen"},
		{"SStraße", "Öznur"},
		{"Παπαδόπουλος", "Γιώργος"},
		{"Иванов", "Сергей"},
		{"D'Alessandro Dell'Aquila", "Maria Chiara Françoise"},
	} {
		t.Run(tc.cognome, func(t *testing.T) {
			pdf, err := Render(sampleSlip(t, tc.cognome, tc.nome))
			if err != nil {
				t.Fatal(err)
			}
			page1 := pdftotext(t, pdf, "1", "1")
			page2 := pdftotext(t, pdf, "2", "2")
			name := tc.cognome + " " + tc.nome
			// A long name wraps in the address block: look for each word.
			for _, want := range append(strings.Fields(name), sampleFirst, sampleSecond, "PIN dispositivo", "Già attivo",
				"23/05/2027", "ROMA01-20261123-3F9A2C", "803 164", "06 164 164", "Giulia Bianchi", "Königstraße 12") {
				if !strings.Contains(page1, want) {
					t.Errorf("page 1 lacks %q:\n%s", want, page1)
				}
			}
			for _, want := range []string{name, "ROMA01-20261123-3F9A2C", "23/11/2026", "Roma Eur", "Giulia Bianchi", "Ricevuta di consegna"} {
				if !strings.Contains(page2, want) {
					t.Errorf("page 2 lacks %q:\n%s", want, page2)
				}
			}
			for _, secret := range []string{sampleFirst, sampleSecond} {
				if strings.Contains(page2, secret) {
					t.Errorf("page 2 shows the PIN group %s", secret)
				}
			}
		})
	}
}

// Ensure that the slip names the desk PC that printed it, small, by the
// sede's code, and that a desk with no desk id prints none.
func TestRenderDesk(t *testing.T) {
	s := sampleSlip(t, "Rossi", "Mario")
	for _, desk := range []string{"03", ""} {
		s.Desk = desk
		pdf, err := Render(s)
		if err != nil {
			t.Fatal(err)
		}
		page1 := pdftotext(t, pdf, "1", "1")
		if got := strings.Contains(page1, "Codice sede ROMA01 – Sportello 03"); got != (desk != "") {
			t.Errorf("desk %q: page 1 shows the desk: %v\n%s", desk, got, page1)
		}
		if desk == "" && strings.Contains(page1, "Sportello") {
			t.Errorf("a slip of no desk names one:\n%s", page1)
		}
	}
}

// Ensure that a pending PIN says so on the letter and on the receipt.
func TestRenderPending(t *testing.T) {
	s := sampleSlip(t, "Rossi", "Mario")
	s.Pending = true
	pdf, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	for page, text := range map[string]string{"1": pdftotext(t, pdf, "1", "1"), "2": pdftotext(t, pdf, "2", "2")} {
		if !strings.Contains(text, "In attesa di attivazione") || strings.Contains(text, "Già attivo") {
			t.Errorf("page %s does not say the PIN is pending:\n%s", page, text)
		}
	}
}

// Ensure that the slip tells the citizen where a new PIN comes from when
// this one expires: a sede (the desk's renewal, issue 7) or SPID, CIE,
// CNS. It promised that "il sistema La guiderà nel rinnovo", and
// centrale answers an expired PIN "expired", with no renewal online.
func TestRenderExpiryWhereToRenew(t *testing.T) {
	pdf, err := Render(sampleSlip(t, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	page1 := strings.Join(strings.Fields(pdftotext(t, pdf, "1", "1")), " ")
	for _, want := range []string{"fino al 23/05/2027", "non si rinnova da solo", "si rivolga a una sede INPS con un documento d'identità valido", "SPID, CIE o CNS"} {
		if !strings.Contains(page1, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, page1)
		}
	}
	if strings.Contains(page1, "guiderà nel rinnovo") {
		t.Errorf("page 1 promises a renewal online that centrale does not make:\n%s", page1)
	}
}

// Ensure that the same slip renders to the same bytes.
func TestRenderDeterministic(t *testing.T) {
	a, err := Render(sampleSlip(t, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(sampleSlip(t, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renders of one slip differ")
	}
}

// Ensure that an incomplete slip is refused, not printed half empty.
func TestRenderIncomplete(t *testing.T) {
	for name, spoil := range map[string]func(*pinsede.Slip){
		"no PIN":     func(s *pinsede.Slip) { s.PIN = nil },
		"no serial":  func(s *pinsede.Slip) { s.Serial = "" },
		"no expiry":  func(s *pinsede.Slip) { s.ExpiresAt = time.Time{} },
		"no type":    func(s *pinsede.Slip) { s.Type = "" },
		"wrong type": func(s *pinsede.Slip) { s.Type = "temporaneo" },
	} {
		t.Run(name, func(t *testing.T) {
			s := sampleSlip(t, "Rossi", "Mario")
			spoil(&s)
			if _, err := Render(s); err == nil {
				t.Error("rendered an incomplete slip")
			}
		})
	}
}

// Ensure that an Italian address prints as CAP, comune and province.
func TestAddressLines(t *testing.T) {
	for _, tc := range []struct {
		a    pinsede.Address
		want []string
	}{
		{pinsede.Address{Street: "Via Roma 1", CAP: "00144", City: "Roma", Province: "rm", Country: "IT"}, []string{"Via Roma 1", "00144 Roma RM"}},
		{pinsede.Address{Street: "Königstraße 12", CAP: "70173", City: "Stuttgart", Country: "de"}, []string{"Königstraße 12", "70173 Stuttgart", "GERMANIA"}},
		{pinsede.Address{Street: "12 Main St", City: "Dublin", Country: "IE"}, []string{"12 Main St", "Dublin", "IRLANDA"}},
	} {
		got := addressLines(tc.a)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("addressLines(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

// TestRenderPNG renders the sample slip to PNG pages with pdftoppm, for a
// person to look at. Set SLIP_PNG_DIR to keep them.
func TestRenderPNG(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := os.Getenv("SLIP_PNG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	pdf, err := Render(sampleSlip(t, "Müller-Lüdenscheidt", "Jürgen"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftoppm", "-png", "-r", "100", "-", filepath.Join(dir, "slip"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	for _, page := range []string{"slip-1.png", "slip-2.png"} {
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkRender measures the rendering of one slip, and reports its size
// and the processor time it took (cpu-ns/op: the time of this process on
// every core, garbage collection included; unlike ns/op, it does not grow
// when other programs load the machine).
func BenchmarkRender(b *testing.B) { benchmarkRender(b, renderSampleSlip(b)) }

// BenchmarkRenderDeskHeap is BenchmarkRender with 64 MB of live heap, as
// the desk application holds (Fyne, its fonts and images, the store): the
// garbage collector then runs about once every 15 slips, not every other
// slip as it does in a test binary that holds nothing else.
func BenchmarkRenderDeskHeap(b *testing.B) {
	heap := make([][]byte, 64)
	for i := range heap {
		heap[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	benchmarkRender(b, renderSampleSlip(b))
	runtime.KeepAlive(heap)
}

// renderSampleSlip returns a function that renders the sample slip.
func renderSampleSlip(b *testing.B) func() ([]byte, error) {
	s := sampleSlip(b, "Müller-Lüdenscheidt", "Jürgen")
	return func() ([]byte, error) { return Render(s) }
}

// benchmarkRender measures render and reports the size of the PDF it makes
// (bytes/pdf) and the processor time it took (cpu-ns/op).
func benchmarkRender(b *testing.B, render func() ([]byte, error)) {
	if _, err := render(); err != nil { // cut the fonts outside the timing
		b.Fatal(err)
	}
	var size int
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		pdf, err := render()
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// Ensure that a render allocates well under the 13 MB it takes with
// upstream fpdf (v0.9.0 and v0.12.0 alike), which makes a zlib writer for
// every stream and parses the text fonts again for every document: the
// copy in third_party/fpdf keeps both, and the speed target
// (BENCHMARKS.md) rests on it. Unlike the time, the allocation does not depend on the load of
// the machine.
func TestRenderAllocation(t *testing.T) {
	s := sampleSlip(t, "Müller-Lüdenscheidt", "Jürgen")
	if _, err := Render(s); err != nil { // cut the fonts first
		t.Fatal(err)
	}
	const renders = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range renders {
		if _, err := Render(s); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / renders; per > 8<<20 {
		t.Errorf("a render allocates %.1f MB, want at most 8 MB (is go.mod's replace of fpdf gone?)", float64(per)/(1<<20))
	}
}

// Ensure that the longest fields the MV35 accepts still fit their page,
// and that no text runs into other text.
func TestRenderLongest(t *testing.T) {
	long := func(word string) string {
		return strings.TrimSpace(strings.Repeat(word+" ", 120/(len([]rune(word))+1)))
	}
	s := sampleSlip(t, long("Wolfeschlegelsteinhausen"), long("Maximiliano"))
	s.Citizen.Residenza = pinsede.Address{Street: long("Hauptstraße"), CAP: "ABCDEFGHIJ", City: long("Llanfairpwllgwyngyll"), Country: "GB"}
	s.Sede.Name = long("Provinciale")
	s.Sede.Address = long("Circonvallazione")
	s.Operator = long("Bartolomeo") + " 😀"
	s.Pending = true
	for name, s := range map[string]pinsede.Slip{"sample": sampleSlip(t, "Rossi", "Mario"), "longest": s} {
		t.Run(name, func(t *testing.T) {
			pdf, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			pages := words(t, pdf)
			if len(pages) != 2 {
				t.Fatalf("%d pages, want 2", len(pages))
			}
			for p, ws := range pages {
				ws = outsideMasks(ws, p)
				for i, a := range ws {
					if a.xMin < 0 || a.yMin < 0 || a.xMax > a595 || a.yMax > a842 {
						t.Errorf("page %d: %q is off the page", p+1, a.text)
					}
					for _, b := range ws[i+1:] {
						if a.overlaps(b) {
							t.Errorf("page %d: %q runs into %q", p+1, a.text, b.text)
						}
					}
				}
			}
		})
	}
}

// outsideMasks returns the words of page p (from 0) that are not decoys
// of the security masks, which overlap one another on purpose.
func outsideMasks(ws []word, p int) []word {
	if p != 0 {
		return ws
	}
	const pt = 72 / 25.4
	var kept []word
	for _, w := range ws {
		x, y := (w.xMin+w.xMax)/2/pt, (w.yMin+w.yMax)/2/pt
		in := false
		for _, b := range []box{mirror(pinBox, fold1), mirror(pinBox, fold2)} {
			in = in || b.x0 <= x && x <= b.x1 && b.y0 <= y && y <= b.y1
		}
		if !in {
			kept = append(kept, w)
		}
	}
	return kept
}

// The A4 page in points.
const a595, a842 = 595.28, 841.89

// word is a word on a page with its box, in points from the top left.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// overlaps reports whether the boxes of w and v intersect, ignoring the
// top and bottom fifth of each (the ascender and descender room of a line
// box, which neighbouring lines may share).
func (w word) overlaps(v word) bool {
	shrink := func(w word) (float64, float64) { h := (w.yMax - w.yMin) / 5; return w.yMin + h, w.yMax - h }
	wy0, wy1 := shrink(w)
	vy0, vy1 := shrink(v)
	return w.xMin < v.xMax && v.xMin < w.xMax && wy0 < vy1 && vy0 < wy1
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// words returns the words of each page of pdf, from pdftotext -bbox.
func words(t *testing.T, pdf []byte) [][]word {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	cmd := exec.Command("pdftotext", "-bbox", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var pages [][]word
	for _, page := range strings.Split(string(out), "<page ")[1:] {
		var ws []word
		for _, m := range wordRE.FindAllStringSubmatch(page, -1) {
			w := word{text: html.UnescapeString(m[5])}
			for i, f := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
				if *f, err = strconv.ParseFloat(m[i+1], 64); err != nil {
					t.Fatal(err)
				}
			}
			ws = append(ws, w)
		}
		pages = append(pages, ws)
	}
	return pages
}
