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
// period.
type PlaceInfo struct {
	Code     string // H501, Z404
	Name     string // in Italian
	Province string // sigla of a comune's province (historical ones too: FU for Fiume); empty abroad
	Country  string // ISO 3166-1 alpha-2: IT for a comune, the state's code abroad (empty for a ceased state without one)
	From     Date   // first day valid; zero when not known
	To       Date   // last day valid; zero while still valid
	Foreign  bool   // a foreign state (a Z code)
}

// Current reports whether the code is still in use.
func (p PlaceInfo) Current() bool { return p.To.IsZero() }

// ValidOn reports whether the code was valid on day d.
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
	code = strings.ToUpper(strings.TrimSpace(code))
	t := placeTable()
	i, found := slices.BinarySearchFunc(t.places, code, func(p PlaceInfo, c string) int { return strings.Compare(p.Code, c) })
	if !found {
		return nil, false
	}
	j := i
	for j < len(t.places) && t.places[j].Code == code {
		j++
	}
	return slices.Clone(t.places[i:j]), true
}

// SearchPlaces returns at most limit places (all when limit <= 0) whose name
// starts with query, for a type-ahead picker. Case, accents, apostrophes and
// spaces do not count ("sant angelo" finds "Sant'Angelo Lodigiano"), and a
// query also matches the start of a later word ("vaticano" finds "Stato
// della Città del Vaticano", "russa" finds "Federazione russa"). Ceased
// comuni and states are found under their historical names. A query that is
// a code (H501) returns that code's entries.
//
// The order: the name equal to the query, then names starting with it, then
// names with a later word starting with it; within each, places still in use
// before ceased ones, then by name and province.
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
	var ranks [3][]int // exact, prefix, later word; each in t.order's order
	full := func(k int) bool { return limit > 0 && len(ranks[k]) >= limit }
	for _, i := range t.order {
		key := t.keys[i]
		switch {
		case key == q:
			ranks[0] = append(ranks[0], int(i))
		case strings.HasPrefix(key, q):
			if !full(1) {
				ranks[1] = append(ranks[1], int(i))
			}
		case !full(2) && !(limit > 0 && len(ranks[0])+len(ranks[1]) >= limit):
			for _, w := range t.words[i] {
				if strings.HasPrefix(key[w:], q) {
					ranks[2] = append(ranks[2], int(i))
					break
				}
			}
		}
	}
	var ps []PlaceInfo
	for _, r := range ranks {
		for _, i := range r {
			if limit > 0 && len(ps) == limit {
				return ps
			}
			ps = append(ps, t.places[i])
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
	ps, ok := LookupPlace(code)
	if !ok {
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

// places is the loaded table: the entries sorted by code, and for each its
// folded name and where the name's later words start in it; order is the
// order of SearchPlaces within a rank: places in use first, then by folded
// name, by province, the newest entry of a code first.
type places struct {
	places []PlaceInfo
	keys   []string
	words  [][]uint8
	order  []int32
}

// placeTable loads the embedded table once, at its first use: some 30 ms
// and 2 MB of heap for 10,000 entries.
var placeTable = sync.OnceValue(func() *places {
	t, err := loadPlaces(assets.Places)
	if err != nil {
		panic(fmt.Sprintf("embedded table of places: %v", err)) // a broken build, not a user's problem
	}
	return t
})

// loadPlaces reads the gzip'd TSV written by assets/gen/places. The names
// and keys are slices of two large strings, to load with few allocations.
func loadPlaces(gz []byte) (*places, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
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
			if line != "code\tname\tprovince\tfrom\tto" {
				return nil, fmt.Errorf("line %d: unknown columns %q", n, line)
			}
			header = false
			continue
		}
		var f [5]string
		rest = line
		for k := range f {
			f[k], rest, _ = strings.Cut(rest, "\t")
		}
		if strings.Count(line, "\t") != 4 || !validPlaceCode(f[0]) {
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
			p.To, ok2 = tableDate(f[4])
		}
		if !ok2 {
			return nil, fmt.Errorf("line %d: bad date in %q", n, line)
		}
		t.places = append(t.places, p)
	}
	if !slices.IsSortedFunc(t.places, func(a, b PlaceInfo) int { return strings.Compare(a.Code, b.Code) }) {
		return nil, fmt.Errorf("not sorted by code")
	}
	var keys []byte
	ends := make([]int, len(t.places))
	t.words = make([][]uint8, len(t.places))
	for i, p := range t.places {
		start, word := len(keys), false
		for _, r := range p.Name {
			f, _ := foldRune(r)
			if f == "" {
				word = false
				continue
			}
			if !word && len(keys) > start && len(keys)-start < 256 {
				t.words[i] = append(t.words[i], uint8(len(keys)-start))
			}
			word = true
			keys = append(keys, f...)
		}
		ends[i] = len(keys)
	}
	all := string(keys)
	t.keys = make([]string, len(t.places))
	t.order = make([]int32, len(t.places))
	for i := range t.places {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		t.keys[i] = all[start:ends[i]]
		t.order[i] = int32(i)
	}
	slices.SortFunc(t.order, func(a, b int32) int {
		pa, pb := &t.places[a], &t.places[b]
		switch {
		case pa.Current() != pb.Current():
			if pa.Current() {
				return -1
			}
			return 1
		case t.keys[a] != t.keys[b]:
			return strings.Compare(t.keys[a], t.keys[b])
		case pa.Province != pb.Province:
			return strings.Compare(pa.Province, pb.Province)
		}
		return int(b - a)
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
