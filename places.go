package pinsede

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pinsede/pinsede/assets"
)

// Place-of-birth problems and notes, as message keys.
const (
	KeyPlaceCode    = "err.place.code"    // the code is not a letter and three digits
	KeyPlaceUnknown = "err.place.unknown" // Code: not in the table
	// KeyPlaceValidity is a warning: the place's code was not valid on the
	// birth date (a comune founded, merged or renamed after the birth, a
	// state that ceased before it). The Agenzia delle Entrate accepts such
	// codes.
	KeyPlaceValidity = "warn.place.validity"
)

// PlaceInfo is one entry of the table of places of birth: a codice catastale
// (Belfiore code) with the name it had and the days it was valid. A comune
// renamed under the same code, or a code given again, has one entry per
// period when the sources give the dates.
type PlaceInfo struct {
	Code     string // H501, Z404
	Name     string // in Italian
	Province string // sigla of a comune's province (historical ones too: FU for Fiume); empty abroad
	Country  string // ISO 3166-1 alpha-2: IT for a comune, the state's code abroad (empty for a ceased state without one)
	From     Date   // first day valid; zero when not known
	To       Date   // last day valid; zero while still valid, or when ceased on a day not known
	// Ceased is set for a code no longer in use: To is its last day, or
	// zero when the sources do not give it (B331 Ca' de' Mazzi).
	Ceased bool
	// Aliases are the place's other names, which SearchPlaces finds too:
	// former names (Abano Bagni for Abano Terme), and today's local name of
	// a comune no longer in Italy (Krk for Veglia, Rijeka for Fiume).
	Aliases []string
	Foreign bool // a foreign state (a Z code)
}

// Current reports whether the code is still in use.
func (p PlaceInfo) Current() bool { return !p.Ceased }

// ValidOn reports whether the code was valid on day d. A code ceased on a
// day not known is taken as valid on any day after its first.
func (p PlaceInfo) ValidOn(d Date) bool {
	return (p.From.IsZero() || !d.Before(p.From)) && (p.To.IsZero() || !d.After(p.To))
}

// String returns the name with the province, as the picker shows it:
// "Peglio (PU)", or the name alone for a foreign state.
func (p PlaceInfo) String() string {
	if p.Province == "" {
		return p.Name
	}
	return p.Name + " (" + p.Province + ")"
}

// LookupPlace returns the entries of a codice catastale, oldest first, and
// whether it is known. The code is matched in upper case.
func LookupPlace(code string) ([]PlaceInfo, bool) {
	ps := tableEntries(code)
	if ps == nil {
		return nil, false
	}
	ps = slices.Clone(ps)
	for k := range ps {
		ps[k].Aliases = slices.Clone(ps[k].Aliases)
	}
	return ps, true
}

// tableEntries returns the table's own entries of a code (upper-cased),
// nil when unknown: for reading only.
func tableEntries(code string) []PlaceInfo {
	code = strings.ToUpper(strings.TrimSpace(code))
	t := placeTable()
	i, found := slices.BinarySearchFunc(t.places, code, func(p PlaceInfo, c string) int { return strings.Compare(p.Code, c) })
	if !found {
		return nil
	}
	j := i
	for j < len(t.places) && t.places[j].Code == code {
		j++
	}
	return t.places[i:j:j]
}

// SearchPlaces returns at most limit places (all when limit <= 0) whose name
// or one of whose aliases starts with query, for a type-ahead picker. Case,
// accents, apostrophes and spaces do not count ("sant angelo" finds
// "Sant'Angelo Lodigiano"), and a query also matches the start of a later
// word ("vaticano" finds "Stato della Città del Vaticano", "russa" finds
// "Federazione russa"). Ceased comuni and states are found under their
// historical names, and a comune no longer in Italy under today's local
// name too ("krk" finds Veglia, "rijeka" Fiume). A query that is a code
// (H501) returns that code's entries.
//
// The order: the name equal to the query, then names starting with it, then
// names with a later word starting with it, then the same three for the
// aliases; within each, places still in use before ceased ones, then by
// name and province. A place found by two names comes once, where its
// better one puts it.
func SearchPlaces(query string, limit int) []PlaceInfo {
	if q := strings.ToUpper(strings.TrimSpace(query)); validPlaceCode(q) {
		ps, _ := LookupPlace(q)
		return ps
	}
	q, _ := foldLetters(query)
	if q == "" {
		return nil
	}
	t := placeTable()
	// ranks: exact, prefix, later word for names, then the same for
	// aliases; each in t.names' order.
	var ranks [6][]int32
	// open[k]: rank k may still take places, those before it and it
	// holding fewer than limit.
	var open [6]bool
	for k := range open {
		open[k] = true
	}
	add := func(k int, place int32) {
		ranks[k] = append(ranks[k], place)
		if limit <= 0 {
			return
		}
		n := 0
		for j := range ranks {
			if n += len(ranks[j]); n >= limit {
				open[j] = false
			}
		}
	}
	q0 := q[0] // the first letter: most names differ there already
	for i := range t.names {
		n := &t.names[i]
		base := 0
		if n.alias {
			base = 3
		}
		switch key := n.key; {
		case key[0] == q0 && key == q:
			add(base, n.place)
		case key[0] == q0 && strings.HasPrefix(key, q):
			if open[base+1] {
				add(base+1, n.place)
			}
		case open[base+2]:
			for _, w := range n.words {
				if key[w] == q0 && strings.HasPrefix(key[w:], q) {
					add(base+2, n.place)
					break
				}
			}
		}
	}
	var ps []PlaceInfo
	var seen map[int32]bool // made only when a place may come twice
	if t.aliased {
		seen = make(map[int32]bool)
	}
	for _, r := range ranks {
		for _, i := range r {
			if limit > 0 && len(ps) == limit {
				return ps
			}
			if seen != nil {
				if seen[i] {
					continue
				}
				seen[i] = true
			}
			p := t.places[i]
			p.Aliases = slices.Clone(p.Aliases)
			ps = append(ps, p)
		}
	}
	return ps
}

// CheckPlace checks a place-of-birth code against the birth date. An unknown
// code, or one that is not a letter and three digits, is an error: a
// FieldError on "luogo_nascita". A known code none of whose entries was
// valid on the birth date gives the warning key KeyPlaceValidity and no
// error. A zero birth date is not checked against the dates.
func CheckPlace(code string, birth Date) (warning string, err error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !validPlaceCode(code) {
		return "", FieldError{Field: FieldLuogoNascita, Key: KeyPlaceCode}
	}
	ps := tableEntries(code)
	if ps == nil {
		return "", FieldError{Field: FieldLuogoNascita, Key: KeyPlaceUnknown, Args: map[string]any{"Code": code}}
	}
	if birth.IsZero() || slices.ContainsFunc(ps, func(p PlaceInfo) bool { return p.ValidOn(birth) }) {
		return "", nil
	}
	return KeyPlaceValidity, nil
}

// validPlaceCode reports whether s has the shape of a codice catastale: an
// upper-case letter and three digits.
func validPlaceCode(s string) bool {
	return len(s) == 4 && isLetter(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3])
}

// places is the loaded table: the entries sorted by code, and every name
// and alias of theirs in the order of SearchPlaces within a rank: places
// in use first, then by folded name, by province, the newest entry of a
// code first.
type places struct {
	places  []PlaceInfo
	names   []placeName
	aliased bool // some place has an alias
}

// placeName is one name of a place, as SearchPlaces compares it: folded,
// with where its later words start.
type placeName struct {
	key   string
	words []uint8
	place int32 // index in places
	alias bool  // an alias, not the place's name
}

// placeTable loads the embedded table once, at its first use: some 15 ms
// and 3 MB of heap for 10,700 entries and 13,500 names.
var placeTable = sync.OnceValue(func() *places {
	t, err := loadPlaces(assets.Places)
	if err != nil {
		panic(fmt.Sprintf("embedded table of places: %v", err)) // a broken build, not a user's problem
	}
	return t
})

// placeColumns is the header line of the table.
const placeColumns = "code\tname\tprovince\tfrom\tto\taliases"

// loadPlaces reads the gzip'd TSV written by assets/gen/places. The keys
// are slices of one large string, to load with few allocations.
func loadPlaces(gz []byte) (*places, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("read the table of places: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read the table of places: %w", err)
	}
	text := string(raw)
	t := &places{places: make([]PlaceInfo, 0, strings.Count(text, "\n"))}
	header := true
	for n := 1; text != ""; n++ {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			if line != placeColumns {
				return nil, fmt.Errorf("line %d: unknown columns %q", n, line)
			}
			header = false
			continue
		}
		var f [6]string
		rest = line
		for k := range f {
			f[k], rest, _ = strings.Cut(rest, "\t")
		}
		if strings.Count(line, "\t") != len(f)-1 || !validPlaceCode(f[0]) || f[1] == "" {
			return nil, fmt.Errorf("line %d: %q", n, line)
		}
		p := PlaceInfo{Code: f[0], Name: f[1], Foreign: f[0][0] == 'Z'}
		if p.Foreign {
			p.Country = f[2]
		} else {
			p.Province, p.Country = f[2], "IT"
		}
		var ok1, ok2 bool
		if p.From, ok1 = tableDate(f[3]); ok1 {
			if f[4] == "?" {
				p.Ceased, ok2 = true, true
			} else {
				p.To, ok2 = tableDate(f[4])
				p.Ceased = !p.To.IsZero()
			}
		}
		if !ok2 {
			return nil, fmt.Errorf("line %d: bad date in %q", n, line)
		}
		if f[5] != "" {
			p.Aliases = strings.Split(f[5], "|")
			t.aliased = true
		}
		t.places = append(t.places, p)
	}
	if !slices.IsSortedFunc(t.places, func(a, b PlaceInfo) int { return strings.Compare(a.Code, b.Code) }) {
		return nil, fmt.Errorf("not sorted by code")
	}
	var keys []byte
	type span struct{ start, end int }
	var spans []span
	for i, p := range t.places {
		for k, name := range append([]string{p.Name}, p.Aliases...) {
			start, word := len(keys), false
			var words []uint8
			for _, r := range name {
				f, _ := foldRune(r)
				if f == "" {
					word = false
					continue
				}
				if !word && len(keys) > start && len(keys)-start < 256 {
					words = append(words, uint8(len(keys)-start))
				}
				word = true
				keys = append(keys, f...)
			}
			if len(keys) == start {
				continue // no letters: nothing to find it by
			}
			t.names = append(t.names, placeName{words: words, place: int32(i), alias: k > 0})
			spans = append(spans, span{start, len(keys)})
		}
	}
	all := string(keys)
	for i, sp := range spans {
		t.names[i].key = all[sp.start:sp.end]
	}
	slices.SortStableFunc(t.names, func(a, b placeName) int {
		pa, pb := &t.places[a.place], &t.places[b.place]
		switch {
		case pa.Current() != pb.Current():
			if pa.Current() {
				return -1
			}
			return 1
		case a.key != b.key:
			return strings.Compare(a.key, b.key)
		case pa.Province != pb.Province:
			return strings.Compare(pa.Province, pb.Province)
		}
		return int(b.place - a.place)
	})
	return t, nil
}

// tableDate reads aaaa-mm-gg; empty is the zero Date.
func tableDate(s string) (Date, bool) {
	if s == "" {
		return Date{}, true
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	n := 0
	for i := range 10 {
		switch {
		case i == 4 || i == 7:
		case isDigit(s[i]):
			n = n*10 + int(s[i]-'0')
		default:
			return Date{}, false
		}
	}
	d := Date{n / 10000, time.Month(n / 100 % 100), n % 100}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Month, isLeap(d.Year)) {
		return Date{}, false
	}
	return d, true
}
