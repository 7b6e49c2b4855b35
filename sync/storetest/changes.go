package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// PullMixDesks are the desks of ROMA01 in PullMix.
var PullMixDesks = []string{"01", "02", "03", "04"}

// PullMix fills s with a day of ROMA01 as its desks and kiosk make it,
// and returns how many changes ROMA01 has: each desk of PullMixDesks
// issues perDesk PINs, each with the citizen's record, and hands them
// over (each a ChangeSedeEvent for the sede); the kiosk prints a ticket
// for each issue and a desk calls it (a ChangeTicket and a
// ChangeTicketCalled); and MILA01 issues a new PIN to one citizen of ten
// (a ChangeSuperseded for ROMA01).
func PullMix(tb testing.TB, s central.Store, perDesk int) int {
	tb.Helper()
	h := Hash(tb, "ACEFHJKMNPRTUVWX")
	push := func(sede string, evs ...pinsede.Event) {
		tb.Helper()
		res, err := s.Apply(ctx, sede, evs, T0)
		if err != nil {
			tb.Fatal(err)
		}
		for i, r := range res {
			if r.Verdict != wire.Accepted {
				tb.Fatalf("%s's event %s: %+v", sede, evs[i].ID, r)
			}
		}
	}
	changes := 0
	for i := range perDesk {
		for d, desk := range PullMixDesks {
			n := i*len(PullMixDesks) + d
			code := fmt.Sprintf("%c%c%c%c%c%c%c%c", ticketSymbol(n), ticketSymbol(n/25), ticketSymbol(n/625), 'K', 'M', 'N', 'P', 'Q')
			if _, err := s.PutTicket(ctx, Ticket("ROMA01", code, fmt.Sprintf("K%03d", n), T0), T0); err != nil {
				tb.Fatal(err)
			}
			issued := AtDesk(WithCitizen(Issued("ROMA01", CF(n), fmt.Sprint("i", n), fmt.Sprint("c", n), h)), desk)
			push("ROMA01", AtDesk(TicketCalled("ROMA01", fmt.Sprint("t", n), code), desk), issued,
				AtDesk(Follow(issued, fmt.Sprint("h", n), pinsede.EventHandedOver), desk))
			changes += 4 // the ticket, its call, the issue and the handover
			if n%10 == 0 {
				push("MILA01", AtDesk(Issued("MILA01", CF(n), fmt.Sprint("m", n), fmt.Sprint("cm", n), h), "01"))
				changes++
			}
		}
	}
	return changes
}

// ticketSymbol returns a symbol of the tickets' codes for n.
func ticketSymbol(n int) byte {
	const symbols = "34679ACDEFGHJKMNPQRTUVWXY"
	return symbols[n%len(symbols)]
}

// changeFilters are the pulls of testChangeFilter: a desk of before the
// sede's events, desks of the sede asking for them, one with no desk
// id, and one restored from a copy asking for its own events too.
var changeFilters = map[string]*central.ChangeFilter{
	"before sede events": {},
	"desk 01":            {SedeEvents: true, Desk: "01"},
	"desk 01 restored":   {SedeEvents: true, Desk: "01", Own: true},
	"desk 04":            {SedeEvents: true, Desk: "04"},
	"no desk id":         {SedeEvents: true, Desk: ""},
}

// Ensure that Changes with a filter returns exactly the changes the
// filter takes of those it would return without one, with their events
// whole and in order; that paging after the cursor it returns, in pages
// of 1 to 7, sees each of them once and ends at the sede's newest
// change, though the newest changes are left out (the pulling desk's
// own); and that each page looks at no more than its limit.
func testChangeFilter(t *testing.T, s central.Store) {
	PullMix(t, s, 3)
	// The newest change: desk 01's handover, left out of desk 01's pull.
	all, next, latest, err := s.Changes(ctx, "ROMA01", 0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || next != latest || latest != all[len(all)-1].Seq {
		t.Fatalf("every change: %d, next %d, latest %d", len(all), next, latest)
	}
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	last := AtDesk(Issued("ROMA01", CF(999), "last", "clast", h), "01")
	wantVerdicts(t, apply(t, s, "ROMA01", last, AtDesk(Follow(last, "last-h", pinsede.EventHandedOver), "01")), wire.Accepted, wire.Accepted)
	all, _, latest, err = s.Changes(ctx, "ROMA01", 0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range changeFilters {
		t.Run(name, func(t *testing.T) {
			var want []wire.Change
			for _, c := range all {
				if f.Takes(c) {
					want = append(want, c)
				}
			}
			got, next, gotLatest, err := s.Changes(ctx, "ROMA01", 0, 1000, f)
			if err != nil || next != latest || gotLatest != latest {
				t.Fatalf("one page: next %d, latest %d, %v; want both %d", next, gotLatest, err, latest)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("one page: %d changes, want the %d the filter takes of %d", len(got), len(want), len(all))
			}
			for limit := 1; limit <= 7; limit += 3 {
				var paged []wire.Change
				after := uint64(0)
				for more := true; more; {
					page, next, latest, err := s.Changes(ctx, "ROMA01", after, limit, f)
					if err != nil {
						t.Fatal(err)
					}
					looked := 0
					for _, c := range all {
						if c.Seq > after && c.Seq <= next {
							looked++
						}
					}
					if next <= after || looked > limit || len(page) > 0 && page[len(page)-1].Seq > next {
						t.Fatalf("limit %d after %d: %d changes, next %d (%d looked at)", limit, after, len(page), next, looked)
					}
					paged = append(paged, page...)
					after, more = next, next < latest
				}
				if !reflect.DeepEqual(paged, want) || after != latest {
					t.Errorf("pages of %d: %d changes, ending at %d; want the %d, ending at %d", limit, len(paged), after, len(want), latest)
				}
			}
			if ch, next, _, err := s.Changes(ctx, "ROMA01", latest, 10, f); err != nil || len(ch) != 0 || next != latest {
				t.Errorf("after the newest: %d changes, next %d, %v; want none, %d", len(ch), next, err, latest)
			}
		})
	}
}

// BenchPulls times a desk of ROMA01 catching up on a day of PullMix
// (50 PINs a desk, 820 changes), from cursor 0 in pages of
// wire.MaxChanges, on s: every change read, as the stores did before
// they took a ChangeFilter (the server then dropped those the desk does
// not apply), against the pulls of desk 01 and of a desk of before the
// sede's events. It reports the changes and the bytes (as JSON) the
// store returns a catch-up.
func BenchPulls(b *testing.B, s central.Store) {
	PullMix(b, s, 50)
	for _, tc := range []struct {
		name string
		f    *central.ChangeFilter
	}{
		{"every change", nil},
		{"desk 01", changeFilters["desk 01"]},
		{"before sede events", changeFilters["before sede events"]},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var rows, bytes int
			for b.Loop() {
				rows, bytes = 0, 0
				for after, more := uint64(0), true; more; {
					ch, next, latest, err := s.Changes(ctx, "ROMA01", after, wire.MaxChanges, tc.f)
					if err != nil {
						b.Fatal(err)
					}
					js, err := json.Marshal(ch)
					if err != nil {
						b.Fatal(err)
					}
					rows, bytes = rows+len(ch), bytes+len(js)
					after, more = next, next < latest
				}
			}
			b.ReportMetric(float64(rows), "changes/op")
			b.ReportMetric(float64(bytes), "json-B/op")
		})
	}
}
