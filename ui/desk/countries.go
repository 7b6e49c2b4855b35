package desk

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// countries are the states offered in the country pickers, by ISO 3166-1
// alpha-2 code: Italy, then the states where most Italian citizens resident
// abroad live (AIRE) and the home states of the sede's most frequent foreign
// residents. Any other state is typed as its ISO code under "Altro stato".
var countries = []string{
	"IT",
	"AL", "AR", "AU", "AT", "BE", "BR", "CA", "CL", "CN", "HR", "EC", "PH", "FR", "DE",
	"GB", "IN", "LU", "MA", "MD", "NL", "PE", "PL", "RO", "SM", "ES", "US", "ZA",
	"CH", "TN", "UA", "UY", "VA", "VE",
}

// otherCountry is the option of the pickers that reveals the ISO code entry.
const otherCountry = "*"

// countryPicker picks a state: a Select of translated names, Italy first,
// and an entry for the ISO code of a state not in the list. Its value is an
// ISO 3166-1 alpha-2 code.
type countryPicker struct {
	sel   *widget.Select
	other *entry
	// otherBox holds other; hidden unless "Altro stato" is chosen.
	otherBox *fyne.Container
	codes    []string // codes of sel.Options, by index; otherCountry last
	box      *fyne.Container
	// onChanged is called with the code when the choice changes.
	onChanged func(code string)
}

// newCountryPicker builds a picker; it reports changes to onChanged.
func (a *App) newCountryPicker(onChanged func(string)) *countryPicker {
	p := &countryPicker{onChanged: onChanged}
	rest := slices.Clone(countries[1:])
	slices.SortFunc(rest, func(x, y string) int {
		return strings.Compare(strings.ToLower(countryName(x)), strings.ToLower(countryName(y)))
	})
	p.codes = append([]string{"IT"}, rest...)
	p.codes = append(p.codes, otherCountry)
	opts := make([]string, len(p.codes))
	for i, c := range p.codes {
		opts[i] = countryName(c)
	}
	p.other = a.newEntry(lang.L("country.other.placeholder"))
	p.other.OnChanged = func(string) { p.changed() }
	p.sel = widget.NewSelect(opts, func(string) {
		a.touch()
		if p.sel.SelectedIndex() == len(p.codes)-1 {
			p.other.Show()
		} else {
		}
		p.changed()
	})
	p.sel.PlaceHolder = lang.L("common.choose")
	p.otherBox = container.New(&fixedWidth{width: 90}, p.other)
	p.otherBox.Hide()
	p.box = container.NewBorder(nil, nil, nil, p.otherBox, p.sel)
	return p
}

func (p *countryPicker) changed() {
	if p.onChanged != nil {
		p.onChanged(p.code())
	}
}

// code returns the chosen state's ISO code, "" for none.
func (p *countryPicker) code() string {
	i := p.sel.SelectedIndex()
	switch {
	case i < 0:
		return ""
	case p.codes[i] == otherCountry:
		return strings.ToUpper(strings.TrimSpace(p.other.Text))
	}
	return p.codes[i]
}

// set chooses the state of code; a code not in the list goes in the entry.
func (p *countryPicker) set(code string) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		p.sel.ClearSelected()
		return
	}
	i := slices.Index(p.codes, code)
	if i < 0 {
		p.other.SetText(code)
		i = len(p.codes) - 1
	}
	p.sel.SetSelectedIndex(i)
}

// countryName returns a state's name in the current language, or its code
// when the translations have none.
func countryName(code string) string {
	if code == otherCountry {
		return lang.L("country.other")
	}
	key := "country." + code
	if n := lang.L(key); n != key {
		return n
	}
	return code
}
