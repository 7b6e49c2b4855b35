package local_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
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

// formEvent returns an EventFormArchived of id carrying pdf.
func formEvent(id string, pdf []byte) pinsede.Event {
	return pinsede.Event{ID: id, Kind: pinsede.EventFormArchived, Time: t0, Sede: "ROMA01",
		Credential: pinsede.Credential{ID: "c-" + id, Sede: "ROMA01"}, Form: &pinsede.ArchivedForm{Kind: pinsede.DocumentMV35, PDF: pdf}}
}

// samplePDF returns n bytes that start as a PDF, different for each seed.
func samplePDF(n int, seed byte) []byte {
	pdf := bytes.Repeat([]byte{seed}, n)
	copy(pdf, "%PDF-1.7\n")
	return pdf
}

// Ensure that the outbox keeps a form's bytes beside its event: the event
// names them by SHA-256 and size, OutboxAfter gives them back with it, and
// an acknowledgement removes both.
func TestOutboxForms(t *testing.T) {
	s := newStore(t)
	pdf := samplePDF(3000, 'a')
	update(t, s, func(tx pinsede.Tx) error {
		if err := tx.Enqueue(pinsede.Event{ID: "e1", Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01"}); err != nil {
			return err
		}
		return tx.Enqueue(formEvent("e2", pdf))
	})
	items, err := s.Outbox(0)
	if err != nil || len(items) != 2 {
		t.Fatalf("Outbox = %+v, %v", items, err)
	}
	if items[0].Form != nil {
		t.Errorf("the issue has %d bytes of form", len(items[0].Form))
	}
	f := items[1].Event.Form
	if f == nil || f.PDF != nil || f.Size != len(pdf) || f.SHA256 != pinsede.FormDigest(pdf) || !bytes.Equal(items[1].Form, pdf) {
		t.Fatalf("form event %+v with %d bytes beside it", f, len(items[1].Form))
	}
	if n, err := s.OutboxForms(); err != nil || n != 1 {
		t.Fatalf("forms kept %d, %v; want 1", n, err)
	}
	if err := s.Ack(1, 2); err != nil {
		t.Fatal(err)
	}
	if n, err := s.OutboxForms(); err != nil || n != 0 {
		t.Fatalf("forms kept after the ack %d, %v; want 0", n, err)
	}
}

// Ensure that OutboxAfter stops before its byte budget, forms counted,
// returns at least one item however large, and opens no item past the
// budget: one that does not open there is no error.
func TestOutboxBudget(t *testing.T) {
	s := newStore(t)
	update(t, s, func(tx pinsede.Tx) error {
		for i := range 10 {
			if err := tx.Enqueue(formEvent(fmt.Sprintf("e%d", i+1), samplePDF(10_000, byte('a'+i)))); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.FlipOutbox(5); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		after         uint64
		limit, budget int
		want          []uint64
	}{
		{0, 0, 35_000, []uint64{1, 2, 3}},
		{0, 2, 35_000, []uint64{1, 2}},
		{1, 0, 25_000, []uint64{2, 3}},
		{2, 0, 1_000, []uint64{3}},
		{3, 0, 15_000, []uint64{4}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("after %d limit %d budget %d", tt.after, tt.limit, tt.budget), func(t *testing.T) {
			items, err := s.OutboxAfter(tt.after, tt.limit, tt.budget)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, it := range items {
				got = append(got, it.Seq)
				if len(it.Form) != 10_000 {
					t.Errorf("item %d: %d bytes of form", it.Seq, len(it.Form))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := s.OutboxAfter(4, 0, 15_000); !errors.Is(err, local.ErrCorrupt) {
		t.Errorf("OutboxAfter of the damaged item: %v, want ErrCorrupt", err)
	}
}

// Ensure that OutboxEntries gives each event's JSON as json.Marshal
// writes the event OutboxAfter decodes, byte for byte, with its id (one
// escaped in the JSON too) and form, chooses the same items under a budget, and reports a damaged one.
func TestOutboxEntries(t *testing.T) {
	s := newStore(t)
	update(t, s, func(tx pinsede.Tx) error {
		for i := range 6 {
			ev := formEvent(fmt.Sprintf("e%d", i+1), samplePDF(10_000, byte('a'+i)))
			if i%2 == 0 {
				ev = pinsede.Event{ID: fmt.Sprintf("e%d", i+1), Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01",
					Credential: pinsede.Credential{ID: "c<&>", Sede: "ROMA01", IssuedBy: "Nicolò D'Angelo"}}
			}
			if i == 2 { // an id that the JSON escapes
				ev.ID = `e3 "<&>\`
			}
			if err := tx.Enqueue(ev); err != nil {
				return err
			}
		}
		return nil
	})
	for _, budget := range []int{0, 25_000} {
		items, err := s.OutboxAfter(1, 0, budget)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := s.OutboxEntries(1, 0, budget)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(items) {
			t.Fatalf("budget %d: %d entries, %d items", budget, len(entries), len(items))
		}
		for i, e := range entries {
			it := items[i]
			want, err := json.Marshal(it.Event)
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != it.Seq || e.ID != it.Event.ID || !bytes.Equal(e.JSON, want) || !bytes.Equal(e.Form, it.Form) {
				t.Errorf("budget %d: entry %d %s %s with %d bytes of form; want %d %s %s with %d",
					budget, e.Seq, e.ID, e.JSON, len(e.Form), it.Seq, it.Event.ID, want, len(it.Form))
			}
			if ev, err := e.Event(); err != nil || !reflect.DeepEqual(ev, it.Event) {
				t.Errorf("entry %d decodes to %+v, %v; want %+v", e.Seq, ev, err, it.Event)
			}
		}
	}
	if err := s.FlipOutbox(3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OutboxEntries(2, 0, 0); !errors.Is(err, local.ErrCorrupt) {
		t.Errorf("OutboxEntries over the damaged item: %v, want ErrCorrupt", err)
	}
}
