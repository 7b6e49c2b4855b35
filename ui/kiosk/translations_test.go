package kiosk

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/pinsede/pinsede"
)

// domainKeys are the domain's message keys that the wizard can show: every
// problem Request.Validate finds in the fields the kiosk asks for.
var domainKeys = []string{
	pinsede.KeyRequired, pinsede.KeyTooLong, pinsede.KeyNameLatin, pinsede.KeySex, pinsede.KeyDateFormat, pinsede.KeyDateImpossible, pinsede.KeyDateFuture,
	pinsede.KeyDateTooOld, pinsede.KeyPlaceCode, pinsede.KeyPlaceUnknown,
	pinsede.KeyCFRequired, pinsede.KeyCFLength, pinsede.KeyCFSeparator, pinsede.KeyCFChar, pinsede.KeyCFLetter,
	pinsede.KeyCFDigit, pinsede.KeyCFMonth, pinsede.KeyCFDay, pinsede.KeyCFDate, pinsede.KeyCFCheck,
	pinsede.KeyCFTempCheck, pinsede.KeyCFPlace, pinsede.KeyCFMismatchSex, pinsede.KeyCFMismatchBirth,
	pinsede.KeyCFMismatchPlace, pinsede.KeyCAP, pinsede.KeyProvincia, pinsede.KeyCountry, pinsede.KeyPhone,
	pinsede.KeyPhoneNeeded, pinsede.KeyEmail, pinsede.KeyEmailNeeded,
}

// usedKeys returns the keys the package's code names: the literals passed
// to tr, the keys made from the services and the questions, the domain's
// keys (with the problem of a date that does not exist).
func usedKeys(t *testing.T) []string {
	t.Helper()
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`tr\("([a-z0-9_.]+)"[,)]`)
	keys := slices.Clone(domainKeys)
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, s := range Services {
		keys = append(keys, "service."+s+".title", "service."+s+".short", "service."+s+".body")
	}
	for _, q := range questions {
		keys = append(keys, "q."+q.name, "h."+q.name)
	}
	keys = append(keys, "lang.choose", "lang.code")
	slices.Sort(keys)
	return slices.Compact(keys)
}

// Ensure that every language has every key the kiosk uses, no key the
// Italian file lacks, and templates that parse.
func TestTranslationsComplete(t *testing.T) {
	it, err := Translation("it")
	if err != nil {
		t.Fatal(err)
	}
	used := usedKeys(t)
	if !slices.Contains(used, "idle.body") || !slices.Contains(used, "exit.wrong") {
		t.Fatalf("the scan of the sources found no keys: %v", used)
	}
	for _, l := range Languages {
		t.Run(l.Code, func(t *testing.T) {
			m, err := Translation(l.Code)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range used {
				if strings.TrimSpace(m[k]) == "" {
					t.Errorf("%s.json: key %q missing", l.Code, k)
				}
			}
			for k := range it {
				if _, ok := m[k]; !ok {
					t.Errorf("%s.json: key %q of it.json missing", l.Code, k)
				}
			}
			for k, v := range m {
				if _, ok := it[k]; !ok {
					t.Errorf("%s.json: key %q is not in it.json", l.Code, k)
				}
				if _, err := template.New(k).Parse(v); err != nil {
					t.Errorf("%s.json: %s: %v", l.Code, k, err)
				}
			}
			if m["lang.code"] != l.Code {
				t.Errorf("%s.json: lang.code is %q", l.Code, m["lang.code"])
			}
		})
	}
}

// Ensure that SetLanguage switches Fyne's lang at run time, back and forth.
func TestSetLanguage(t *testing.T) {
	for _, l := range append(slices.Clone(Languages), Languages[0]) {
		if err := SetLanguage(l.Code); err != nil {
			t.Fatal(err)
		}
		m, _ := Translation(l.Code)
		if got := tr("nav.next"); got != m["nav.next"] {
			t.Errorf("%s: nav.next is %q, want %q", l.Code, got, m["nav.next"])
		}
	}
	if err := SetLanguage("xx"); err == nil {
		t.Errorf("SetLanguage(xx) = nil, want an error")
	}
}
