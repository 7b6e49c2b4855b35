// Command places writes the table of places of birth that the programs
// embed: assets/places/places.tsv.gz, the codici catastali (Belfiore codes)
// of the Italian comuni, current and ceased, and of the foreign states.
//
// It runs at generation time only (go generate ./assets), and needs npm and
// node: it installs two npm packages into a temporary folder and merges
// their lists (see merge): @marketto/belfiore-connector-embedded (MIT; data
// CC BY from ISTAT, Ministero dell'Interno/ANPR and Agenzia delle Entrate),
// asked for every place through a small node script, with validity dates;
// and codice-fiscale-js (its list CC BY-SA 4.0, from ISTAT), read from its
// source, which adds the codes the first lacks (Istria, Fiume, Zara,
// Dalmatia, long-ceased comuni) without dates. It writes what each source
// adds and where they disagree to gen/places/report.txt. The built programs
// need neither node nor a network.
//
// The table is gzip'd UTF-8 TSV, sorted by code. Lines starting with # are
// comments (the first says where the data comes from); the first other line
// names the columns:
//
//	code      the codice catastale: a letter and three digits; Z for a foreign state
//	name      the Italian name
//	province  the sigla of the province of a comune at the time (FU for
//	          Fiume), or the ISO 3166-1 alpha-2 code of a foreign state
//	          (empty when it has none)
//	from, to  the first and last day the code was valid, aaaa-mm-gg; empty
//	          when open; to is "?" for a code that has ceased on a day the
//	          sources do not give
//	aliases   the place's other names, separated by |: former names, and
//	          today's local name of a comune no longer in Italy (Krk)
//
// The foreign codes in supplement.tsv, beside this file, give the name and
// ISO code of the foreign codes the first package lacks; local.tsv gives
// today's local names of the comuni ceded in 1947 and annexed in 1941-1943.
// The first package's dates are cleaned: see clean and clearProvinceDates.
//
// Usage:
//
//	go run ./gen/places [-o places/places.tsv.gz] [-report gen/places/report.txt] [-version 1.2.1] [-cfjs-version 2.4.0]
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

const pkg = "@marketto/belfiore-connector-embedded"

//go:embed supplement.tsv
var supplement string

//go:embed local.tsv
var localNames string

// dumpJS prints every place the package knows, as JSON, with its dates as
// calendar days (the package works in local time: TZ=UTC is set for it).
const dumpJS = `
const m = require(process.argv[2]);
const bc = m.default || m.belfioreConnector || m;
const day = (d) => d.toISOString().slice(0, 10);
bc.toArray().then((all) => {
  process.stdout.write(JSON.stringify(all.map((p) => ({
    code: p.belfioreCode,
    name: p.name,
    province: p.province || p.iso3166 || "",
    from: day(p.creationDate),
    to: day(p.expirationDate),
  }))));
});
`

// place is one line of the table: a code's name, province and dates for
// one period. Ceased is set for a code no longer in use whose last day the
// sources do not give (To empty); Aliases are its other names: former
// names, and today's local name of a place no longer in Italy.
type place struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Province string   `json:"province"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Ceased   bool     `json:"-"`
	Aliases  []string `json:"-"`
}

func main() {
	out := flag.String("o", filepath.Join("places", "places.tsv.gz"), "output file")
	version := flag.String("version", "1.2.1", "version of "+pkg)
	cfjsVersion := flag.String("cfjs-version", "2.4.0", "version of "+cfjsPkg)
	reportFile := flag.String("report", filepath.Join("gen", "places", "report.txt"), "where to write what each source adds and where they disagree")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("places: ")

	dir, err := os.MkdirTemp("", "places-gen-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	src, err := fetch(dir, *version, *cfjsVersion)
	if err != nil {
		log.Fatal(err)
	}
	sup, err := parseSupplement(supplement)
	if err != nil {
		log.Fatal(err)
	}
	local, err := parseLocal(localNames)
	if err != nil {
		log.Fatal(err)
	}
	places, rep := merge(clean(src.belfiore), sup, src.cfjs)
	if err := addLocal(places, local, rep); err != nil {
		log.Fatal(err)
	}
	sort.SliceStable(places, func(i, j int) bool {
		if places[i].Code != places[j].Code {
			return places[i].Code < places[j].Code
		}
		return places[i].From < places[j].From
	})
	header := fmt.Sprintf("# %s %s (published %s), %s %s (published %s), assets/gen/places/supplement.tsv and local.tsv; "+
		"data CC BY: ISTAT, Ministero dell'Interno (ANPR), Agenzia delle Entrate; %s CC BY-SA 4.0. See NOTICE.",
		pkg, *version, src.published[0], cfjsPkg, *cfjsVersion, src.published[1], cfjsPkg)
	if err := write(*out, header, places); err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# What each source adds to the table of places, and where they disagree.\n# %s\n", header[2:])
	rep.write(&b)
	if err := os.WriteFile(*reportFile, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	summary, _, _ := strings.Cut(strings.SplitN(b.String(), "\n", 3)[2], "\ndisagreement")
	log.Printf("%d entries written to %s; %s", len(places), *out, summary)
	log.Printf("details in %s", *reportFile)
}

// sources are the places as each package gives them.
type sources struct {
	belfiore  []place
	cfjs      []cfjsEntry
	published [2]string // the day each package's version was published
}

// fetch installs the two packages in dir and reads their places.
func fetch(dir, version, cfjsVersion string) (sources, error) {
	var src sources
	run := func(name string, args ...string) ([]byte, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TZ=UTC")
		cmd.Stderr = os.Stderr
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
		}
		return b, nil
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private":true}`), 0o644); err != nil {
		return src, fmt.Errorf("write package.json: %w", err)
	}
	specs := [2]string{pkg + "@" + version, cfjsPkg + "@" + cfjsVersion}
	if _, err := run("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", specs[0], specs[1]); err != nil {
		return src, err
	}
	for i, spec := range specs {
		src.published[i] = "unknown"
		if b, err := run("npm", "view", spec, "time", "--json"); err == nil {
			var times map[string]string
			v := spec[strings.LastIndex(spec, "@")+1:]
			if json.Unmarshal(b, &times) == nil && len(times[v]) >= 10 {
				src.published[i] = times[v][:10]
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "dump.js"), []byte(dumpJS), 0o644); err != nil {
		return src, fmt.Errorf("write dump.js: %w", err)
	}
	b, err := run("node", "dump.js", pkg)
	if err != nil {
		return src, err
	}
	if err := json.Unmarshal(b, &src.belfiore); err != nil {
		return src, fmt.Errorf("read the places of %s: %w", pkg, err)
	}
	if len(src.belfiore) < 9000 {
		return src, fmt.Errorf("only %d places in %s: the package has changed", len(src.belfiore), pkg)
	}
	b, err = os.ReadFile(filepath.Join(dir, "node_modules", cfjsPkg, cfjsFile))
	if err != nil {
		return src, fmt.Errorf("read %s: %w", cfjsPkg, err)
	}
	if src.cfjs, err = parseCFJS(string(b)); err != nil {
		return src, fmt.Errorf("read %s: %w", cfjsPkg, err)
	}
	return src, nil
}

// clean repairs what the package gets wrong: names stored as UTF-8 read as
// Latin-1 ("CittÃ  della Pieve"), comuni's names with every word
// capitalised ("Barbana D'istria" for Barbana d'Istria), "UK" for the United Kingdom, a blank ISO
// code, and the dates it puts for "unknown" (1861-01-01 as the first day,
// 9999-12-31 as the last).
func clean(places []place) []place {
	for i := range places {
		p := &places[i]
		p.Name = strings.Join(strings.Fields(demojibake(p.Name)), " ")
		if p.Code[0] != 'Z' && miscased(p.Name) {
			p.Name = titleCase(p.Name)
		}
		p.Province = strings.TrimSpace(p.Province)
		if p.Province == "UK" {
			p.Province = "GB"
		}
		if p.From == "1861-01-01" {
			p.From = ""
		}
		if p.To == "9999-12-31" {
			p.To = ""
		}
	}
	clearProvinceDates(places)
	return places
}

// clearProvinceDates clears the first day of the comuni that took it from
// their province rather than from their own founding. The package keeps one
// record per code, the latest: when a province was founded (Pordenone in
// 1968, Isernia in 1970, Oristano in 1974) or annexed (Veneto in 1866, Lazio
// in 1871, Trentino in 1920, Venezia Giulia in 1921), its comuni's records
// start that day, though the comuni are older. The sign is a day shared by
// at least half of a province's comuni (and at least five): that day is
// dropped, and such a comune's start is left unknown.
func clearProvinceDates(places []place) {
	total := map[string]int{}
	count := map[[2]string]int{}
	for _, p := range places {
		if p.Code[0] != 'Z' {
			total[p.Province]++
			if p.From != "" {
				count[[2]string{p.Province, p.From}]++
			}
		}
	}
	for i := range places {
		p := &places[i]
		if n := count[[2]string{p.Province, p.From}]; p.Code[0] != 'Z' && p.From != "" && n >= 5 && 2*n >= total[p.Province] {
			p.From = ""
		}
	}
}

// miscased reports whether a comune's name has the case of the package's
// upper-case records turned into title case: a preposition or article
// after the first word written with a capital ("Alà Dei Sardi"), or a
// small letter after an apostrophe ("Sant'oreste").
func miscased(name string) bool {
	rs := []rune(name)
	for i, r := range rs {
		if r == '\'' && i+1 < len(rs) && unicode.IsLower(rs[i+1]) {
			return true
		}
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '\'' })
	for _, w := range words[1:] {
		if lowerWords[strings.ToLower(w)] && unicode.IsUpper([]rune(w)[0]) {
			return true
		}
	}
	return false
}

// demojibake undoes a UTF-8 text decoded as Latin-1 or Windows-1252, when
// re-encoding gives valid UTF-8. A trailing "Ã" lost its second byte (a
// non-breaking space, 0xA0, as in "à"): it is put back.
func demojibake(s string) string {
	if !strings.ContainsAny(s, "ÃÂĂ") {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == 'Ă': // "à" read as Windows-1250 then trimmed
			b = append(b, 0xC3, 0xA0)
		case r < 0x100:
			b = append(b, byte(r))
		default:
			return s
		}
	}
	if bytes.HasSuffix(b, []byte{0xC3}) {
		b = append(b, 0xA0)
	}
	if !utf8.Valid(b) {
		return s
	}
	return string(b)
}

// write writes the table, gzip'd, to the file name.
func write(name, header string, places []place) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, header)
	fmt.Fprintln(w, "code\tname\tprovince\tfrom\tto\taliases")
	for _, p := range places {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			if n == "" || strings.ContainsAny(n, "\t\n|") {
				return fmt.Errorf("%s: name %q is empty or has a tab, a newline or a |", p.Code, n)
			}
		}
		to := p.To
		if p.Ceased && to == "" {
			to = "?"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name, p.Province, p.From, to, strings.Join(p.Aliases, "|"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}
