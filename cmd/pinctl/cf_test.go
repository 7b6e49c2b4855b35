package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Ensure that pinctl cf prints one JSON object per code, reads codes from
// stdin with "-", and exits 1 when any code is invalid.
func TestCF(t *testing.T) {
	sb := newSandbox(t)
	// The century rule is read on a known day; pinctl cf reads nothing else.
	sb.now = func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	r := sb.run(t, "BNCLRA85M41F205C\n\n", "cf", "rssmra80a01h50mm", "80078750587", "RSSMRA80A01H501X", "RSSMRA07E01A114H", "-")
	if r.code != exitFail {
		t.Fatalf("exit %d, want %d (one code is invalid)\n%s", r.code, exitFail, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5:\n%s", len(lines), r.stdout)
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
	if woman := got[4]; !woman.Valid || woman.Sex != "F" || woman.Birthdate != "1985-08-01" || woman.BirthplaceName != "Milano (MI)" {
		t.Errorf("from stdin: %+v", woman)
	}
	if r := sb.run(t, "", "cf"); r.code != exitUsage {
		t.Errorf("no codes: exit %d, want %d", r.code, exitUsage)
	}
}
