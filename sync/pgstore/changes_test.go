package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that the changes of pushes of more than copyAbove events, which
// go in with a COPY, are numbered in commit order and in the order of
// their events: ROMA01 pushes batches of 40 issues while four other sedi
// supersede its credentials one at a time (changes for ROMA01 from their
// pushes), and a reader of ROMA01's changes reads after the last number
// it saw, over and over; at the end it saw every change of ROMA01, and
// the changes of ROMA01's own issues follow its events.
func TestBulkChangesNotSkipped(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	const others, pushes, batch = 4, 20, 40
	var first []pinsede.Event
	for i := range others * pushes {
		first = append(first, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("r", i), fmt.Sprint("r", i), h))
	}
	if _, err := s.Apply(ctx, "ROMA01", first, storetest.T0); err != nil {
		t.Fatal(err)
	}
	seqs := func(after int64) ([]int64, error) {
		rows, err := s.Pool().Query(ctx, `SELECT seq FROM changes WHERE sede = 'ROMA01' AND seq > $1 ORDER BY seq`, after)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	var pushed atomic.Int32
	var seen []int64
	errs := make([]error, others+2)
	storetest.Together(others+2, func(g int) {
		switch {
		case g < others: // supersedes ROMA01's credentials, one a push
			defer pushed.Add(1)
			errs[g] = supersede(ctx, s, g, pushes, h)
		case g == others: // ROMA01's own issues, batch a push
			defer pushed.Add(1)
			for k := range pushes {
				var evs []pinsede.Event
				for j := range batch {
					i := others*pushes + k*batch + j
					evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("r", i), fmt.Sprint("r", i), h))
				}
				if _, err := s.Apply(ctx, "ROMA01", evs, storetest.T0); err != nil {
					errs[g] = err
					return
				}
			}
		default: // reads after the last change seen, and once more after the last push
			var after int64
			for done := false; !done; {
				done = pushed.Load() == others+1
				got, err := seqs(after)
				if err != nil {
					errs[g] = err
					return
				}
				seen = append(seen, got...)
				if len(got) > 0 {
					after = got[len(got)-1]
				}
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := seqs(0)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*others*pushes + pushes*batch; len(all) != want { // ROMA01's issues, each its sede.event, and the supersessions
		t.Fatalf("ROMA01 has %d changes, want %d", len(all), want)
	}
	if !slices.Equal(seen, all) {
		t.Errorf("the reads after the last change seen got %d of %d changes", len(seen), len(all))
	}
	rows, err := s.Pool().Query(ctx, `SELECT substr(event_id, 2)::int FROM changes
		WHERE sede = 'ROMA01' AND event_id LIKE 'r%' AND substr(event_id, 2)::int >= $1 ORDER BY seq`, others*pushes)
	if err != nil {
		t.Fatal(err)
	}
	order, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != pushes*batch || !slices.IsSorted(order) {
		t.Errorf("the changes of ROMA01's %d issues in batches: %d, in the events' order %v", pushes*batch, len(order), slices.IsSorted(order))
	}
}

// supersede pushes, as sede g of the tests of changes (SEDE00, SEDE01,
// ...), pushes issues one a push, for the codici fiscali from
// g*pushes on: each supersedes the credential ROMA01 issued for it.
func supersede(ctx context.Context, s *pgstore.Store, g, pushes int, hash string) error {
	sede := fmt.Sprintf("SEDE%02d", g)
	for k := range pushes {
		i := g*pushes + k
		ev := storetest.Issued(sede, storetest.CF(i), fmt.Sprint("s", i), fmt.Sprint("s", i), hash)
		if _, err := s.Apply(ctx, sede, []pinsede.Event{ev}, storetest.T0); err != nil {
			return err
		}
	}
	return nil
}
