package slip

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the MV35 holds, on one page with no text running into
// other text, the longest texts the desk takes (pinsede.MaxNameRunes for
// the operator's name, MaxTextRunes for the sede's, the MV35's and the
// document's), in wide letters, as words or as one unbroken run: a name of
// 600 characters ran into "Firma e timbro dell'operatore", a sede's off
// the page, and a sede's name of one unbroken run pushed the date off
// the page.
func TestMV35LongestTexts(t *testing.T) {
	inWords := func(word string, n int) string {
		return strings.TrimSpace(strings.Repeat(word+" ", n/(len([]rune(word))+1)))
	}
	for name, fill := range map[string]func(n int) string{
		"parole":        func(n int) string { return inWords("Wolfeschlegel", n) },
		"una sola WWWW": func(n int) string { return strings.Repeat("W", n) },
	} {
		t.Run(name, func(t *testing.T) {
			f := sampleMV35(fill(pinsede.MaxTextRunes), fill(pinsede.MaxTextRunes))
			f.Operator = fill(pinsede.MaxNameRunes)
			f.Sede.Name = fill(pinsede.MaxTextRunes)
			f.Sede.Address = fill(pinsede.MaxTextRunes)
			f.Document.Authority = fill(pinsede.MaxTextRunes)
			f.Request.Residenza.Street = fill(pinsede.MaxTextRunes)
			f.Request.Residenza.City = fill(pinsede.MaxTextRunes)
			f.Request.LuogoNascita.Name = fill(pinsede.MaxTextRunes)
			pdf, err := MV35(f)
			if err != nil {
				t.Fatal(err)
			}
			onePageLaidOut(t, pdf)
		})
	}
}
