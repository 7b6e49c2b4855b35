package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Ensure that pinctl mrz prints the fields of a valid zone, and names the
// check digit at fault in an invalid one with exit status 1.
func TestMRZ(t *testing.T) {
	sb := newSandbox(t)
	const td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
	r := sb.must(t, td3, "mrz")
	var got mrzResult
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%q: %v", r.stdout, err)
	}
	if !got.Valid || got.Format != "TD3" || got.Surname != "ERIKSSON" || got.GivenNames != "ANNA MARIA" ||
		got.DocumentNumber != "L898902C3" || got.Birthdate != "1974-08-12" || got.Sex != "F" ||
		got.Expiry != "2012-04-15" || len(got.Checks) != 5 || got.SingleName || got.Cognome != "ERIKSSON" || got.Nome != "ANNA MARIA" ||
		len(got.Warnings) != 0 {
		t.Errorf("TD3 specimen: %+v", got)
	}

	// The ICAO specimen that expired on 12 July 1995, read in 2026.
	sb.now = func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	r = sb.must(t, "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<\n", "mrz")
	got = mrzResult{}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Valid || got.Expiry != "1995-07-12" || !got.Expired || got.Birthdate != "1934-07-12" {
		t.Errorf("expired specimen: %+v", got)
	}

	// A holder with one name only: the name as both cognome and nome, and
	// a warning that says so.
	const kumar = "P<IND<<KUMAR<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nZ1234567<1IND8001014M3101012<<<<<<<<<<<<<<<0\n"
	r = sb.must(t, kumar, "mrz")
	got = mrzResult{}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Valid || !got.SingleName || got.Surname != "" || got.GivenNames != "KUMAR" || got.Cognome != "KUMAR" || got.Nome != "KUMAR" ||
		len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "un solo nome, KUMAR") {
		t.Errorf("one name only: %+v", got)
	}

	bad := strings.Replace(td3, "7408122F", "7408123F", 1) // the birth date's check digit
	r = sb.run(t, bad, "mrz")
	if r.code != exitFail {
		t.Fatalf("exit %d, want %d", r.code, exitFail)
	}
	got = mrzResult{}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Valid || !strings.Contains(got.Error, "2") || got.Error == "" {
		t.Errorf("bad check digit: %+v", got)
	}
	if r := sb.run(t, "", "mrz", "extra"); r.code != exitUsage {
		t.Errorf("argument: exit %d, want %d", r.code, exitUsage)
	}
}
