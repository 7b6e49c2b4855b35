package storetest

import (
	"fmt"
	"testing"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that AuditHeads pages hold while the sede's desks push: a
// reader pages through the heads, a few at a time, while several desks
// push heads on their chains and new desks start theirs, each round of
// a page and a push by each desk released together. Every head kept
// before the paging began is read once, no head is read twice, each
// page's cursor is past the one before and each head past the one before
// it (by chain and seq), and every head read is one the store keeps.
func testAuditHeadsWhilePushing(t *testing.T, s central.Store) {
	const (
		desks  = 4  // desks pushing during the paging
		before = 6  // heads of each desk's chain before it
		rounds = 12 // rounds of pushes, a page read in each
		limit  = 3  // heads a page
	)
	// The chain of desk d+1 (01, 02...: one chain a desk).
	chain := func(d int) func(seq uint64) wire.AuditHead {
		return func(seq uint64) wire.AuditHead {
			return onDesk(Head(fmt.Sprint("desk", d), "", 0, seq), fmt.Sprintf("%02d", d+1))
		}
	}
	want := map[string]bool{} // the heads kept before the paging, by cursor
	for d := range desks {
		for seq := range uint64(before) {
			h := chain(d)(seq + 1)
			putHead(t, s, "ROMA01", h, T0, "")
			want[wire.HeadCursorOf(h).String()] = true
		}
	}
	var (
		read  []wire.AuditHead
		after wire.HeadCursor
		more  = true
		errs  = make([]error, desks+1)
	)
	page := func() error {
		p, m, err := s.AuditHeads(ctx, "ROMA01", after, limit)
		if err != nil {
			return err
		}
		if len(p) > limit || (m && len(p) == 0) {
			return fmt.Errorf("a page of %d heads (limit %d), more %v", len(p), limit, m)
		}
		for _, k := range p {
			read = append(read, k.AuditHead)
			next := wire.HeadCursorOf(k.AuditHead)
			if !after.Before(next) {
				return fmt.Errorf("head %s read after %s: the cursor went back", next, after)
			}
			after = next
		}
		more = m
		return nil
	}
	for r := range rounds {
		Together(desks+1, func(i int) {
			switch {
			case i == desks && more:
				errs[i] = page()
			case i < desks && i%2 == 0: // a chain that grows
				_, errs[i] = s.Push(ctx, "ROMA01", chain(i)(before+uint64(r)+1), nil, T0)
			case i < desks: // a new desk's chain, anywhere among the others
				_, errs[i] = s.Push(ctx, "ROMA01", chain(desks+2*r+i/2)(1), nil, T0)
			}
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, %d: %v", r, i, err)
			}
		}
	}
	for more {
		if err := page(); err != nil {
			t.Fatal(err)
		}
	}
	kept, err := AllHeads(ctx, s, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	keeps := map[string]wire.AuditHead{}
	for _, k := range kept {
		keeps[wire.HeadCursorOf(k.AuditHead).String()] = k.AuditHead
	}
	seen := map[string]bool{}
	for _, h := range read {
		c := wire.HeadCursorOf(h).String()
		if seen[c] {
			t.Errorf("head %s read twice", c)
		}
		seen[c] = true
		if k, ok := keeps[c]; !ok || k.Desk != h.Desk || string(k.Hash) != string(h.Hash) {
			t.Errorf("head %s read as %+v, kept as %+v (%v)", c, h, k, ok)
		}
	}
	for c := range want {
		if !seen[c] {
			t.Errorf("head %s, kept before the paging, not read", c)
		}
	}
	if len(kept) != desks*before+rounds*desks {
		t.Errorf("%d heads kept, want %d", len(kept), desks*before+rounds*desks)
	}
	t.Logf("%d heads read in pages of %d of %d kept at the end", len(read), limit, len(kept))
}
