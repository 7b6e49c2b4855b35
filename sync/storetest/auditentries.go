package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
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
	got, err := s.SearchAudit(ctx, sede, f, wire.AuditCursor{}, pinsede.MaxAuditSearchResults+1, wire.MaxAuditSearchBytes)
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
	if hs, err := AllHeads(ctx, s, "ROMA01"); err != nil || len(hs) != 1 || hs[0].Seq != 8 || hs[0].Desk != "01" {
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
		{"operator and action", func(f *pinsede.AuditFilter) { f.Actor, f.Action = "op01", pinsede.ActionIssued }, []uint64{22, 18, 14, 10, 6, 2}},
		{"citizen and action", func(f *pinsede.AuditFilter) { f.Subject, f.Action = CF(6), pinsede.ActionLogin }, nil},
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
	all, err := s.SearchAudit(ctx, "ROMA01", days, wire.AuditCursor{}, 1000, wire.MaxAuditSearchBytes)
	if err != nil || len(all) != 18+3 {
		t.Fatalf("search of two desks: %d entries, %v", len(all), err)
	}
	if got, err := s.SearchAudit(ctx, "ROMA01", days, wire.AuditCursor{}, 5, wire.MaxAuditSearchBytes); err != nil || len(got) != 5 || got[0].Seq != 23 {
		t.Errorf("search of 5: %d entries, %v", len(got), err)
	}
	// At most maxBytes of entries (their JSON), and the one that passes
	// it, but two at least: the caller knows there were more.
	size := central.EntrySize(all[0]) + central.EntrySize(all[1]) + central.EntrySize(all[2])
	for _, tc := range []struct{ maxBytes, want int }{{size - 1, 3}, {size, 4}, {1, 2}} {
		if got, err := s.SearchAudit(ctx, "ROMA01", days, wire.AuditCursor{}, 1000, tc.maxBytes); err != nil || len(got) != tc.want || got[0].Seq != all[0].Seq {
			t.Errorf("search of %d bytes: %d entries, %v; want %d, the newest first", tc.maxBytes, len(got), err, tc.want)
		}
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

// pageThrough pages through the search of sede by f as centrale answers
// it: pages of pinsede.MaxAuditSearchResults, each after the cursor of
// the last entry of the page before. Before each page from the second,
// meanwhile(page) runs released together with the page's search, when
// not nil; pageThrough waits for both. It returns the entries found, in
// the order found, and the number of pages.
func pageThrough(t *testing.T, s central.Store, sede string, f pinsede.AuditFilter, meanwhile func(page int) error) ([]pinsede.AuditEntry, int) {
	t.Helper()
	var out []pinsede.AuditEntry
	var after wire.AuditCursor
	for page := 1; ; page++ {
		if page > 1000 {
			t.Fatalf("search of %s by %s: more than 1000 pages", sede, f)
		}
		var wg sync.WaitGroup
		var side error
		release := make(chan struct{})
		if meanwhile != nil && page > 1 {
			wg.Go(func() {
				<-release
				side = meanwhile(page)
			})
		}
		close(release)
		got, err := s.SearchAudit(ctx, sede, f, after, pinsede.MaxAuditSearchResults+1, wire.MaxAuditSearchBytes)
		wg.Wait()
		if err != nil || side != nil {
			t.Fatalf("page %d of the search of %s by %s: %v; meanwhile: %v", page, sede, f, err, side)
		}
		more := len(got) > pinsede.MaxAuditSearchResults
		got = got[:min(len(got), pinsede.MaxAuditSearchResults)]
		out = append(out, got...)
		if !more {
			return out, page
		}
		after = wire.CursorOf(got[len(got)-1])
	}
}

// entryKey names an entry found: its desk, seq and hash.
func entryKey(e pinsede.AuditEntry) string { return fmt.Sprintf("%s/%d/%x", e.Desk, e.Seq, e.Hash) }

// Ensure that a search paged through with its cursor finds each entry of
// a period of more than one page once, newest first, by day, action and
// citizen, desks of the same times and of other time zones included,
// while desks send new entries released together with the pages: those
// of an offline desk, older than the page being read, are found once;
// those newer than the pages read are not (a new search finds them).
func testAuditPages(t *testing.T, s central.Store) {
	rome := time.FixedZone("", 3600)
	const n = 1200 // 900 of each desk's own acts
	// Desk 02 at the same instants as 01, in Rome's offset, every act of
	// one citizen.
	one := Chain("ROMA01", "01", n, T0, nil)
	two := Chain("ROMA01", "02", n, T0, func(e *pinsede.AuditEntry) {
		e.Time = e.Time.In(rome)
		if e.Desk == "02" {
			e.Subject = CF(7)
		}
	})
	for _, c := range [][]pinsede.AuditEntry{one, two} {
		for i := 0; i < n; i += wire.MaxAuditEntries {
			putEntries(t, s, "ROMA01", c[0].Desk, c[0].Hash, c[i:min(i+wire.MaxAuditEntries, n)], nil)
		}
	}
	period := pinsede.AuditFilter{From: pinsede.DateOf(T0), To: pinsede.DateOf(T0.Add(30 * 24 * time.Hour))}
	// Desk 03 was offline: its acts from the period's second day on
	// arrive during the search, half with the second page and half with
	// the third. Desk 04's, the newest, with the second.
	late := Chain("ROMA01", "03", 400, T0.Add(24*time.Hour), nil)
	newest := Chain("ROMA01", "04", 40, one[n-1].Time, nil)
	meanwhile := func(page int) error {
		switch page {
		case 2:
			if _, err := s.PutAuditEntries(ctx, "ROMA01", "04", newest[0].Hash, newest, T0); err != nil {
				return err
			}
			_, err := s.PutAuditEntries(ctx, "ROMA01", "03", late[0].Hash, late[:200], T0)
			return err
		case 3:
			_, err := s.PutAuditEntries(ctx, "ROMA01", "03", late[0].Hash, late[200:], T0)
			return err
		}
		return nil
	}
	found, pages := pageThrough(t, s, "ROMA01", period, meanwhile)
	count := map[string]int{}
	seen := map[string]bool{}
	for i, e := range found {
		if seen[entryKey(e)] {
			t.Errorf("entry %s found twice", entryKey(e))
		}
		seen[entryKey(e)] = true
		count[e.Desk]++
		if i > 0 && central.NewestFirst(found[i-1], e) >= 0 {
			t.Errorf("entry %s after %s: want newest first", entryKey(e), entryKey(found[i-1]))
		}
	}
	if count["01"] != 900 || count["02"] != 900 || count["04"] != 0 || count["03"] == 0 || count["03"] > 300 {
		t.Errorf("%d pages found %v; want desks 01 and 02's 900 each, some of desk 03's 300, none of 04's", pages, count)
	}
	// Once sent, a new search finds them all.
	if again, _ := pageThrough(t, s, "ROMA01", period, nil); len(again) != 900+900+300+30 {
		t.Errorf("a search after the sends: %d entries, want %d", len(again), 900+900+300+30)
	}
	// By citizen and by action, over more than a page too.
	for _, tc := range []struct {
		name string
		f    func(*pinsede.AuditFilter)
		want int
	}{
		{"citizen", func(f *pinsede.AuditFilter) { f.Subject = CF(7) }, 900},
		{"action", func(f *pinsede.AuditFilter) { f.Action = pinsede.ActionIssued }, 300 + 300 + 100 + 10},
	} {
		f := period
		tc.f(&f)
		got, pages := pageThrough(t, s, "ROMA01", f, nil)
		keys := map[string]bool{}
		for _, e := range got {
			keys[entryKey(e)] = true
		}
		if len(got) != tc.want || len(keys) != tc.want || pages < 2 {
			t.Errorf("by %s: %d entries (%d different) in %d pages, want %d", tc.name, len(got), len(keys), pages, tc.want)
		}
	}
}
