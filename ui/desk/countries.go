package desk

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

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
	for _, c := range pinsede.Countries {
		if c.Alpha2 != "IT" && !slices.Contains(commonCountries, c.Alpha2) {
			rest = append(rest, c.Alpha2)
		}
	}
	slices.SortFunc(rest, byName)
	return append(append([]string{"IT"}, common...), rest...)
}

// countryPicker picks a state of pinsede.Countries from a Select of their
// names, Italy first, then the common ones, then the others. Its value is
// an ISO 3166-1 alpha-2 code.
type countryPicker struct {
	sel   *widget.Select
	codes []string // codes of sel.Options, by index
	box   *fyne.Container
	// onChanged is called with the code when the choice changes.
	onChanged func(code string)
}

// newCountryPicker builds a picker; it reports changes to onChanged.
func (a *App) newCountryPicker(onChanged func(string)) *countryPicker {
	p := &countryPicker{onChanged: onChanged, codes: countryOrder()}
	opts := make([]string, len(p.codes))
	for i, c := range p.codes {
		opts[i] = countryName(c)
	}
	p.sel = widget.NewSelect(opts, func(string) {
		a.touch()
		if p.onChanged != nil {
			p.onChanged(p.code())
		}
	})
	p.sel.PlaceHolder = lang.L("common.choose")
	p.box = container.NewStack(p.sel)
	return p
}

// code returns the chosen state's ISO code, "" for none.
func (p *countryPicker) code() string {
	if i := p.sel.SelectedIndex(); i >= 0 {
		return p.codes[i]
	}
	return ""
}

// set chooses the state of code (alpha-2 or alpha-3, in any case); a code
// that is not a state clears the choice.
func (p *countryPicker) set(code string) {
	c, ok := pinsede.LookupCountry(code)
	if !ok {
		p.sel.ClearSelected()
		return
	}
	p.sel.SetSelectedIndex(slices.Index(p.codes, c.Alpha2))
}

// countryName returns a state's name in the current language: the
// translations carry pinsede.Countries' Italian names and their English
// ones. A code they lack shows as the domain's name, or as itself.
func countryName(code string) string {
	key := "country." + code
	if n := lang.L(key); n != key {
		return n
	}
	if c, ok := pinsede.LookupCountry(code); ok {
		return c.Name
	}
	return code
}
