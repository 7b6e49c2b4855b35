package desk

import (
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
)

// placeSuggestions is how many places the picker offers at most.
const placeSuggestions = 30

// placePicker is the place-of-birth entry with type-ahead (typeahead.go):
// as the clerk types a name (or a codice catastale), the places of
// pinsede.SearchPlaces show under the entry, with the province of the time
// (Pola (PL), Fiume (FU)), the code and, for a ceased comune or state, the
// day it ceased. A place found by another name (today's local name, Krk for
// Veglia, or a former name) shows that name in its detail. Choosing writes
// "Name (PR)" in the entry and hands the place to onPick, which fills the
// code's own entry.
type placePicker struct {
	typeahead
	results []pinsede.PlaceInfo // the places of the suggestions shown
	// onPick is called with the place chosen.
	onPick func(pinsede.PlaceInfo)
}

// newPlacePicker builds the picker; onPick gets each place chosen.
func (a *App) newPlacePicker(placeholder string, onPick func(pinsede.PlaceInfo)) *placePicker {
	p := &placePicker{onPick: onPick}
	p.init(a, placeholder)
	p.minRunes = 2
	p.find = func(q string) []suggestion {
		p.results = pinsede.SearchPlaces(q, placeSuggestions)
		out := make([]suggestion, len(p.results))
		for i, pl := range p.results {
			// A ceased place in italics: the detail says until when.
			out[i] = suggestion{text: pl.String(), detail: placeDetail(pl, q), italic: !pl.Current()}
		}
		return out
	}
	p.chosen = func(i int) {
		if p.onPick != nil {
			p.onPick(p.results[i])
		}
	}
	return p
}

// place reads the entry: "Name (PR)", as the picker writes it, is a comune
// and its province; anything else is a name.
func (p *placePicker) place() pinsede.Place {
	s := strings.TrimSpace(p.entry.Text)
	if n := len(s); n > 5 && s[n-5:n-3] == " (" && s[n-1] == ')' && isUpperLetters(s[n-3:n-1]) {
		return pinsede.Place{Name: strings.TrimSpace(s[:n-5]), Province: s[n-3 : n-1]}
	}
	return pinsede.Place{Name: s}
}

// placeText writes a place as the picker shows it.
func placeText(pl pinsede.Place) string {
	if pl.Province == "" {
		return pl.Name
	}
	return pl.Name + " (" + pl.Province + ")"
}

func isUpperLetters(s string) bool {
	for _, c := range []byte(s) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return s != ""
}

// placeDetail is the grey text beside a suggestion for the query typed:
// the code, and what tells apart two places of the same name (a state, a
// ceased place), and the other name the query found it by.
func placeDetail(pl pinsede.PlaceInfo, query string) string {
	var parts []string
	if a := matchedAlias(pl, query); a != "" {
		parts = append(parts, a)
	}
	if pl.Foreign {
		parts = append(parts, lang.L("place.foreign"))
	}
	switch {
	case !pl.Current() && pl.To.IsZero():
		parts = append(parts, lang.L("place.ceased"))
	case !pl.Current():
		parts = append(parts, lang.L("place.until", map[string]any{"Date": pl.To.Italian()}))
	}
	parts = append(parts, pl.Code)
	return strings.Join(parts, " · ")
}

// matchedAlias returns the alias of pl that starts with query, when its
// name does not: the name the clerk typed ("Krk" for Veglia).
func matchedAlias(pl pinsede.PlaceInfo, query string) string {
	q := pinsede.FoldName(query)
	if q == "" || strings.HasPrefix(pinsede.FoldName(pl.Name), q) {
		return ""
	}
	for _, a := range pl.Aliases {
		if strings.HasPrefix(pinsede.FoldName(a), q) {
			return a
		}
	}
	return ""
}
