package desk

import (
	"slices"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
)

// commonCountries are offered first in the country pickers, after Italy:
// the states where most Italian citizens resident abroad live (AIRE) and
// the home states of the sede's most frequent foreign residents.
var commonCountries = []string{
	"AL", "AR", "AU", "AT", "BE", "BR", "CA", "CL", "CN", "HR", "EC", "PH", "FR", "DE",
	"GB", "IN", "LU", "MA", "MD", "NL", "PE", "PL", "RO", "SM", "ES", "US", "ZA",
	"CH", "TN", "UA", "UY", "VA", "VE",
}

// countryOrder returns the ISO 3166-1 alpha-2 codes of pinsede.Countries in
// the pickers' order: Italy, the common ones, then all the others, each
// group sorted by name in the current language.
func countryOrder() []string {
	byName := func(x, y string) int {
		return strings.Compare(strings.ToLower(countryName(x)), strings.ToLower(countryName(y)))
	}
	common := slices.Clone(commonCountries)
	slices.SortFunc(common, byName)
	var rest []string
	for _, c := range pinsede.Countries() {
		if c.Alpha2 != "IT" && !slices.Contains(commonCountries, c.Alpha2) {
			rest = append(rest, c.Alpha2)
		}
	}
	slices.SortFunc(rest, byName)
	return append(append([]string{"IT"}, common...), rest...)
}

// countryPicker picks a state of pinsede.Countries: an entry with
// type-ahead (typeahead.go). As the clerk types, the states whose name, or
// a word of it, starts with the text (case and accents aside), or whose
// ISO code it is, show under the entry, in the pickers' order; Down on an
// empty entry lists them all. Its value is an ISO 3166-1 alpha-2 code: the
// state chosen, or the one whose whole name is typed.
type countryPicker struct {
	typeahead
	codes []string // all the codes, in the pickers' order
	found []string // the codes of the suggestions shown
	value string   // the code of the state chosen, "" for none
	box   *fyne.Container
	// onChanged is called with the code when the choice changes.
	onChanged func(code string)
}

// newCountryPicker builds a picker; it reports changes to onChanged.
func (a *App) newCountryPicker(onChanged func(string)) *countryPicker {
	p := &countryPicker{onChanged: onChanged, codes: countryOrder()}
	p.init(a, lang.L("countrypicker.placeholder"))
	p.find = p.match
	p.chosen = func(i int) { p.choose(p.found[i]) }
	p.onEdit = func() {
		if c := p.named(p.entry.Text); c != p.value {
			p.value = c
			p.changed()
		}
	}
	p.box = container.NewStack(p.entry)
	return p
}

// match returns the states q names: its code first, then those whose name
// starts with q, then those with a later word that does.
func (p *countryPicker) match(q string) []suggestion {
	f := pinsede.FoldName(q)
	var first, later []string
	if c, ok := pinsede.LookupCountry(q); ok {
		first = append(first, c.Alpha2)
	}
	for _, c := range p.codes {
		name := countryName(c)
		switch {
		case slices.Contains(first, c):
		case strings.HasPrefix(pinsede.FoldName(name), f):
			first = append(first, c)
		case slices.ContainsFunc(strings.FieldsFunc(name, notLetter), func(w string) bool {
			return strings.HasPrefix(pinsede.FoldName(w), f)
		}):
			later = append(later, c)
		}
	}
	p.found = append(first, later...)
	out := make([]suggestion, len(p.found))
	for i, c := range p.found {
		out[i] = suggestion{text: countryName(c), detail: c}
	}
	return out
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// named returns the code of the state whose whole name s is, "" for none.
func (p *countryPicker) named(s string) string {
	f := pinsede.FoldName(s)
	if f == "" {
		return ""
	}
	for _, c := range p.codes {
		if pinsede.FoldName(countryName(c)) == f {
			return c
		}
	}
	return ""
}

// choose makes code the choice ("" for none), writes its name in the entry
// and reports it.
func (p *countryPicker) choose(code string) {
	p.value = code
	p.setText(countryName(code))
	p.changed()
}

// changed reports the choice to onChanged.
func (p *countryPicker) changed() {
	if p.onChanged != nil {
		p.onChanged(p.value)
	}
}

// code returns the chosen state's ISO code, "" for none.
func (p *countryPicker) code() string { return p.value }

// set chooses the state of code (alpha-2 or alpha-3, in any case); a code
// that is not a state clears the choice.
func (p *countryPicker) set(code string) {
	c, _ := pinsede.LookupCountry(code)
	p.choose(c.Alpha2)
}

// countryName returns a state's name in the current language: the
// translations carry pinsede.Countries' Italian names and their English
// ones. A code they lack shows as the domain's name, or as itself; no
// code, as "".
func countryName(code string) string {
	if code == "" {
		return ""
	}
	key := "country." + code
	if n := lang.L(key); n != key {
		return n
	}
	if c, ok := pinsede.LookupCountry(code); ok {
		return c.Name
	}
	return code
}
