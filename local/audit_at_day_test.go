package local_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// actedOn returns the credentials of the entries AuditActedOn gives for
// day, in order.
func actedOn(t *testing.T, s *local.Store, day pinsede.Date) []string {
	t.Helper()
	var out []string
	view(t, s, func(tx pinsede.Tx) error {
		es, err := tx.AuditActedOn(day)
		for _, e := range es {
			out = append(out, e.Credential)
		}
		return err
	})
	return out
}

// Ensure that AuditActedOn gives the entries of the acts of a day: this
// desk's written that day, and another desk's done that day there,
// whatever day they were pulled, in chain order; not those pulled that
// day of an act of another day. Also on a store of version 8, whose
// pulled entries the migration indexes.
func TestAuditActedOn(t *testing.T) {
	store, key := created(t)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, time.March, 2, 10, 0, 0, 0, time.Local)
	tue, thu := mon.AddDate(0, 0, 1), mon.AddDate(0, 0, 3)
	add := func(s *local.Store, e pinsede.AuditEntry) {
		e.Sede, e.Actor, e.Action = "ROMA01", "m.rossi", pinsede.ActionIssued
		update(t, s, func(tx pinsede.Tx) error { _, err := tx.AppendAudit(e); return err })
	}
	add(s, pinsede.AuditEntry{Time: mon, Credential: "own-mon"})
	add(s, pinsede.AuditEntry{Time: tue, Credential: "own-tue"})
	add(s, pinsede.AuditEntry{Time: thu, At: mon.Add(time.Hour), Desk: "01", Credential: "01-mon-pulled-thu"})
	add(s, pinsede.AuditEntry{Time: tue, At: tue, Desk: "01", Credential: "01-tue-pulled-tue"})
	add(s, pinsede.AuditEntry{Time: tue, Desk: "03", Credential: "03-tue-no-at"}) // pulled before At was kept
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check := func(s *local.Store, when string) {
		t.Helper()
		for _, c := range []struct {
			day  time.Time
			want []string
		}{
			{mon, []string{"own-mon", "01-mon-pulled-thu"}},
			{tue, []string{"own-tue", "01-tue-pulled-tue", "03-tue-no-at"}},
			{thu, nil},
		} {
			if got := actedOn(t, s, pinsede.DateOf(c.day)); !slices.Equal(got, c.want) {
				t.Errorf("%s: %s: %v, want %v", when, c.day.Weekday(), got, c.want)
			}
		}
	}
	if s, err = local.Open(store, key); err != nil {
		t.Fatal(err)
	}
	check(s, "as written")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := local.MakeV8(store); err != nil {
		t.Fatal(err)
	}
	if s, err = local.Open(store, key); err != nil {
		t.Fatalf("open a v8 store: %v", err)
	}
	defer s.Close()
	check(s, "migrated from version 8")
	add(s, pinsede.AuditEntry{Time: thu, At: mon, Desk: "04", Credential: "04-mon-pulled-thu"})
	if got, want := actedOn(t, s, pinsede.DateOf(mon)), []string{"own-mon", "01-mon-pulled-thu", "04-mon-pulled-thu"}; !slices.Equal(got, want) {
		t.Errorf("after the migration, Monday: %v, want %v", got, want)
	}
}
