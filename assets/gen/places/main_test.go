package main

import (
	"strings"
	"testing"
)

// Ensure that names stored in a broken encoding are repaired, and others
// left alone.
func TestDemojibake(t *testing.T) {
	for in, want := range map[string]string{
		"CittÃ\u00a0 della Pieve":     "Città della Pieve",
		"MolliÃ¨res":                  "Mollières",
		"ContÃ":                       "Contà",
		"Santa Maria la CaritĂ":       "Santa Maria la Carità",
		"Isole Fær Øer":               "Isole Fær Øer",
		"Roma":                        "Roma",
		"Jovençan":                    "Jovençan",
		"Stato della CittÃ\u00a0 del": "Stato della Città del",
	} {
		if got := demojibake(in); got != want {
			t.Errorf("demojibake(%q) = %q, want %q", in, got, want)
		}
	}
}

// Ensure that a comune's name written with every word capitalised gets
// the case of the ISTAT lists, and a name already right is left alone.
func TestMiscased(t *testing.T) {
	for in, want := range map[string]string{
		"Barbana D'istria":      "Barbana d'Istria",
		"Alà Dei Sardi":         "Alà dei Sardi",
		"Sant'oreste":           "Sant'Oreste",
		"Torre De' Busi":        "Torre de' Busi",
		"Capriati A Volturno":   "Capriati a Volturno",
		"Campo Nell'elba":       "Campo nell'Elba",
		"Santa Maria la Carità": "Santa Maria la Carità",
		"La Salle":              "La Salle",
		"Sant'Angelo Lodigiano": "Sant'Angelo Lodigiano",
		"San Giorgio a Cremano": "San Giorgio a Cremano",
		"Pré-Saint-Didier":      "Pré-Saint-Didier",
		"Di Nola":               "Di Nola",
	} {
		got := in
		if miscased(in) {
			got = titleCase(in)
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// Ensure that the package's placeholder dates and codes are cleaned, and a
// day shared by most of a province's comuni is dropped.
func TestClean(t *testing.T) {
	var ps []place
	for _, code := range []string{"A001", "A002", "A003", "A004", "A005"} {
		ps = append(ps, place{Code: code, Name: "X", Province: "PN", From: "1968-04-06", To: "9999-12-31"})
	}
	ps = append(ps,
		place{Code: "M297", Name: "Fiumicino", Province: "RM", From: "1992-04-04", To: "9999-12-31"},
		place{Code: "Z114", Name: "Regno Unito", Province: "UK", From: "1861-01-01", To: "9999-12-31"},
		place{Code: "Z105", Name: "Cecoslovacchia", Province: "  ", From: "1861-01-01", To: "1993-01-01"},
	)
	ps = clean(ps)
	for _, p := range ps[:5] {
		if p.From != "" || p.To != "" {
			t.Fatalf("province day kept: %+v", p)
		}
	}
	for i, want := range []place{
		{Code: "M297", Name: "Fiumicino", Province: "RM", From: "1992-04-04"},
		{Code: "Z114", Name: "Regno Unito", Province: "GB"},
		{Code: "Z105", Name: "Cecoslovacchia", To: "1993-01-01"},
	} {
		if got := ps[5+i]; got.Code != want.Code || got.Name != want.Name || got.Province != want.Province || got.From != want.From || got.To != want.To {
			t.Errorf("got %+v, want %+v", ps[5+i], want)
		}
	}
}

// Ensure that the merge keeps belfiore's entries, takes the supplement's
// foreign codes before codice-fiscale-js's, adds the codes only
// codice-fiscale-js has as ceased on a day not known, takes its former names
// as aliases, and reports where the two disagree.
func TestMerge(t *testing.T) {
	belf := []place{
		{Code: "A001", Name: "Abano Terme", Province: "PD"},
		{Code: "B414", Name: "Calino", Province: "BS", To: "1927-11-02"},
		{Code: "G778", Name: "Pola", Province: "PL", To: "1947-09-16"},
		{Code: "Z112", Name: "Germania", Province: "DE"},
		{Code: "A512", Name: "Aversa", Province: "NA"},
	}
	sup := []supplementEntry{{"Z245", "Vietnam del Nord", ""}, {"Z727", "Tokelau", "TK"}}
	cfjs := []cfjsEntry{
		{"A001", "PD", "ABANO BAGNI", false}, {"A001", "PD", "ABANO TERME", true},
		{"B414", "AV", "CALITRI", false},
		{"G778", "PL", "POLA", false},
		{"Z112", "EE", "GERMANIA", false},
		{"Z245", "EE", "VIETNAM DEL NORD", false},
		{"Z727", "EE", "ISOLE DELL'UNIONE", true}, {"Z727", "EE", "TOKELAU=ISOLE DELL'UNIONE", true},
		{"B331", "MI", "CA' DE' MAZZI", false},
		{"M293", "FM", "VEGLIA", false},
		{"A512", "NA", "AVERSA", false}, {"A512", "CE", "AVERSA", true},
	}
	out, r := merge(belf, sup, cfjs)
	got := map[string]place{}
	for _, p := range out {
		got[p.Code] = p
	}
	for _, want := range []place{
		{Code: "A001", Name: "Abano Terme", Province: "PD", Aliases: []string{"Abano Bagni"}},
		{Code: "B414", Name: "Calino", Province: "BS", To: "1927-11-02"},
		{Code: "Z245", Name: "Vietnam del Nord", Ceased: true},
		{Code: "Z727", Name: "Tokelau", Province: "TK", Aliases: []string{"Isole dell'Unione"}},
		{Code: "B331", Name: "Ca' de' Mazzi", Province: "MI", Ceased: true},
		{Code: "M293", Name: "Veglia", Province: "FU", Ceased: true},
		{Code: "A512", Name: "Aversa", Province: "CE"},
	} {
		p := got[want.Code]
		if p.Name != want.Name || p.Province != want.Province || p.To != want.To || p.Ceased != want.Ceased || strings.Join(p.Aliases, "|") != strings.Join(want.Aliases, "|") {
			t.Errorf("%s: got %+v, want %+v", want.Code, p, want)
		}
	}
	if len(out) != 9 || r.codes[pkg] != 5 || r.codes["supplement"] != 2 || r.codes[cfjsPkg] != 2 || r.names != 2 || r.ceased != 1 {
		t.Errorf("%d places, report %+v", len(out), r)
	}
	if r.conflicts["in-use"] != 1 || r.conflicts["name"] != 1 || r.conflicts["province-today"] != 1 {
		t.Errorf("disagreements %v: want Germania's use, Calitri's name, Aversa's province", r.conflicts)
	}
}

// Ensure that upper-case names are written as the ISTAT lists write them.
func TestTitleCase(t *testing.T) {
	for in, want := range map[string]string{
		"CA' DE' MAZZI":         "Ca' de' Mazzi",
		"ISOLE DELL'UNIONE":     "Isole dell'Unione",
		"SANT'ANGELO LODIGIANO": "Sant'Angelo Lodigiano",
		"VOLOSCA-ABBAZIA":       "Volosca-Abbazia",
		"DI NOLA":               "Di Nola",
		"CHRISTMAS (ISOLA)":     "Christmas (Isola)",
		"SAN MARTINO IN VALLE":  "San Martino in Valle",
		"PIEMONTE D'ISTRIA":     "Piemonte d'Istria",
	} {
		if got := titleCase(in); got != want {
			t.Errorf("titleCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// Ensure that the supplement and the local names read, and that a local
// name whose Italian name is not the code's stops the generator.
func TestSideFiles(t *testing.T) {
	sup, err := parseSupplement(supplement)
	if err != nil || len(sup) < 50 {
		t.Fatalf("supplement: %d, %v", len(sup), err)
	}
	local, err := parseLocal(localNames)
	if err != nil || len(local) < 50 {
		t.Fatalf("local names: %d, %v", len(local), err)
	}
	places := []place{{Code: "M293", Name: "Veglia", Province: "FU"}}
	r := &report{codes: map[string]int{}, conflicts: map[string]int{}}
	if err := addLocal(places, []localEntry{{"M293", "Veglia", "Krk"}}, r); err != nil || places[0].Aliases[0] != "Krk" {
		t.Fatalf("Krk not added: %+v, %v", places[0], err)
	}
	if err := addLocal(places, []localEntry{{"M293", "Pola", "Pula"}}, r); err == nil {
		t.Fatal("a wrong code taken")
	}
}

// Ensure that codice-fiscale-js's list is read, and a line it cannot read
// is an error rather than a code lost.
func TestParseCFJS(t *testing.T) {
	line := "  ['A001', 'PD', 'ABANO TERME', 1],\n  ['H479', 'ME', \"RODI'\", 0],\n"
	es, err := parseCFJS("export const COMUNI = [\n" + strings.Repeat(line, 5000) + "]\n")
	if err != nil || len(es) != 10000 || es[1] != (cfjsEntry{"H479", "ME", "RODI'", false}) {
		t.Fatalf("got %d entries (%+v), %v", len(es), es[:2], err)
	}
	if _, err := parseCFJS(strings.Repeat(line, 5000) + "  ['A01', 'PD', 'X', 1],\n"); err == nil {
		t.Fatal("a bad line taken")
	}
}
