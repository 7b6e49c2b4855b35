package central_test

import (
	"fmt"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// untouched is a Tx that fails its test when Apply reads or writes it.
type untouched struct {
	central.Tx // nil: a method not written here would panic
	t          *testing.T
}

func (u untouched) Seen(sede, id string) (wire.Verdict, error) {
	u.t.Errorf("event %s of %s read from the store", id, sede)
	return "", nil
}

// TestApplyTakesTheScreening: Apply rejects an event for the reason
// ScreenAll gave it, made once by the store before its reads (the
// SHA-256 of a push's forms is most of it), without screening it again or
// touching the store; reasons that are not one per event are an error.
func TestApplyTakesTheScreening(t *testing.T) {
	now := testclock.Now()
	form := pinsede.NewArchivedForm(pinsede.DocumentMV35, []byte("%PDF-1.7 a form"))
	ev := pinsede.Event{ID: "e1", Kind: pinsede.EventFormArchived, Time: now, Sede: "ROMA01",
		Credential: pinsede.Credential{ID: "c1", CodiceFiscale: "RSSMRA80A01H501U", Sede: "ROMA01"}, Form: form}
	events := []pinsede.Event{ev, ev}
	events[1].ID = "e2"
	events[1].Form = &pinsede.ArchivedForm{Kind: form.Kind, SHA256: form.SHA256, Size: form.Size, PDF: []byte("%PDF-1.7 another")}
	reasons := central.ScreenAll(central.DefaultLimits(), "ROMA01", events, now)
	if reasons[1] == "" {
		t.Fatalf("a form that does not match its SHA-256 screened as good: %q", reasons)
	}
	reasons[0] = "told by the store"
	got, err := central.Apply(untouched{t: t}, "ROMA01", events, reasons, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if r.ID != events[i].ID || r.Verdict != wire.Rejected || r.Reason != reasons[i] {
			t.Errorf("event %s: %+v, want rejected for %q", events[i].ID, r, reasons[i])
		}
	}
	if _, err := central.Apply(untouched{t: t}, "ROMA01", events, reasons[:1], now); err == nil {
		t.Error("one reason for two events: no error")
	}
}

// TestScreenAllInParallel: a push of MaxBatch events, more than one
// goroutine of ScreenAll screens, gets for each event the reason Screen
// gives it alone, in its place: forms that match, forms that do not,
// events of another sede.
func TestScreenAllInParallel(t *testing.T) {
	now := testclock.Now()
	lim := central.DefaultLimits()
	var events []pinsede.Event
	for i := range wire.MaxBatch {
		pdf := fmt.Appendf(nil, "%%PDF-1.7 form %d", i)
		ev := pinsede.Event{ID: fmt.Sprint("e", i), Kind: pinsede.EventFormArchived, Time: now, Sede: "ROMA01",
			Credential: pinsede.Credential{ID: fmt.Sprint("c", i), CodiceFiscale: "RSSMRA80A01H501U", Sede: "ROMA01"},
			Form:       pinsede.NewArchivedForm(pinsede.DocumentMV35, pdf)}
		switch {
		case i%7 == 3:
			ev.Form.PDF = []byte("%PDF-1.7 another")
		case i%11 == 5:
			ev.Sede = "MILANO01"
		}
		events = append(events, ev)
	}
	got := central.ScreenAll(lim, "ROMA01", events, now)
	bad := 0
	for i, ev := range events {
		want := central.Screen(lim, "ROMA01", ev, now)
		if got[i] != want {
			t.Errorf("event %d: %q, want %q", i, got[i], want)
		}
		if want != "" {
			bad++
		}
	}
	if bad == 0 || bad == len(events) {
		t.Errorf("%d of %d events rejected: the test screens nothing of interest", bad, len(events))
	}
}
