package local_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// auditOn returns the actions of the entries of day, in order.
func auditOn(t *testing.T, s *local.Store, day pinsede.Date) []pinsede.AuditAction {
	t.Helper()
	var out []pinsede.AuditAction
	err := s.View(func(tx pinsede.Tx) error {
		es, err := tx.AuditOn(day)
		for _, e := range es {
			out = append(out, e.Action)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Ensure that AuditOn returns the entries of one day only, in chain order,
// by their local day, also for a store migrated from version 4, whose
// entries are indexed by the migration.
func TestAuditOn(t *testing.T) {
	store, key := created(t)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, time.March, 2, 23, 59, 0, 0, time.Local)
	tue := mon.Add(2 * time.Minute)
	appendAt := func(s *local.Store, at time.Time, a pinsede.AuditAction) {
		update(t, s, func(tx pinsede.Tx) error {
			_, err := tx.AppendAudit(pinsede.AuditEntry{Time: at, Sede: "ROMA01", Actor: "m.rossi", Action: a})
			return err
		})
	}
	appendAt(s, mon, pinsede.ActionIssued)
	appendAt(s, tue, pinsede.ActionPrinted)
	appendAt(s, mon.Add(-time.Hour), pinsede.ActionHandedOver) // a clock set back: still Monday's
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := local.MakeV4(store); err != nil {
		t.Fatal(err)
	}
	if s, err = local.Open(store, key); err != nil {
		t.Fatalf("open a v4 store: %v", err)
	}
	defer s.Close()
	appendAt(s, tue, pinsede.ActionRevoked)

	monday, tuesday := pinsede.DateOf(mon), pinsede.DateOf(tue)
	if got, want := auditOn(t, s, monday), []pinsede.AuditAction{pinsede.ActionIssued, pinsede.ActionHandedOver}; !slices.Equal(got, want) {
		t.Errorf("Monday: %v, want %v", got, want)
	}
	if got, want := auditOn(t, s, tuesday), []pinsede.AuditAction{pinsede.ActionPrinted, pinsede.ActionRevoked}; !slices.Equal(got, want) {
		t.Errorf("Tuesday: %v, want %v", got, want)
	}
	if got := auditOn(t, s, pinsede.DateOf(tue.AddDate(0, 0, 1))); len(got) != 0 {
		t.Errorf("Wednesday: %v, want none", got)
	}
}
