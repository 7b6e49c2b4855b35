package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that pinctl cf prints one JSON object per code, reads codes from
// stdin with "-", and exits 1 when any code is invalid.
func TestCF(t *testing.T) {
	sb := newSandbox(t)
	// The century rule is read on a known day; pinctl cf reads nothing else.
	sb.now = func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	veglia, err := pinsede.EncodeCodiceFiscale("Rossi", "Maria", pinsede.SexFemale, pinsede.Date{Year: 1938, Month: 5, Day: 2}, "M293")
	if err != nil {
		t.Fatal(err)
	}
	r := sb.run(t, "BNCLRA85M41F205C\n\n", "cf", "rssmra80a01h50mm", "80078750587", "RSSMRA80A01H501X", "RSSMRA07E01A114H", string(veglia), "-")
	if r.code != exitFail {
		t.Fatalf("exit %d, want %d (one code is invalid)\n%s", r.code, exitFail, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), r.stdout)
	}
	var got []cfResult
	for _, l := range lines {
		var c cfResult
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, c)
	}
	omo := got[0]
	if !omo.Valid || !omo.Omocode || omo.Canonical != "RSSMRA80A01H501U" || omo.Sex != "M" ||
		omo.Birthdate != "1980-01-01" || omo.Century != "latest" || omo.BirthplaceCode != "H501" || omo.BirthplaceName != "Roma (RM)" || len(omo.Warnings) != 1 {
		t.Errorf("omocode in lower case: %+v", omo)
	}
	if tmp := got[1]; !tmp.Valid || !tmp.Temporary || tmp.Century != "" {
		t.Errorf("temporary code: %+v", tmp)
	}
	if bad := got[2]; bad.Valid || !strings.Contains(bad.Error, "U") {
		t.Errorf("wrong check character: %+v", bad)
	}
	// Aizurro ceased in 1927: year 07 is 1907, and no warning.
	if old := got[3]; !old.Valid || old.Birthdate != "1907-05-01" || old.Century != "place" || old.BirthplaceName != "Aizurro (CO)" || len(old.Warnings) != 0 {
		t.Errorf("century from the place: %+v", old)
	}
	// Veglia, annexed in 1941 and ceded in 1947: the province of the time,
	// today's local name.
	if v := got[4]; !v.Valid || v.BirthplaceName != "Veglia (FU)" || !v.BirthplaceCeased || !slices.Contains(v.BirthplaceOtherNames, "Krk") || v.Birthdate != "1938-05-02" {
		t.Errorf("Veglia: %+v", v)
	}
	if omo.BirthplaceCeased || omo.BirthplaceOtherNames == nil {
		t.Errorf("Roma: %+v", omo)
	}
	if woman := got[5]; !woman.Valid || woman.Sex != "F" || woman.Birthdate != "1985-08-01" || woman.BirthplaceName != "Milano (MI)" {
		t.Errorf("from stdin: %+v", woman)
	}
	if r := sb.run(t, "", "cf"); r.code != exitUsage {
		t.Errorf("no codes: exit %d, want %d", r.code, exitUsage)
	}
}
