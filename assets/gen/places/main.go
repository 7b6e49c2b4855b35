// Command places writes the table of places of birth that the programs
// embed: assets/places/places.tsv.gz, the codici catastali (Belfiore codes)
// of the Italian comuni, current and ceased, and of the foreign states.
//
// It runs at generation time only (go generate ./assets), and needs npm and
// node: it installs the npm package @marketto/belfiore-connector-embedded
// (MIT; data CC BY from ISTAT, Ministero dell'Interno/ANPR and Agenzia delle
// Entrate) into a temporary folder, asks it for every place through a small
// node script, and turns the answer into a compact table. The built programs
// need neither node nor a network.
//
// The table is gzip'd UTF-8 TSV, sorted by code. Lines starting with # are
// comments (the first says where the data comes from); the first other line
// names the columns:
//
//	code      the codice catastale: a letter and three digits; Z for a foreign state
//	name      the Italian name
//	province  the sigla of the province of a comune, or the ISO 3166-1 alpha-2
//	          code of a foreign state (empty when it has none)
//	from, to  the first and last day the code was valid, aaaa-mm-gg; empty
//	          when open
//
// The foreign codes in supplement.tsv, beside this file, are added where the
// package lacks them. The package's dates are cleaned: see clean and
// clearProvinceDates.
//
// Usage:
//
//	go run ./gen/places [-o places/places.tsv.gz] [-version 1.2.1]
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
	"unicode/utf8"
)

const pkg = "@marketto/belfiore-connector-embedded"

//go:embed supplement.tsv
var supplement string

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

type place struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Province string `json:"province"`
	From     string `json:"from"`
	To       string `json:"to"`
}

func main() {
	out := flag.String("o", filepath.Join("places", "places.tsv.gz"), "output file")
	version := flag.String("version", "1.2.1", "version of "+pkg)
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("places: ")

	dir, err := os.MkdirTemp("", "places-gen-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	places, published, err := fetch(dir, *version)
	if err != nil {
		log.Fatal(err)
	}
	places = append(clean(places), supplemented(places)...)
	sort.Slice(places, func(i, j int) bool {
		if places[i].Code != places[j].Code {
			return places[i].Code < places[j].Code
		}
		return places[i].From < places[j].From
	})
	header := fmt.Sprintf("# %s %s (published %s) and assets/gen/places/supplement.tsv; "+
		"data CC BY: ISTAT, Ministero dell'Interno (ANPR), Agenzia delle Entrate. See NOTICE.", pkg, *version, published)
	if err := write(*out, header, places); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d places written to %s", len(places), *out)
}

// fetch installs the package in dir and returns its places and the day the
// version was published.
func fetch(dir, version string) ([]place, string, error) {
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
		return nil, "", err
	}
	spec := pkg + "@" + version
	if _, err := run("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", spec); err != nil {
		return nil, "", err
	}
	published := "unknown"
	if b, err := run("npm", "view", spec, "time", "--json"); err == nil {
		var times map[string]string
		if json.Unmarshal(b, &times) == nil && len(times[version]) >= 10 {
			published = times[version][:10]
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "dump.js"), []byte(dumpJS), 0o644); err != nil {
		return nil, "", err
	}
	b, err := run("node", "dump.js", pkg)
	if err != nil {
		return nil, "", err
	}
	var places []place
	if err := json.Unmarshal(b, &places); err != nil {
		return nil, "", fmt.Errorf("read the places: %w", err)
	}
	if len(places) < 9000 {
		return nil, "", fmt.Errorf("only %d places: the package has changed", len(places))
	}
	return places, published, nil
}

// clean repairs what the package gets wrong: names stored as UTF-8 read as
// Latin-1 ("CittÃ  della Pieve"), "UK" for the United Kingdom, a blank ISO
// code, and the dates it puts for "unknown" (1861-01-01 as the first day,
// 9999-12-31 as the last).
func clean(places []place) []place {
	for i := range places {
		p := &places[i]
		p.Name = strings.Join(strings.Fields(demojibake(p.Name)), " ")
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

// supplemented returns the places of supplement.tsv whose code is not among
// places.
func supplemented(places []place) []place {
	have := make(map[string]bool, len(places))
	for _, p := range places {
		have[p.Code] = true
	}
	var extra []place
	for _, line := range strings.Split(supplement, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			log.Fatalf("supplement.tsv: want 3 columns: %q", line)
		}
		if !have[f[0]] {
			extra = append(extra, place{Code: f[0], Name: f[1], Province: f[2]})
		}
	}
	return extra
}

func write(name, header string, places []place) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, header)
	fmt.Fprintln(w, "code\tname\tprovince\tfrom\tto")
	for _, p := range places {
		if strings.ContainsAny(p.Name, "\t\n") {
			return fmt.Errorf("%s: name %q has a tab or a newline", p.Code, p.Name)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name, p.Province, p.From, p.To)
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
