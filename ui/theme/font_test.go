package theme

import (
	"encoding/json"
	"io/fs"
	"sort"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"

	"github.com/pinsede/pinsede/assets"
)

// Ensure that every character of every translation, the desk's and the
// kiosk's in each of its languages, is drawn: by Titillium Web in each of
// its faces, or else by Fyne's own font, which Fyne falls back to glyph by
// glyph. Titillium draws every letter of the seven languages (Romanian's ș
// and ț included); what falls back is listed.
func TestFontCoversTheTranslations(t *testing.T) {
	test.NewTempApp(t)
	runes := map[rune]string{}
	for _, set := range []struct {
		fsys fs.FS
		dir  string
	}{{assets.Translations, "translations"}, {assets.KioskTranslations, "kiosk/translations"}} {
		files, err := fs.Glob(set.fsys, set.dir+"/*.json")
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no translations (%v)", set.dir, err)
		}
		for _, name := range files {
			b, err := fs.ReadFile(set.fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			var msgs map[string]any
			if err := json.Unmarshal(b, &msgs); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, m := range msgs {
				for _, r := range textOf(m) {
					if r >= ' ' {
						runes[r] = name
					}
				}
			}
		}
	}
	fallback := parse(t, fynetheme.DefaultTextFont())
	for _, s := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true}} {
		res := New().Font(s)
		face := parse(t, res)
		var fell []string
		for r, file := range runes {
			if has(face, r) {
				continue
			}
			if !has(fallback, r) {
				t.Errorf("%s: %q (U+%04X, in %s) is in neither Titillium nor Fyne's font", res.Name(), r, r, file)
				continue
			}
			fell = append(fell, string(r))
		}
		sort.Strings(fell)
		t.Logf("%s: %d characters, %d drawn by Fyne's font: %q", res.Name(), len(runes), len(fell), fell)
		for _, r := range "àèéìòùÀÈÉÌÒÙçÇäöüßÄÖÜñÑãõâêôÂÊÔáíóúÁÍÓÚăâîșțĂÂÎȘȚ€«»’“”–—" {
			if !has(face, r) {
				t.Errorf("%s lacks %q (U+%04X), a letter of the desk's and kiosk's languages", res.Name(), r, r)
			}
		}
	}
	// A name in Greek or Cyrillic (a citizen's, on an MV35) falls back.
	for _, r := range "ΑΩαωΔЖЯжя" {
		if !has(fallback, r) {
			t.Errorf("Fyne's font lacks %q: a Greek or Cyrillic name would not show", r)
		}
	}
}

// textOf returns the text of a translation: a string, or the forms of a
// plural ({"one": ..., "other": ...}).
func textOf(m any) string {
	switch v := m.(type) {
	case string:
		return v
	case map[string]any:
		s := ""
		for _, x := range v {
			s += textOf(x)
		}
		return s
	}
	return ""
}

func parse(t *testing.T, r fyne.Resource) *sfnt.Font {
	t.Helper()
	f, err := sfnt.Parse(r.Content())
	if err != nil {
		t.Fatalf("%s: %v", r.Name(), err)
	}
	return f
}

// has reports whether f has a glyph for r.
func has(f *sfnt.Font, r rune) bool {
	var b sfnt.Buffer
	i, err := f.GlyphIndex(&b, r)
	return err == nil && i != 0
}
