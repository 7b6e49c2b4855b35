package pinsede_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that the reconciliation of the sede counts, per desk and per
// operator, the acts of every desk of the sede that the desk holds, as
// applied from the central records (ApplyPulled), on the day they were
// done there: desk 01 issues three PINs, one of them voided by a print
// failure; desk 03 issues one and replaces its lost slip; desk 04 issued
// one yesterday and nothing since; desk 02, which draws it up, issues one
// and hands over its own and desk 01's. The slips never handed over are
// desk 01's and desk 03's, named with the desk; desk 04 is named as not
// heard from since the morning. The variant of this desk alone is the
// report of before, and yesterday's report of the sede counts desk 04's
// act, pulled today.
func TestReconciliationSede(t *testing.T) {
	ctx := context.Background()
	a, b, c, d := newFixture(t), newFixture(t), newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID, c.desk.DeskID, d.desk.DeskID = "01", "02", "03", "04"
	today, yesterday := pinsede.DateOf(b.now), pinsede.DateOf(b.now.AddDate(0, 0, -1))
	d.now = d.now.AddDate(0, 0, -1)
	b.now = b.now.Add(time.Hour) // pulls and acts after the others

	d.issueTo(t, d.sup, "Galli")
	rossi := a.issueTo(t, a.sup, "Rossi")
	a.printer.err = errors.New("carta esaurita")
	a.issueTo(t, a.sup, "Verdi")
	a.printer.err = nil
	esposito := a.issueTo(t, a.sup, "Esposito")
	c.addOperator(t, pinsede.NewOperator{ID: "sup2", Name: "Lucia Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2"})
	martini := c.issueTo(t, c.sup, "Martini")
	rep, err := c.desk.ReplaceSlip(ctx, c.sup, martini.ID, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
	if err != nil {
		t.Fatal(err)
	}
	conti := b.issueTo(t, b.sup, "Conti")
	for i, ch := range [][]pinsede.Change{sedeChanges(t, d, "04", 300), sedeChanges(t, a, "01", 100), sedeChanges(t, c, "03", 200)} {
		if _, err := b.desk.ApplyPulled(uint64(i+1), ch, b.now); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{conti.ID, rossi.ID} {
		if _, err := b.desk.RecordHandover(b.sup, id); err != nil {
			t.Fatal(err)
		}
	}

	// B audits each pulled act as its desk did, at its time there.
	acts := map[pinsede.AuditAction]pinsede.AuditEntry{}
	err = b.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Desk != "" && e.Desk != "02" {
			acts[e.Action] = e
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := acts[pinsede.ActionPrintFailed]; e.Desk != "01" || !e.At.Equal(a.now) || !e.Time.Equal(b.now) {
		t.Errorf("desk 01's voided PIN audited at B as %+v, want desk 01 at %v, applied at %v", e, a.now, b.now)
	}
	if e := acts[pinsede.ActionSlipReplaced]; e.Desk != "03" || e.Credential != rep.Credential.ID || !e.At.Equal(c.now) {
		t.Errorf("desk 03's replaced slip audited at B as %+v", e)
	}

	r, err := b.desk.Reconciliation(b.sup, today, pinsede.ScopeSede)
	if err != nil {
		t.Fatal(err)
	}
	want := []pinsede.ReconciliationRow{
		{Desk: "01", Operator: "sup", Name: "Anna Bianchi", Printed: 2, Issued: 3, Voided: 1},
		{Desk: "02", Operator: "sup", Name: "Anna Bianchi", Printed: 1, Issued: 1, HandedOver: 2},
		{Desk: "03", Operator: "sup", Name: "Anna Bianchi", Printed: 2, Issued: 1, Revoked: 1, Replaced: 1},
	}
	if !slices.Equal(r.Rows, want) {
		t.Errorf("rows\n%+v\nwant\n%+v", r.Rows, want)
	}
	if tot := (pinsede.ReconciliationRow{Printed: 5, Issued: 5, Voided: 1, Revoked: 1, Replaced: 1, HandedOver: 2}); r.Total != tot {
		t.Errorf("total %+v, want %+v", r.Total, tot)
	}
	got := map[string]string{}
	for _, m := range r.Mismatches {
		got[m.SlipSerial] = m.Desk
	}
	if wantM := map[string]string{esposito.SlipSerial: "01", rep.Credential.SlipSerial: "03"}; len(got) != 2 ||
		got[esposito.SlipSerial] != "01" || got[rep.Credential.SlipSerial] != "03" {
		t.Errorf("mismatches by desk %v, want %v", got, wantM)
	}
	if r.Scope != pinsede.ScopeSede || r.Desk != "02" || !r.LastPull.Equal(b.now) {
		t.Errorf("scope %v, desk %q, last pull %v; want the sede's, 02, %v", r.Scope, r.Desk, r.LastPull, b.now)
	}
	var desks []string
	for _, dk := range r.Desks {
		desks = append(desks, dk.Desk)
		switch {
		case dk.This != (dk.Desk == "02"):
			t.Errorf("desk %s: this %v", dk.Desk, dk.This)
		case dk.Stale != (dk.Desk == "04"):
			t.Errorf("desk %s: stale %v, last event %v", dk.Desk, dk.Stale, dk.LastEvent)
		case dk.Desk == "03" && (dk.Total.Replaced != 1 || !dk.LastEvent.Equal(c.now)):
			t.Errorf("desk 03: %+v", dk)
		}
	}
	if !slices.Equal(desks, []string{"01", "02", "03", "04"}) {
		t.Errorf("desks %v, want 01 to 04", desks)
	}

	own, err := b.desk.Reconciliation(b.sup, today, pinsede.ScopeDesk)
	if err != nil {
		t.Fatal(err)
	}
	if ownWant := []pinsede.ReconciliationRow{{Desk: "02", Operator: "sup", Name: "Anna Bianchi", Printed: 1, Issued: 1, HandedOver: 2}}; !slices.Equal(own.Rows, ownWant) ||
		len(own.Mismatches) != 0 || own.Desks != nil || own.Scope != pinsede.ScopeDesk {
		t.Errorf("this desk alone: rows %+v, mismatches %+v, desks %+v", own.Rows, own.Mismatches, own.Desks)
	}

	y, err := b.desk.Reconciliation(b.sup, yesterday, pinsede.ScopeSede)
	if err != nil {
		t.Fatal(err)
	}
	if yWant := []pinsede.ReconciliationRow{{Desk: "04", Operator: "sup", Name: "Anna Bianchi", Printed: 1, Issued: 1}}; !slices.Equal(y.Rows, yWant) ||
		len(y.Mismatches) != 1 || y.Mismatches[0].Desk != "04" {
		t.Errorf("yesterday: rows %+v, mismatches %+v; want desk 04's issue", y.Rows, y.Mismatches)
	}
	for _, dk := range y.Desks {
		if dk.Stale {
			t.Errorf("yesterday: desk %s stale", dk.Desk)
		}
	}
}

// Ensure that a desk that never pulled says so: no time of a last pull,
// and itself the only desk; a pull that brings nothing still counts as
// the last pull.
func TestReconciliationSedeNeverPulled(t *testing.T) {
	f := newFixture(t)
	f.desk.DeskID = "01"
	f.issueTo(t, f.sup, "Rossi")
	r, err := f.desk.Reconciliation(f.sup, pinsede.DateOf(f.now), pinsede.ScopeSede)
	if err != nil {
		t.Fatal(err)
	}
	if !r.LastPull.IsZero() || len(r.Desks) != 1 || !r.Desks[0].This || r.Desks[0].Total.Issued != 1 || len(r.Mismatches) != 1 {
		t.Fatalf("last pull %v, desks %+v, mismatches %+v", r.LastPull, r.Desks, r.Mismatches)
	}
	pulled := f.now.Add(time.Minute)
	if _, err := f.desk.ApplyPulled(0, nil, pulled); err != nil {
		t.Fatal(err)
	}
	if r, err = f.desk.Reconciliation(f.sup, pinsede.DateOf(f.now), pinsede.ScopeSede); err != nil || !r.LastPull.Equal(pulled) || len(r.Desks) != 1 {
		t.Fatalf("after an empty pull: last pull %v, desks %+v, %v", r.LastPull, r.Desks, err)
	}
}

// Ensure that the acts of a desk with no desk id (of before desk ids)
// pulled at a desk that has one are that desk's, not this one's: this
// desk alone counts none of them, and the sede's report names the desk
// "senza numero".
func TestReconciliationSedeDeskWithoutID(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	b.desk.DeskID = "02"
	a.issueTo(t, a.sup, "Rossi")
	if _, err := b.desk.ApplyPulled(1, sedeChanges(t, a, "", 1), b.now); err != nil {
		t.Fatal(err)
	}
	day := pinsede.DateOf(b.now)
	own, err := b.desk.Reconciliation(b.sup, day, pinsede.ScopeDesk)
	if err != nil || len(own.Rows) != 0 || len(own.Mismatches) != 0 {
		t.Fatalf("this desk alone: rows %+v, mismatches %+v, %v; want none", own.Rows, own.Mismatches, err)
	}
	r, err := b.desk.Reconciliation(b.sup, day, pinsede.ScopeSede)
	if err != nil {
		t.Fatal(err)
	}
	if want := []pinsede.ReconciliationRow{{Desk: "", Operator: "sup", Name: "Anna Bianchi", Printed: 1, Issued: 1}}; !slices.Equal(r.Rows, want) ||
		len(r.Mismatches) != 1 || r.Mismatches[0].Desk != "" {
		t.Fatalf("the sede: rows %+v, mismatches %+v; want the desk with no id's issue", r.Rows, r.Mismatches)
	}
}

// Ensure that an act of another desk pulled before the desk kept its
// pulls (an audit entry with no At, no LastPull) counts on the day it was
// applied, and its desk is not named as silent since the morning.
func TestReconciliationSedeOlderPulledEntry(t *testing.T) {
	f := newFixture(t)
	f.desk.DeskID = "02"
	err := f.store.Update(func(tx pinsede.Tx) error {
		_, err := tx.AppendAudit(pinsede.AuditEntry{Time: f.now, Sede: "ROMA01", Desk: "01", Actor: "sup", Action: pinsede.ActionHandedOver})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.desk.Reconciliation(f.sup, pinsede.DateOf(f.now), pinsede.ScopeSede)
	if err != nil {
		t.Fatal(err)
	}
	if want := []pinsede.ReconciliationRow{{Desk: "01", Operator: "sup", Name: "Anna Bianchi", HandedOver: 1}}; !slices.Equal(r.Rows, want) {
		t.Fatalf("rows %+v, want %+v", r.Rows, want)
	}
	if len(r.Desks) != 2 || r.Desks[0].Desk != "01" || r.Desks[0].Stale || !r.Desks[0].LastEvent.Equal(f.now) {
		t.Fatalf("desks %+v, want desk 01 heard from at %v", r.Desks, f.now)
	}
}
