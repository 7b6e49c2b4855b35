package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a push whose last batch fails at its last statement before
// COMMIT (the tally, made to fail by a trigger), or at its forms' COPY,
// keeps nothing: no event, no credential, no form, no change, no audit
// head, the credential it supersedes still active, whether its rows went
// in with INSERT (a few events) or with COPY (more than copyAbove,
// encoded while the forms go in); and that the same push, sent again once
// the trigger is gone, is accepted, not answered duplicate, each form
// kept once.
func TestApplyFailsWhole(t *testing.T) {
	for _, c := range []struct {
		n             int
		table, failed string // the table whose insert fails, and what the error says
	}{
		{5, "issued_daily", "record push of ROMA01"},
		{40, "issued_daily", "record push of ROMA01"},
		{40, "forms", "insert forms"}, // while the other rows are encoded
	} {
		n := c.n
		t.Run(fmt.Sprint(n, " events, ", c.table), func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
			old := storetest.Issued("ROMA01", storetest.CF(0), "old", "c-old", h)
			if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{old}, storetest.T0); err != nil {
				t.Fatal(err)
			}
			var push []pinsede.Event
			for i := range n { // the first supersedes old: an UPDATE and a change for ROMA01
				issued := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h)
				push = append(push, issued)
				if i%2 == 0 {
					push = append(push, storetest.FormArchived(issued, fmt.Sprint("f", i), storetest.PDF(1000+i)))
				}
			}
			_, err := s.Pool().Exec(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'P0001'; END $$;
				CREATE TRIGGER refuse BEFORE INSERT ON `+c.table+` FOR EACH ROW EXECUTE FUNCTION refuse()`)
			if err != nil {
				t.Fatal(err)
			}
			head := storetest.Head("A", "", 0, 1)
			_, err = s.Push(ctx, "ROMA01", head, push, storetest.T0)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "P0001" || !strings.Contains(err.Error(), c.failed) {
				t.Fatalf("Apply with the insert into %s refused: %v; want the trigger's error, saying what failed (%s)", c.table, err, c.failed)
			}
			var events, creds, forms, changes, heads int
			var status string
			err = s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM credentials), (SELECT count(*) FROM forms),
				(SELECT count(*) FROM changes), (SELECT count(*) FROM audit_heads), (SELECT status FROM credentials WHERE id = 'c-old')`).
				Scan(&events, &creds, &forms, &changes, &heads, &status)
			if err != nil {
				t.Fatal(err)
			}
			if events != 1 || creds != 1 || forms != 0 || changes != 1 || heads != 0 || status != "active" {
				t.Errorf("after the failed push: %d events, %d credentials, %d forms, %d changes, %d audit heads, c-old %s; want old's 1, 1, no form, 1, no head, still active",
					events, creds, forms, changes, heads, status)
			}
			if _, err := s.Pool().Exec(ctx, `DROP TRIGGER refuse ON `+c.table); err != nil {
				t.Fatal(err)
			}
			res, err := s.Push(ctx, "ROMA01", head, push, storetest.T0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Verdict != wire.Accepted {
					t.Fatalf("push sent again: %s %s %s; want every event accepted", r.ID, r.Verdict, r.Reason)
				}
			}
			if r, err := s.Current(ctx, storetest.CF(0), central.SlotOf(pinsede.Dispositivo)); err != nil || r.Credential.ID != "c0" {
				t.Errorf("CF(0)'s credential = %s, %v; want c0, which superseded c-old", r.Credential.ID, err)
			}
			var kept, right int
			err = s.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE length(pdf) = 1000 + substr(credential_id, 2)::int) FROM forms`).Scan(&kept, &right)
			if want := (n + 1) / 2; err != nil || kept != want || right != want {
				t.Errorf("forms kept after the push sent again: %d, %d of the right size, %v; want %d", kept, right, err, want)
			}
		})
	}
}

// Ensure that a sede pulling with a cursor while pushes commit misses no
// change of its own: ROMA01 issues, and four other sedi supersede its
// credentials (changes for ROMA01 from other sedi's pushes), all at once,
// while ROMA01 pulls after the last change it saw, over and over; at the
// end every change of ROMA01 was in one of its pulls. A desk of before
// the sede's events pulls meanwhile, in pages of 7, after the cursor the
// store gives it (past the sede's events, which it leaves out): it saw
// every supersession.
func TestChangesNotSkipped(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	const others, pushes = 4, 40
	var first []pinsede.Event
	for i := range others * pushes {
		first = append(first, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("r", i), fmt.Sprint("r", i), h))
	}
	if _, err := s.Apply(ctx, "ROMA01", first, storetest.T0); err != nil {
		t.Fatal(err)
	}
	var pushed atomic.Int32
	var seen []uint64
	var filtered []uint64
	errs := make([]error, others+3)
	storetest.Together(others+3, func(g int) {
		switch {
		case g < others: // supersedes ROMA01's credentials
			defer pushed.Add(1)
			errs[g] = supersede(ctx, s, g, pushes, h)
		case g == others: // ROMA01's own issues
			defer pushed.Add(1)
			for k := range pushes {
				i := others*pushes + k
				ev := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("r", i), fmt.Sprint("r", i), h)
				if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{ev}, storetest.T0); err != nil {
					errs[g] = err
					return
				}
			}
		case g == others+2: // a desk of before the sede's events pulls, in small pages
			after := uint64(0)
			for done := false; !done; {
				done = pushed.Load() == others+1
				for more := true; more; {
					ch, next, latest, err := s.Changes(ctx, "ROMA01", after, 7, &central.ChangeFilter{})
					if err != nil {
						errs[g] = err
						return
					}
					for _, c := range ch {
						filtered = append(filtered, c.Seq)
					}
					after, more = next, next < latest
				}
			}
		default: // ROMA01 pulls, and once more after the last push
			after := uint64(0)
			for done := false; !done; {
				done = pushed.Load() == others+1
				ch, _, _, err := s.Changes(ctx, "ROMA01", after, wire.MaxChanges, nil)
				if err != nil {
					errs[g] = err
					return
				}
				for _, c := range ch {
					seen = append(seen, c.Seq)
					after = c.Seq
				}
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, _, _, err := s.Changes(ctx, "ROMA01", 0, 10*others*pushes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*others*pushes + pushes; len(all) != want { // ROMA01's issues, each its sede.event, and the supersessions
		t.Fatalf("ROMA01 has %d changes, want %d", len(all), want)
	}
	var missed []uint64
	for _, c := range all {
		if !slices.Contains(seen, c.Seq) {
			missed = append(missed, c.Seq)
		}
	}
	if len(missed) > 0 {
		t.Errorf("the pulls with a cursor missed %d of %d changes: %v", len(missed), len(all), missed)
	}
	var want []uint64
	for _, c := range all {
		if c.Kind != wire.ChangeSedeEvent {
			want = append(want, c.Seq)
		}
	}
	if !slices.Equal(filtered, want) {
		t.Errorf("the desk of before the sede's events pulled %d changes, want the %d supersessions once each", len(filtered), len(want))
	}
}
