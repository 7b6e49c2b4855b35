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

// Ensure that the domain refuses the handover of a credential of another
// sede or of the online channel (a copy converted here), with the problem
// of a credential the central records manage, and writes nothing: only
// the button the citizen's page hides stopped it.
func TestHandoverOtherSedeRefused(t *testing.T) {
	f := newFixture(t)
	before, err := f.desk.Summary()
	if err != nil {
		t.Fatal(err)
	}
	for _, sede := range []string{"WEB", "MILANO01"} {
		issued := f.now.AddDate(0, 0, -1)
		c := pinsede.Credential{
			ID: "c-" + sede, CodiceFiscale: request().CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo,
			PINHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued),
			PrintedAt: issued, SlipSerial: "S-" + sede, IssuedBy: "altro", Sede: sede,
		}
		if err := f.store.Update(func(tx pinsede.Tx) error { return tx.PutCredential(c) }); err != nil {
			t.Fatal(err)
		}
		_, err := f.desk.RecordHandover(f.sup, c.ID)
		var p *pinsede.Problem
		if !errors.As(err, &p) || p.Key != pinsede.KeyOtherSede || p.Args["Sede"] != sede || !errors.Is(err, pinsede.ErrOtherSede) {
			t.Fatalf("handover of a credential of %s: %v, want the problem %s", sede, err, pinsede.KeyOtherSede)
		}
		var got pinsede.Credential
		err = f.store.View(func(tx pinsede.Tx) (err error) { got, err = tx.Credential(c.ID); return err })
		if sum, _ := f.desk.Summary(); err != nil || !got.HandedOverAt.IsZero() || sum.PendingSync != before.PendingSync {
			t.Fatalf("a refused handover wrote: %+v, %d events, %v", got, sum.PendingSync-before.PendingSync, err)
		}
	}
}
