package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Chain returns the entries 1 to n of a test audit chain of a desk of
// sede, linked and hashed as a desk's store does, from at on, 20 minutes
// apart: logins, and issues to CF(i); every fourth an act of desk "99"
// the chain records from a pulled event (another desk's, not its own).
// edit, when not nil, changes each entry before it is hashed.
func Chain(sede, desk string, n int, at time.Time, edit func(*pinsede.AuditEntry)) []pinsede.AuditEntry {
	var out []pinsede.AuditEntry
	var prev []byte
	for i := 1; i <= n; i++ {
		e := pinsede.AuditEntry{Seq: uint64(i), Time: at.Add(time.Duration(i) * 20 * time.Minute), Sede: sede, Desk: desk,
			Actor: "op" + desk, Action: pinsede.ActionLogin, Prev: prev}
		if i%2 == 0 {
			e.Action, e.Subject, e.Credential = pinsede.ActionIssued, CF(i), "c"+desk
		}
		if i%4 == 0 {
			e.Desk, e.At, e.Actor = "99", e.Time.Add(-time.Minute), "op99"
		}
		if edit != nil {
			edit(&e)
		}
		e.Hash = e.ChainHash()
		out, prev = append(out, e), e.Hash
	}
	return out
}

// putEntries sends es of desk of sede's chain (es[0] is entry 1 of it
// when chain is nil) and returns the answer, failing the test on an
// error unless want is the error it must wrap.
func putEntries(t *testing.T, s central.Store, sede, desk string, chain []byte, es []pinsede.AuditEntry, want error) wire.AuditEntriesResponse {
	t.Helper()
	if reason := central.CheckEntries(sede, chain, es); reason != "" {
		t.Fatalf("entries of %s/%s: %s", sede, desk, reason)
	}
	resp, err := s.PutAuditEntries(ctx, sede, desk, chain, es, T0)
	if !errors.Is(err, want) || want == nil && err != nil {
		t.Fatalf("entries %d.. of %s/%s: %v, want %v", es[0].Seq, sede, desk, err, want)
	}
	return resp
}

// search returns the seqs the audit search of sede finds, newest first,
// and fails the test unless each entry names desk.
func search(t *testing.T, s central.Store, sede string, f pinsede.AuditFilter, desk string) []uint64 {
	t.Helper()
	got, err := s.SearchAudit(ctx, sede, f, pinsede.MaxAuditSearchResults+1)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for i, e := range got {
		if e.Desk != desk || e.Sede != sede {
			t.Errorf("search of %s found %+v, want desk %q's", sede, e, desk)
		}
		if i > 0 && central.NewestFirst(got[i-1], e) > 0 {
			t.Errorf("search of %s: entry %d before %d, want newest first", sede, got[i-1].Seq, e.Seq)
		}
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// Ensure that a desk's entries are stored once, its own acts only, found
// by the search of its sede and no other, by day, operator, action and
// citizen, once proven by a head kept; that a batch that does not follow
// the entries received is refused, and one that disagrees with them or
// with the heads kept is refused and kept as a fork; and that a reset
// drops the entries after its point.
func testAuditEntries(t *testing.T, s central.Store) {
	chain := Chain("ROMA01", "01", 24, T0, nil)
	c := chain[0].Hash
	days := pinsede.AuditFilter{From: pinsede.DateOf(T0), To: pinsede.DateOf(T0.Add(24 * 20 * time.Minute))}
	if r := putEntries(t, s, "ROMA01", "01", c, nil, nil); r.Next != 1 || r.Stored != 0 {
		t.Fatalf("nothing sent yet: %+v, want next 1", r)
	}
	if r := putEntries(t, s, "ROMA01", "01", c, chain[:8], nil); r.Next != 9 || r.Stored != 6 {
		t.Fatalf("entries 1-8: %+v, want 6 stored (2 of another desk), next 9", r)
	}
	// The chain is admitted for the desk, and its batch's end kept.
	if hs, err := s.AuditHeads(ctx, "ROMA01"); err != nil || len(hs) != 1 || hs[0].Seq != 8 || hs[0].Desk != "01" {
		t.Fatalf("heads after entries 1-8: %+v, %v; want the head at 8 of desk 01", hs, err)
	}
	if got := search(t, s, "ROMA01", days, "01"); !slices.Equal(got, []uint64{7, 6, 5, 3, 2, 1}) {
		t.Errorf("search: %v, want the desk's own entries 1-8 newest first", got)
	}
	if got := search(t, s, "MILANO01", days, ""); len(got) != 0 {
		t.Errorf("another sede's search found %v", got)
	}
	// A replay stores nothing twice; one that goes on stores the rest.
	if r := putEntries(t, s, "ROMA01", "01", c, chain[2:8], nil); r.Next != 9 || r.Stored != 0 {
		t.Errorf("replay of 3-8: %+v, want nothing stored", r)
	}
	if r := putEntries(t, s, "ROMA01", "01", c, chain[5:10], nil); r.Next != 11 || r.Stored != 2 {
		t.Errorf("6-10: %+v, want 9 and 10 stored", r)
	}
	// A gap.
	if r := putEntries(t, s, "ROMA01", "01", c, chain[12:14], central.ErrAuditEntries); r.Next != 11 {
		t.Errorf("13-14 after 10: next %d, want 11", r.Next)
	}
	// Entries rewritten: a replay that differs from those received, a
	// batch that does not follow them.
	forged := Chain("ROMA01", "01", 24, T0, func(e *pinsede.AuditEntry) {
		if e.Seq >= 9 {
			e.Detail = "riscritto"
		}
	})
	for _, es := range [][]pinsede.AuditEntry{forged[8:12], forged[10:12]} {
		putEntries(t, s, "ROMA01", "01", c, es, central.ErrAuditFork)
	}
	forks, err := s.AuditForks(ctx)
	if err != nil || len(forks) != 1 || forks[0].Sede != "ROMA01" || forks[0].Head.Desk != "01" || forks[0].Head.Seq != 12 || forks[0].Count != 2 {
		t.Fatalf("forks: %+v, %v; want one, at entry 12 of desk 01, refused twice", forks, err)
	}
	// A head pushed ahead of the entries: those before it are kept but
	// found once the batch that holds it comes, and it must agree.
	putHead(t, s, "ROMA01", wire.AuditHead{Chain: c, Seq: 20, Hash: chain[19].Hash, Desk: "01"}, T0, "")
	if r := putEntries(t, s, "ROMA01", "01", c, chain[10:14], nil); r.Stored != 3 {
		t.Errorf("11-14: %+v, want 3 stored", r)
	}
	if got := search(t, s, "ROMA01", days, "01"); got[0] != 10 {
		t.Errorf("entries 11-14 found before the head at 20 proves them: %v", got)
	}
	putEntries(t, s, "ROMA01", "01", c, forged[14:20], central.ErrAuditFork)
	putEntries(t, s, "ROMA01", "01", c, chain[14:24], nil)
	if got := search(t, s, "ROMA01", days, "01"); len(got) != 18 || got[0] != 23 {
		t.Errorf("search after 1-24: %v, want the 18 own entries, 23 first", got)
	}
	// The filters.
	for _, tc := range []struct {
		name string
		f    func(*pinsede.AuditFilter)
		want []uint64
	}{
		{"citizen", func(f *pinsede.AuditFilter) { f.Subject = CF(6) }, []uint64{6}},
		{"action", func(f *pinsede.AuditFilter) { f.Action = pinsede.ActionIssued }, []uint64{22, 18, 14, 10, 6, 2}},
		{"operator", func(f *pinsede.AuditFilter) { f.Actor = "op99" }, nil},
		{"day", func(f *pinsede.AuditFilter) { f.From = pinsede.DateOf(chain[22].Time); f.To = f.From }, nil},
	} {
		f := days
		tc.f(&f)
		got := search(t, s, "ROMA01", f, "01")
		if tc.name == "day" {
			for _, seq := range got {
				if pinsede.DateOf(chain[seq-1].Time) != f.From {
					t.Errorf("search of %s found entry %d of %s", f.From, seq, pinsede.DateOf(chain[seq-1].Time))
				}
			}
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("search by %s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Another desk of the sede: both are found, each naming its own.
	other := Chain("ROMA01", "02", 3, T0.Add(time.Minute), nil)
	putEntries(t, s, "ROMA01", "02", other[0].Hash, other, nil)
	all, err := s.SearchAudit(ctx, "ROMA01", days, 1000)
	if err != nil || len(all) != 18+3 {
		t.Fatalf("search of two desks: %d entries, %v", len(all), err)
	}
	if got, err := s.SearchAudit(ctx, "ROMA01", days, 5); err != nil || len(got) != 5 || got[0].Seq != 23 {
		t.Errorf("search of 5: %d entries, %v", len(got), err)
	}
	// A reset to 10 drops the entries after it: the desk sends again
	// from the last it kept.
	r, err := s.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Desk: "01", Chain: c, To: 10, By: "rossi", Reason: "ripristino", At: T0})
	if err != nil {
		t.Fatal(err)
	}
	if r.Discarded != 2 { // 20 and 24
		t.Errorf("reset discarded %d heads, want 2", r.Discarded)
	}
	if resp := putEntries(t, s, "ROMA01", "01", c, nil, nil); resp.Next != 11 {
		t.Errorf("after the reset to 10: next %d, want 11", resp.Next)
	}
	if got := search(t, s, "ROMA01", pinsede.AuditFilter{From: days.From, To: days.To, Actor: "op01"}, "01"); len(got) == 0 || got[0] != 10 {
		t.Errorf("after the reset to 10: %v, want up to 10", got)
	}
	restored := Chain("ROMA01", "01", 13, T0, func(e *pinsede.AuditEntry) {
		if e.Seq > 10 {
			e.Detail = "dopo il ripristino"
		}
	})
	if r := putEntries(t, s, "ROMA01", "01", c, restored[10:13], nil); r.Stored != 2 || r.Next != 14 {
		t.Errorf("the chain as restored, 11-13: %+v, want 2 stored", r)
	}
}
