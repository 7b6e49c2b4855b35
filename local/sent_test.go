package local_test

import (
	"fmt"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

// Ensure that the events centrale took are kept as sent, the newest
// SentKeep of them (here 3) with their forms, and those refused not;
// and that ResendSent puts them back in the outbox in their places,
// before the event waiting, the store saying that older ones were
// pruned.
func TestSentKeptAndResent(t *testing.T) {
	local.KeepSent(t, 3)
	s := newStore(t)
	d := newDesk(s, nopPrinter{})
	pdf := []byte("%PDF-1.7 modulo MV35")
	err := s.Update(func(tx pinsede.Tx) error {
		for i := range 6 {
			ev := pinsede.Event{ID: fmt.Sprintf("e%d", i+1), Kind: pinsede.EventRefused, Time: testclock.Now(), Sede: "ROMA01"}
			if i == 3 {
				ev.Kind, ev.Form = pinsede.EventFormArchived, pinsede.NewArchivedForm(pinsede.DocumentMV35, pdf)
			}
			if err := tx.Enqueue(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	refused := []pinsede.NotAccepted{{Seq: 2, Event: pinsede.Event{ID: "e2"}, Verdict: pinsede.VerdictRejected}}
	if err := d.Acknowledge([]uint64{1, 2, 3, 4, 5}, refused); err != nil {
		t.Fatal(err)
	}
	outbox := func() (ids string) {
		t.Helper()
		items, err := s.Outbox(0)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			ids += fmt.Sprintf(" %d:%s", it.Seq, it.Event.ID)
			if it.Event.Form != nil && string(it.Form) != string(pdf) {
				t.Errorf("event %s came back with form %q", it.Event.ID, it.Form)
			}
		}
		return ids
	}
	if got := outbox(); got != " 6:e6" {
		t.Fatalf("outbox after the ack:%s", got)
	}
	var n int
	var oldest uint64
	var pruned bool
	err = s.Update(func(tx pinsede.Tx) (err error) {
		n, oldest, pruned, err = tx.ResendSent()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := outbox(); n != 3 || oldest != 3 || !pruned || got != " 3:e3 4:e4 5:e5 6:e6" {
		t.Errorf("ResendSent: %d events from %d, pruned %v, outbox:%s; want 3 from 3, true, 3:e3 4:e4 5:e5 6:e6", n, oldest, pruned, got)
	}
}
