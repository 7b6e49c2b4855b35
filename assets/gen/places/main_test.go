package main

import "testing"

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
		if ps[5+i] != want {
			t.Errorf("got %+v, want %+v", ps[5+i], want)
		}
	}
}

// Ensure that the supplement adds only the codes the package lacks.
func TestSupplemented(t *testing.T) {
	extra := supplemented([]place{{Code: "Z221", Name: "Hong Kong (from the package)"}})
	if len(extra) < 50 {
		t.Fatalf("only %d supplementary places", len(extra))
	}
	for _, p := range extra {
		if p.Code == "Z221" {
			t.Fatal("Z221 added twice")
		}
		if len(p.Code) != 4 || p.Code[0] != 'Z' || p.Name == "" {
			t.Fatalf("bad entry %+v", p)
		}
	}
}
