package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pinsede/pinsede"
)

// cfjsPkg is the second source: the list of comuni and states that the
// library codice-fiscale-js ships (CC BY-SA 4.0; built from the ISTAT lists
// of current and ceased comuni), one line per name a code has had.
const cfjsPkg = "codice-fiscale-js"

// cfjsFile is the list's file inside the package.
const cfjsFile = "src/lista-comuni.js"

// cfjsEntry is one line of codice-fiscale-js's list: a code, the sigla of
// its province ("EE" abroad), a name in upper case with the accents written
// as apostrophes (CITTA'), and whether the code is still in use.
type cfjsEntry struct {
	Code, Province, Name string
	Active               bool
}

// cfjsLine is a line of the list: ['A001', 'PD', 'ABANO TERME', 1],
var cfjsLine = regexp.MustCompile(`^\s*\['([A-Z][0-9]{3})', '([A-Z]{2})', (?:'([^']*)'|"([^"]*)"), ([01])\],?\s*$`)

// parseCFJS reads codice-fiscale-js's list.
func parseCFJS(src string) ([]cfjsEntry, error) {
	var es []cfjsEntry
	for n, line := range strings.Split(src, "\n") {
		m := cfjsLine.FindStringSubmatch(line)
		if m == nil {
			if strings.Contains(line, "['") {
				return nil, fmt.Errorf("%s line %d: %q", cfjsFile, n+1, line)
			}
			continue
		}
		es = append(es, cfjsEntry{Code: m[1], Province: m[2], Name: strings.TrimSpace(m[3] + m[4]), Active: m[5] == "1"})
	}
	if len(es) < 10000 {
		return nil, fmt.Errorf("%s: only %d entries: the package has changed", cfjsFile, len(es))
	}
	return es, nil
}

// supplementEntry is a line of supplement.tsv: the name and ISO code of a
// foreign code that belfiore lacks.
type supplementEntry struct{ Code, Name, Country string }

// parseSupplement reads supplement.tsv.
func parseSupplement(src string) ([]supplementEntry, error) {
	var es []supplementEntry
	err := eachLine("supplement.tsv", src, "a Z code, a name and an ISO code", func(f []string) bool {
		es = append(es, supplementEntry{f[0], f[1], f[2]})
		return f[0][0] == 'Z' && f[1] != ""
	})
	return es, err
}

// eachLine calls line with the three columns of each line of a side file
// that is not a comment; a line without three columns, or that line
// refuses, is an error that says what the columns should be.
func eachLine(file, src, want string, line func(f []string) bool) error {
	for n, l := range strings.Split(src, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if f := strings.Split(l, "\t"); len(f) != 3 || len(f[0]) != 4 || !line(f) {
			return fmt.Errorf("%s line %d: want %s: %q", file, n+1, want, l)
		}
	}
	return nil
}

// report is what the generator tells of the merge: the codes each source
// adds, and where two sources disagree.
type report struct {
	codes      map[string]int // source: codes it gives first
	names      int            // former names codice-fiscale-js adds to codes belfiore has
	ceased     int            // codes only codice-fiscale-js says have ceased
	local      int            // today's local names added from local.tsv
	lines      []string       // the details, one per line
	conflicts  map[string]int // kind of disagreement: how many
	onlyBelf   int            // codes belfiore has and codice-fiscale-js lacks
	totalCodes int
}

func (r *report) conflict(kind, format string, args ...any) {
	r.conflicts[kind]++
	r.lines = append(r.lines, kind+"\t"+fmt.Sprintf(format, args...))
}

// write prints the summary and then the details.
func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "%d codes: belfiore %d, supplement.tsv %d, codice-fiscale-js %d more\n",
		r.totalCodes, r.codes[pkg], r.codes["supplement"], r.codes[cfjsPkg])
	fmt.Fprintf(w, "codice-fiscale-js adds %d former names to codes belfiore has, and the end of %d codes (day unknown); it lacks %d of belfiore's codes\n",
		r.names, r.ceased, r.onlyBelf)
	fmt.Fprintf(w, "local.tsv adds %d local names\n", r.local)
	kinds := make([]string, 0, len(r.conflicts))
	for k := range r.conflicts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "disagreement %s: %d\n", k, r.conflicts[k])
	}
	for _, l := range r.lines {
		fmt.Fprintln(w, l)
	}
}

// merge puts the sources together, by order of trust. belfiore (ANPR and
// ISTAT, with dates) gives a code's periods, names and province; the
// supplement gives the name and ISO code of a foreign code belfiore lacks;
// codice-fiscale-js gives the codes neither has (without dates: a code it
// marks as no longer in use is Ceased), the former names belfiore does not
// keep (as aliases; not a name it puts in another province than belfiore
// does and that starts otherwise, which is as often a wrong code as a
// former name), and the end of a supplement's code. Where belfiore and
// codice-fiscale-js disagree on whether a code is in use, or on a ceased
// comune's province, belfiore stands and the report says so. The province
// of a comune both say is in use is codice-fiscale-js's, from ISTAT's
// current list: belfiore keeps one record per code, and for some 250
// comuni in use its province is one of an earlier period (AO for the
// comuni of the Canavese, part of the province of Aosta in 1927-1945; NA
// for Aversa; OT and OG, Sardinian provinces abolished in 2016).
func merge(belf []place, sup []supplementEntry, cfjs []cfjsEntry) ([]place, *report) {
	r := &report{codes: map[string]int{}, conflicts: map[string]int{}}
	byCode := map[string][]cfjsEntry{}
	var order []string
	for _, e := range cfjs {
		if _, ok := byCode[e.Code]; !ok {
			order = append(order, e.Code)
		}
		byCode[e.Code] = append(byCode[e.Code], e)
	}
	have := map[string][]int{} // code: indexes in out
	fromBelf := map[string]bool{}
	var out []place
	for _, p := range belf {
		have[p.Code] = append(have[p.Code], len(out))
		fromBelf[p.Code] = true
		out = append(out, p)
	}
	r.codes[pkg] = len(have)
	for _, s := range sup {
		if _, ok := have[s.Code]; ok {
			continue
		}
		have[s.Code] = []int{len(out)}
		out = append(out, place{Code: s.Code, Name: s.Name, Province: s.Country})
		r.codes["supplement"]++
	}
	for _, code := range order {
		es := byCode[code]
		active := slices.ContainsFunc(es, func(e cfjsEntry) bool { return e.Active })
		idx, ok := have[code]
		if !ok {
			out = append(out, cfjsPlace(es, active))
			have[code] = []int{len(out) - 1}
			r.codes[cfjsPkg]++
			continue
		}
		latest := &out[idx[len(idx)-1]]
		known := map[string]bool{}
		provinces := map[string]bool{}
		for _, i := range idx {
			known[pinsede.FoldName(out[i].Name)] = true
			provinces[out[i].Province] = true
		}
		for _, e := range es {
			if code[0] != 'Z' && fromBelf[code] && !provinces[e.Province] && !sameStem(known, e.Name) {
				// Another province and another name: as often a wrong code as a former name.
				r.conflict("name", "%s %s (%s) for belfiore, %s (%s) for codice-fiscale-js: not taken", code, latest.Name, latest.Province, e.Name, e.Province)
				continue
			}
			for _, n := range cfjsNames(e.Name) {
				if k := pinsede.FoldName(n); !known[k] {
					known[k] = true
					latest.Aliases = append(latest.Aliases, titleCase(n))
					r.names++
				}
			}
		}
		switch {
		case !fromBelf[code]: // a supplement's code: codice-fiscale-js tells whether it is in use
			latest.Ceased = !active
			if !active {
				r.ceased++
			}
			continue
		case latest.To == "" && !active:
			r.conflict("in-use", "%s %s: in use for belfiore, ceased for codice-fiscale-js", code, latest.Name)
		case latest.To != "" && active:
			r.conflict("in-use", "%s %s: ceased on %s for belfiore, in use for codice-fiscale-js", code, latest.Name, latest.To)
		}
		if today := provinceToday(es); code[0] != 'Z' && latest.To == "" && today != "" && today != latest.Province {
			r.conflict("province-today", "%s %s: %s for belfiore, %s in codice-fiscale-js's copy of ISTAT's current list: %s taken",
				code, latest.Name, latest.Province, today, today)
			latest.Province = today
			continue
		}
		if code[0] != 'Z' && !slices.ContainsFunc(idx, func(i int) bool {
			return slices.ContainsFunc(es, func(e cfjsEntry) bool { return e.Province == out[i].Province })
		}) {
			var ps []string
			for _, e := range es {
				if !slices.Contains(ps, e.Province) {
					ps = append(ps, e.Province)
				}
			}
			r.conflict("province", "%s %s: %s for belfiore, %s for codice-fiscale-js", code, latest.Name, latest.Province, strings.Join(ps, ","))
		}
	}
	for code := range fromBelf {
		if _, ok := byCode[code]; !ok {
			r.onlyBelf++
		}
	}
	r.totalCodes = len(have)
	return out, r
}

// provinceToday returns the province of the name codice-fiscale-js marks as
// in use, taken from ISTAT's current list of comuni; "" when none is.
func provinceToday(es []cfjsEntry) string {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Active {
			return es[i].Province
		}
	}
	return ""
}

// sameStem reports whether name starts with the same five letters as one
// of the folded names in known (AGRATE and Agrate Brianza).
func sameStem(known map[string]bool, name string) bool {
	f := pinsede.FoldName(name)
	for k := range known {
		if n := min(5, len(f), len(k)); n > 0 && f[:n] == k[:n] {
			return true
		}
	}
	return false
}

// cfjsPlace makes the entry of a code only codice-fiscale-js has: its name
// in use (or its last), the others as aliases, the province of the last
// entry (FM, Fermo's sigla, for a comune of the province of Fiume that
// ceased long before Fermo's was founded in 2009, is put right as FU), and
// Ceased when no entry is in use. A foreign state's province is empty: the
// list gives "EE" for all of them.
func cfjsPlace(es []cfjsEntry, active bool) place {
	main := es[len(es)-1]
	for _, e := range es {
		if e.Active {
			main = e
		}
	}
	names := cfjsNames(main.Name)
	p := place{Code: main.Code, Name: titleCase(names[0]), Province: main.Province, Ceased: !active}
	switch {
	case p.Code[0] == 'Z':
		p.Province = ""
	case p.Province == "FM" && !active:
		p.Province = "FU"
	}
	seen := map[string]bool{pinsede.FoldName(p.Name): true}
	for _, e := range es {
		for _, n := range cfjsNames(e.Name) {
			if k := pinsede.FoldName(n); !seen[k] {
				seen[k] = true
				p.Aliases = append(p.Aliases, titleCase(n))
			}
		}
	}
	return p
}

// cfjsNames splits a name of codice-fiscale-js that gives two, "FORMOSA=TAIWAN".
func cfjsNames(s string) []string {
	var ns []string
	for _, n := range strings.Split(s, "=") {
		if n = strings.TrimSpace(n); n != "" {
			ns = append(ns, n)
		}
	}
	return ns
}

// lowerWords are the words an Italian place name writes in lower case
// after its first word: articles and prepositions.
var lowerWords = map[string]bool{
	"a": true, "al": true, "alla": true, "alle": true, "allo": true, "ai": true, "agli": true,
	"con": true, "d": true, "da": true, "dal": true, "dalla": true, "de": true, "dei": true,
	"del": true, "della": true, "delle": true, "dello": true, "degli": true, "dell": true,
	"di": true, "e": true, "ed": true, "in": true, "nel": true, "nella": true, "sul": true,
	"sulla": true, "sull": true, "y": true, "nell": true, "dall": true, "all": true,
	"nei": true, "negli": true, "dai": true, "dagli": true, "sui": true, "sugli": true,
	"per": true, "tra": true, "fra": true, "col": true,
}

// titleCase writes an upper-case name as the ISTAT lists do: each word
// capitalised, articles and prepositions after the first word in lower case
// ("CA' DE' MAZZI": "Ca' de' Mazzi", "ISOLE DELL'UNIONE": "Isole dell'Unione").
// Accents, which the list writes as apostrophes, stay apostrophes.
func titleCase(s string) string {
	var b strings.Builder
	word := []rune{}
	first := true
	flush := func() {
		if len(word) == 0 {
			return
		}
		w := strings.ToLower(string(word))
		if first || !lowerWords[w] {
			rs := []rune(w)
			rs[0] = []rune(strings.ToUpper(string(rs[0])))[0]
			w = string(rs)
		}
		b.WriteString(w)
		word, first = word[:0], false
	}
	for _, r := range s {
		if r == ' ' || r == '\'' || r == '-' || r == '(' || r == ')' || r == '.' || r == '/' {
			flush()
			b.WriteRune(r)
			continue
		}
		word = append(word, r)
	}
	flush()
	return b.String()
}

// localEntry is a line of local.tsv: a place no longer in Italy, its
// Italian name (to check the code against) and today's local name.
type localEntry struct{ Code, Name, Local string }

// parseLocal reads local.tsv.
func parseLocal(src string) ([]localEntry, error) {
	var es []localEntry
	err := eachLine("local.tsv", src, "a code, the Italian name and the local name", func(f []string) bool {
		es = append(es, localEntry{f[0], f[1], f[2]})
		return f[1] != "" && f[2] != ""
	})
	return es, err
}

// addLocal adds today's local names to the latest entry of their codes, once
// it has checked that the code has the Italian name local.tsv gives it.
func addLocal(places []place, local []localEntry, r *report) error {
	latest := map[string]int{}
	for i, p := range places {
		if j, ok := latest[p.Code]; !ok || places[j].From <= p.From {
			latest[p.Code] = i
		}
	}
	for _, l := range local {
		i, ok := latest[l.Code]
		if !ok {
			return fmt.Errorf("local.tsv: %s %s: no such code", l.Code, l.Name)
		}
		p := &places[i]
		names := map[string]bool{}
		for _, q := range places {
			if q.Code == l.Code {
				names[pinsede.FoldName(q.Name)] = true
				for _, a := range q.Aliases {
					names[pinsede.FoldName(a)] = true
				}
			}
		}
		if !names[pinsede.FoldName(l.Name)] {
			return fmt.Errorf("local.tsv: %s is %s in the table, not %s", l.Code, p.Name, l.Name)
		}
		if !names[pinsede.FoldName(l.Local)] {
			p.Aliases = append(p.Aliases, l.Local)
			r.local++
		}
	}
	return nil
}
