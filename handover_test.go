package pinsede_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that the slips to hand over are today's printed slips of the sede
// not yet handed over, and only those: not a slip that did not print, not
// one handed over, not yesterday's; and that recording the handover, from
// wherever the clerk is, takes it off the list.
func TestPendingHandovers(t *testing.T) {
	f := newFixture(t)
	issue := func(cognome string) pinsede.Credential { return f.issueTo(t, f.sup, cognome) }
	pending := func() []string {
		t.Helper()
		us, err := f.desk.PendingHandovers(f.sup)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range us {
			ids = append(ids, u.Credential)
			if u.CodiceFiscale == "" || u.Citizen == "" || u.SlipSerial == "" {
				t.Errorf("slip to hand over lacks its citizen or serial: %+v", u)
			}
		}
		return ids
	}
	a := issue("Rossi")
	b := issue("Bianchi")
	f.printer.err = errors.New("carta esaurita")
	issue("Esposito")
	f.printer.err = nil
	if _, err := f.desk.RecordHandover(f.sup, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := pending(); len(got) != 1 || got[0] != a.ID {
		t.Fatalf("pending = %v, want only %s (printed, not handed over)", got, a.ID)
	}
	if _, err := f.desk.RecordHandover(f.sup, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := pending(); len(got) != 0 {
		t.Errorf("after the handover: pending = %v", got)
	}
	issue("Martini")
	f.now = f.now.Add(24 * time.Hour)
	if got := pending(); len(got) != 0 {
		t.Errorf("the next day: pending = %v, want none (the reconciliation reports yesterday's)", got)
	}
}
