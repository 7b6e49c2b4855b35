package local_test

import (
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the outbox gives its events in the order they were queued,
// numbered for good, and that acknowledged events leave it, twice safely.
func TestOutbox(t *testing.T) {
	s := newStore(t)
	enqueue := func(ids ...string) {
		update(t, s, func(tx pinsede.Tx) error {
			for _, id := range ids {
				if err := tx.Enqueue(pinsede.Event{ID: id, Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01"}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	outbox := func(limit int) (seqs []uint64, ids []string) {
		items, err := s.Outbox(limit)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			seqs, ids = append(seqs, it.Seq), append(ids, it.Event.ID)
		}
		return seqs, ids
	}
	ack := func(seqs ...uint64) {
		if err := s.Ack(seqs...); err != nil {
			t.Fatal(err)
		}
	}
	pending := func() (n int) {
		view(t, s, func(tx pinsede.Tx) (err error) { n, err = tx.Pending(); return err })
		return n
	}

	enqueue("e1", "e2", "e3", "e4", "e5")
	for _, step := range []struct {
		do       func()
		limit    int
		wantSeqs []uint64
		wantIDs  []string
	}{
		{func() {}, 2, []uint64{1, 2}, []string{"e1", "e2"}},
		{func() {}, 0, []uint64{1, 2, 3, 4, 5}, []string{"e1", "e2", "e3", "e4", "e5"}},
		{func() { ack(1, 2) }, 0, []uint64{3, 4, 5}, []string{"e3", "e4", "e5"}},
		{func() { ack(1, 2, 99) }, 10, []uint64{3, 4, 5}, []string{"e3", "e4", "e5"}},
		{func() { ack(3, 4, 5) }, 0, nil, nil},
		{func() { enqueue("e6") }, 0, []uint64{6}, []string{"e6"}},
	} {
		step.do()
		seqs, ids := outbox(step.limit)
		if !reflect.DeepEqual(seqs, step.wantSeqs) || !reflect.DeepEqual(ids, step.wantIDs) {
			t.Errorf("Outbox(%d) = %v %v, want %v %v", step.limit, seqs, ids, step.wantSeqs, step.wantIDs)
		}
		if step.limit == 0 && pending() != len(step.wantSeqs) {
			t.Errorf("Pending() = %d, want %d", pending(), len(step.wantSeqs))
		}
	}
}
