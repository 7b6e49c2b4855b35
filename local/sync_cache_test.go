package local_test

import (
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that the sync cache keeps the cursor and each pulled change once,
// that AckSync empties the outbox and keeps what was not accepted, and that
// OutboxAfter reads past a sequence number.
func TestSyncCache(t *testing.T) {
	s := newStore(t)
	if cur, err := s.SyncCursor(); err != nil || cur != 0 {
		t.Fatalf("fresh cursor = %d, %v", cur, err)
	}
	if ch, err := s.PulledChanges(); err != nil || len(ch) != 0 {
		t.Fatalf("fresh changes = %v, %v", ch, err)
	}
	changes := []wire.Change{{Seq: 3, Kind: wire.ChangeSuperseded, Sede: "ROMA01", CredentialID: "c1"}, {Seq: 7, Kind: wire.ChangeLocked, Sede: "ROMA01", CredentialID: "c2"}}
	for range 2 {
		if err := s.SaveChanges(7, changes); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.PulledChanges()
	if err != nil || !reflect.DeepEqual(got, changes) {
		t.Errorf("PulledChanges = %+v, %v", got, err)
	}
	if cur, _ := s.SyncCursor(); cur != 7 {
		t.Errorf("cursor = %d, want 7", cur)
	}

	update(t, s, func(tx pinsede.Tx) error {
		for _, id := range []string{"e1", "e2", "e3"} {
			if err := tx.Enqueue(pinsede.Event{ID: id, Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01"}); err != nil {
				return err
			}
		}
		return nil
	})
	after, err := s.OutboxAfter(1, 10)
	if err != nil || len(after) != 2 || after[0].Event.ID != "e2" {
		t.Errorf("OutboxAfter(1) = %+v, %v", after, err)
	}
	refused := []local.NotAccepted{{Seq: 2, Event: after[0].Event, Verdict: wire.Rejected, Reason: "test", At: t0}}
	if err := s.AckSync([]uint64{1, 2, 3}, refused); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.OutboxLen(); n != 0 {
		t.Errorf("OutboxLen = %d after AckSync, want 0", n)
	}
	na, err := s.NotAcceptedEvents()
	if err != nil || len(na) != 1 || na[0].Event.ID != "e2" || na[0].Reason != "test" {
		t.Errorf("NotAcceptedEvents = %+v, %v", na, err)
	}
}
