package central_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a delegation whose last day was yesterday in Italy counts
// no more from Italy's midnight, with centrale's clock in UTC: at 00:30
// in Italy (still yesterday in UTC) the delegante registers a new
// delegation, which is accepted. Before, the day was UTC's, and until
// 01:00 (02:00 in summer) the ended delegation still stood and the new
// one was rejected as a second active delegation.
func TestDelegationEndsAtItalysMidnight(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	today := central.Day(storetest.T0)
	yesterday := pinsede.DateOf(today.AddDate(0, 0, -1))
	register := func(id string, delegato pinsede.CodiceFiscale, from, until pinsede.Date, at time.Time) string {
		t.Helper()
		ev := storetest.Delegated("ROMA01", id, pinsede.FormAA08, storetest.CF(1), delegato)
		ev.ID, ev.Time = "ev-"+id, at
		ev.Delegation.From, ev.Delegation.Until, ev.Delegation.RegisteredAt = from, until, at
		res, err := s.Apply(t.Context(), "ROMA01", []pinsede.Event{ev}, at)
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Reason
	}
	ended := today.Add(-12 * time.Hour).UTC()
	if reason := register("d1", storetest.CF(2), pinsede.DateOf(today.AddDate(0, 0, -2)), yesterday, ended); reason != "" {
		t.Fatalf("the delegation ending yesterday, registered then: %s", reason)
	}
	at := today.Add(30 * time.Minute).UTC() // centrale's clock: still yesterday in UTC
	if reason := register("d2", storetest.CF(3), pinsede.DateOf(today), pinsede.Date{}, at); reason != "" {
		t.Errorf("at %s a new delegation of the same delegante: %s, want it accepted (the other ended yesterday)", at.In(central.Italy), reason)
	}
}
