package pinsede_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that the PINs a desk of before the slips were kept as printing
// left active with no print recorded (its print cut short: no PrintedAt,
// no slip kept, no revocation) are revoked at the next start as prints
// cut short, with their audit entry and event, and told to their
// operator; and that a PIN of the same desk handed over, though its
// print was not recorded, is left active: its envelope is with the
// citizen. Before, RecoverPrints left the orphan active: a PIN nobody
// holds, which centrale counts as issued.
func TestRecoverOrphansOfOldDesk(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A PIN telefonico printed and handed over, its print then unrecorded
	// as an old desk could leave it: kept.
	tel, err := f.desk.IssueTelephonePIN(ctx, f.sup, request(), verification(), pinsede.ValidityMonth)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.RecordHandover(f.sup, tel.Credential.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Update(func(tx pinsede.Tx) error {
		c, err := tx.Credential(tel.Credential.ID)
		c.PrintedAt = time.Time{}
		return errors.Join(err, tx.PutCredential(c))
	}); err != nil {
		t.Fatal(err)
	}

	// The PIN dispositivo issued as an old desk did, the program ended
	// mid-print: the store has its issue and no slip kept as printing.
	f.now = f.now.Add(time.Minute)
	p, done := issuePrinting(f)
	var orphan pinsede.Credential
	if err := f.store.Update(func(tx pinsede.Tx) error {
		ps, err := tx.Printing()
		if err != nil || len(ps) != 1 {
			return errors.Join(err, errors.New("not one slip printing"))
		}
		if orphan, err = tx.Credential(ps[0].Credential); err != nil {
			return err
		}
		if err := tx.SetOrphansChecked(false); err != nil { // a store of before
			return err
		}
		return tx.DeletePrinting(orphan.ID) // as a desk of before the slips were kept
	}); err != nil {
		t.Fatal(err)
	}
	path := f.store.Path()
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	close(p.release)
	if r := <-done; r.err == nil {
		t.Fatal("the issue cut short recorded its print on a closed store")
	}

	f.now = f.now.Add(24 * time.Hour) // the new version starts the day after
	st, d := openAgain(t, path, f.desk.Now)
	if n, err := d.RecoverPrints(); n != 1 || err != nil {
		t.Fatalf("RecoverPrints: %d, %v; want the orphan revoked", n, err)
	}
	byID := map[string]pinsede.Credential{}
	for _, c := range credentials(t, st) {
		byID[c.ID] = c
	}
	if c := byID[orphan.ID]; c.State != pinsede.StateRevocato || c.RevokeReason != pinsede.ReasonPrintFailed || c.RevokedBy != "sup" {
		t.Errorf("the orphan is %+v, want it revoked as not printed, by its operator", c)
	}
	if c := byID[tel.Credential.ID]; c.State != pinsede.StateAttivo {
		t.Errorf("the PIN handed over is %+v, want it active", c)
	}
	if got := outboxKinds(t, st); !slices.Equal(got, []pinsede.EventKind{
		pinsede.EventIssued, pinsede.EventHandedOver, pinsede.EventIssued, pinsede.EventRevoked,
	}) {
		t.Errorf("outbox %v", got)
	}
	var es []pinsede.AuditEntry
	if err := st.View(func(tx pinsede.Tx) error {
		es, err = tx.AuditFor(orphan.CodiceFiscale)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if e := es[len(es)-1]; e.Action != pinsede.ActionPrintFailed || e.Credential != orphan.ID || !strings.Contains(e.Detail, "mai registrata") {
		t.Errorf("the last audit entry is %+v, want the orphan's revocation", e)
	}
	if n, err := d.RecoverPrints(); n != 0 || err != nil {
		t.Errorf("RecoverPrints again: %d, %v; want none", n, err)
	}
	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if un, err := d.UnprintedSlips(s); err != nil || len(un) != 1 || un[0].SlipSerial != orphan.SlipSerial || un[0].Citizen != "Rossi Mario" {
		t.Errorf("slips told at the login: %+v, %v; want the orphan", un, err)
	}
}

// Ensure that a PIN another desk of the sede issued, pulled here with no
// print (its print is that desk's), is no orphan: the start leaves it
// active.
func TestRecoverOrphansLeavesSiblingDesk(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	out, err := a.desk.Issue(context.Background(), a.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.desk.ApplyPulled(20, sedeChanges(t, a, "01", 1), b.now); err != nil {
		t.Fatal(err)
	}
	if c := credentials(t, b.store); len(c) != 1 || c[0].ID != out.Credential.ID || !c[0].PrintedAt.IsZero() {
		t.Fatalf("pulled credentials %+v, want desk 01's, with no print here", c)
	}
	if n, err := b.desk.RecoverPrints(); n != 0 || err != nil {
		t.Errorf("RecoverPrints at the sibling desk: %d, %v; want none", n, err)
	}
	if c := credentials(t, b.store)[0]; c.State != pinsede.StateAttivo {
		t.Errorf("desk 01's PIN at desk 02 is %+v, want it active", c)
	}
}

// Ensure that a PIN of another desk of the sede pulled by a desk of
// before pulled entries kept their time there (AuditEntry.At) is no
// orphan either: the store wrote this desk's id in its issue's entry
// (from a desk with no desk id; at first, from any desk), which only its
// detail ("sportello …: busta …") tells apart from this desk's own
// issue. The start leaves it active, and the desk hands it over. Before,
// the start revoked it, and the handover was refused (ErrNotPrinted).
func TestRecoverOrphansLeavesLegacyPulled(t *testing.T) {
	for _, desk := range []string{"", "01"} {
		a, b := newFixture(t), newFixture(t)
		a.desk.DeskID, b.desk.DeskID = desk, "02"
		out, err := a.desk.Issue(context.Background(), a.sup, request(), verification())
		if err != nil {
			t.Fatal(err)
		}
		ch := sedeChanges(t, a, desk, 1)
		ev := ch[len(ch)-1].Event
		if ev.Kind != pinsede.EventIssued || !ev.Credential.PrintedAt.IsZero() {
			t.Fatalf("desk %q's last event %+v, want its issue with no print", desk, ev)
		}
		detail := "sportello 01: busta " + out.Credential.SlipSerial
		if desk == "" {
			detail = "sportello senza numero: busta " + out.Credential.SlipSerial
		}
		if err := b.store.Update(func(tx pinsede.Tx) error { // as such a desk applied the issue
			if err := tx.PutCredential(ev.Credential); err != nil {
				return err
			}
			_, err := tx.AppendAudit(pinsede.AuditEntry{Time: b.now, Sede: "ROMA01", Desk: "02", Actor: "sup",
				Action: pinsede.ActionIssued, Subject: ev.Credential.CodiceFiscale, Credential: ev.Credential.ID, Detail: detail})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := b.desk.RecoverPrints(); n != 0 || err != nil {
			t.Errorf("desk %q's PIN pulled without its time there: RecoverPrints %d, %v; want none", desk, n, err)
		}
		if c, err := b.desk.RecordHandover(b.sup, out.Credential.ID); err != nil || c.State != pinsede.StateAttivo {
			t.Errorf("desk %q's PIN pulled without its time there: handover %+v, %v; want it handed over", desk, c, err)
		}
	}
}
