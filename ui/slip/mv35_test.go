package slip

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// sampleMV35 returns the form of a citizen living abroad with a foreign
// passport.
func sampleMV35(cognome, nome string) MV35Form {
	return MV35Form{
		Request: pinsede.Request{
			Cognome: cognome, Nome: nome, Sesso: pinsede.SexMale,
			DataNascita:   pinsede.Date{Year: 1980, Month: time.January, Day: 1},
			LuogoNascita:  pinsede.Place{Name: "Germania", Code: "Z112"},
			CodiceFiscale: "MLLJRG80A01Z112X",
			Residenza:     pinsede.Address{Street: "Königstraße 12", CAP: "70173", City: "Stuttgart", Country: "DE"},
			Recapiti:      pinsede.Contacts{Mobile: "+49 151 2345678", Email: "j.mueller@example.de"},
		},
		Document: pinsede.Document{Type: pinsede.DocPassaportoEstero, Number: "C01X00T47", Authority: "Stadt Stuttgart",
			Country: "DE", IssuedOn: pinsede.Date{Year: 2020, Month: time.March, Day: 2}, ExpiresOn: pinsede.Date{Year: 2030, Month: time.March, Day: 1}},
		Sede:     pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale dell'Aeronautica 1, 00144 Roma RM"},
		Operator: "Giulia Bianchi",
		Date:     time.Date(2026, time.November, 23, 10, 40, 0, 0, time.UTC),
	}
}

// Ensure that the MV35 carries every datum of the request, the document,
// the sede and the operator, on one page with no text running into other
// text, in any script.
func TestMV35(t *testing.T) {
	for _, name := range [][2]string{{"Müller-Lüdenscheidt", "Jürgen"}, {"Παπαδόπουλος", "Γιώργος"}, {"Иванов", "Сергей"}} {
		t.Run(name[0], func(t *testing.T) {
			pdf, err := MV35(sampleMV35(name[0], name[1]))
			if err != nil {
				t.Fatal(err)
			}
			text := pdftotext(t, pdf, "1", "1")
			for _, want := range []string{
				"Richiesta assegnazione PIN dispositivo per il cittadino in sede", "Mod. MV35",
				name[0], name[1], "01/01/1980", "Germania", "MLLJRG80A01Z112X", "Königstraße 12", "70173", "Stuttgart",
				"+49 151 2345678", "j.mueller@example.de", "Passaporto estero", "C01X00T47", "Stadt Stuttgart",
				"02/03/2020", "01/03/2030", "Roma Eur", "ROMA01", "Giulia Bianchi", "23/11/2026", "Firma della/del richiedente",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the MV35 lacks %q:\n%s", want, text)
				}
			}
			onePageLaidOut(t, pdf)
		})
	}
}

// onePageLaidOut fails t unless pdf is one page whose words all lie on
// it, none running into another.
func onePageLaidOut(t *testing.T, pdf []byte) {
	t.Helper()
	pages := words(t, pdf)
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	for i, a := range pages[0] {
		if a.xMin < 0 || a.yMin < 0 || a.xMax > a595 || a.yMax > a842 {
			t.Errorf("%.40q is off the page", a.text)
		}
		for _, b := range pages[0][i+1:] {
			if a.overlaps(b) {
				t.Errorf("%.40q runs into %.40q", a.text, b.text)
			}
		}
	}
}

// Ensure that the option "sostituzione" is ticked when the request
// replaces a PIN, that the same form renders to the same bytes, and that an
// incomplete form is refused.
func TestMV35Options(t *testing.T) {
	f := sampleMV35("Rossi", "Mario")
	a, err := MV35(f)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := MV35(f)
	if !bytes.Equal(a, b) {
		t.Error("two renders of one form differ")
	}
	f.Replaces = true
	if c, _ := MV35(f); bytes.Equal(a, c) {
		t.Error("the option sostituzione changes nothing")
	}
	for name, spoil := range map[string]func(*MV35Form){
		"no name": func(f *MV35Form) { f.Request.Cognome, f.Request.Nome = "", "" },
		"no cf":   func(f *MV35Form) { f.Request.CodiceFiscale = "" },
		"no sede": func(f *MV35Form) { f.Sede = pinsede.Sede{} },
		"no date": func(f *MV35Form) { f.Date = time.Time{} },
	} {
		f := sampleMV35("Rossi", "Mario")
		spoil(&f)
		if _, err := MV35(f); err == nil {
			t.Errorf("%s: rendered", name)
		}
	}
}

// BenchmarkRenderMV35 measures the rendering of the sample MV35, which the
// desk renders and archives with every PIN it issues, as BenchmarkRender
// does the slip's.
func BenchmarkRenderMV35(b *testing.B) {
	f := sampleMV35("Müller-Lüdenscheidt", "Jürgen")
	benchmarkRender(b, func() ([]byte, error) { return MV35(f) })
}

// TestMV35PNG renders the sample MV35 to a PNG page with pdftoppm, for a
// person to look at. Set SLIP_PNG_DIR to keep it.
func TestMV35PNG(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := os.Getenv("SLIP_PNG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	pdf, err := MV35(sampleMV35("Müller-Lüdenscheidt", "Jürgen"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftoppm", "-png", "-r", "100", "-singlefile", "-", filepath.Join(dir, "mv35"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
}
