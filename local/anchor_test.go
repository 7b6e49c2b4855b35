package local_test

import (
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/wire"
)

// headAt returns the audit head s had when its chain ended at entry seq.
func headAt(t *testing.T, s *local.Store, seq uint64) wire.KeptHead {
	t.Helper()
	h := wire.KeptHead{Received: t0}
	err := s.AuditEntries(1, func(e pinsede.AuditEntry) error {
		if e.Seq == 1 {
			h.Chain = e.Hash
		}
		if e.Seq == seq {
			h.Seq, h.Hash = e.Seq, e.Hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Ensure that AuditHead is the zero head of an empty chain, and then the
// end of the chain with the hash of its first entry.
func TestAuditHead(t *testing.T) {
	if h, err := newStore(t).AuditHead(); err != nil || !reflect.DeepEqual(h, wire.AuditHead{}) {
		t.Errorf("AuditHead of an empty chain = %+v, %v; want the zero head", h, err)
	}
	s := auditStore(t, 5)
	h, err := s.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	if want := headAt(t, s, 5).AuditHead; !reflect.DeepEqual(h, want) || h.Seq != 5 {
		t.Errorf("AuditHead = %+v, want %+v", h, want)
	}
}

// checkAnchors checks heads against s's chain with an AnchorCheck, a
// page of one head at a time.
func checkAnchors(t *testing.T, s *local.Store, heads []wire.KeptHead) local.AnchorReport {
	t.Helper()
	c, err := s.NewAnchorCheck()
	if err != nil {
		t.Fatal(err)
	}
	for i := range heads {
		if err := c.Check(heads[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return c.Report()
}

// Ensure that an AnchorCheck finds a chain rewritten with the store's key,
// which VerifyAudit finds whole, below the heads centrale kept: the heads
// before the rewrite match, those after it differ, those past the end
// are beyond it, and other chains' heads are only counted.
func TestCheckAnchors(t *testing.T) {
	s := auditStore(t, 8)
	heads := []wire.KeptHead{headAt(t, s, 1), headAt(t, s, 3), headAt(t, s, 6), headAt(t, s, 8)}
	desk2 := auditStore(t, 2) // another desk of the sede: its own chain
	if err := desk2.RewriteAudit(1, func(e *pinsede.AuditEntry) { e.Actor = "rverdi" }); err != nil {
		t.Fatal(err)
	}
	heads = append(heads, headAt(t, desk2, 2))

	r := checkAnchors(t, s, heads)
	if r.Matched != 4 || r.Last != 8 || r.Others != 1 || len(r.Problems) != 0 {
		t.Errorf("whole chain: %+v, want 4 heads matched up to 8 and 1 other", r)
	}

	// The key holder rewrites entry 5 and every entry after it.
	if err := s.RewriteAudit(5, func(e *pinsede.AuditEntry) { e.Detail = "rewritten" }); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.VerifyAudit(); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("VerifyAudit after a rewrite with the key = %+v, %v; want it whole", rep, err)
	}
	r = checkAnchors(t, s, append(heads, wire.KeptHead{AuditHead: wire.AuditHead{Chain: heads[0].Chain, Seq: 12, Hash: heads[3].Hash}, Received: t0}))
	want := []local.AnchorProblem{{Seq: 6, Kind: local.AnchorDiffers}, {Seq: 8, Kind: local.AnchorDiffers}, {Seq: 12, Kind: local.AnchorBeyond}}
	if len(r.Problems) != len(want) || r.Unheld != len(want) {
		t.Fatalf("rewritten chain: %+v, want problems at %+v", r, want)
	}
	for i, p := range r.Problems {
		if p.Seq != want[i].Seq || p.Kind != want[i].Kind || p.Detail == "" {
			t.Errorf("problem %d: %+v, want %+v", i, p, want[i])
		}
	}
	if r.Matched != 2 || r.Last != 3 {
		t.Errorf("rewritten chain: %d matched up to %d, want 2 up to 3", r.Matched, r.Last)
	}

	// Centrale kept a head of the chain as rewritten, past the heads it
	// had (a desk restored from a copy pushes on): held, but past the
	// fork at 6, so the chain agrees with centrale up to 3 still. Last
	// was 7, and a reset to it left the fork in place.
	r = checkAnchors(t, s, []wire.KeptHead{heads[0], heads[1], heads[2], headAt(t, s, 7), heads[3]})
	if r.Matched != 3 || r.Last != 3 || r.Unheld != 2 {
		t.Errorf("rewritten chain with a head of it kept: %d matched up to %d, %d unheld; want 3 up to 3, 2 unheld", r.Matched, r.Last, r.Unheld)
	}
}

// Ensure that an AnchorCheck's report lists at most MaxAnchorProblems
// problems, the first, and counts them all: a centrale that kept heads
// far past the chain's end does not grow it.
func TestAnchorCheckBounded(t *testing.T) {
	s := auditStore(t, 2)
	chain := headAt(t, s, 1).Chain
	c, err := s.NewAnchorCheck()
	if err != nil {
		t.Fatal(err)
	}
	const n = 3 * local.MaxAnchorProblems
	for page := range uint64(3) {
		var heads []wire.KeptHead
		for i := range uint64(local.MaxAnchorProblems) {
			heads = append(heads, wire.KeptHead{AuditHead: wire.AuditHead{Chain: chain, Seq: 3 + page*local.MaxAnchorProblems + i, Hash: make([]byte, 32)}, Received: t0})
		}
		if err := c.Check(heads); err != nil {
			t.Fatal(err)
		}
	}
	r := c.Report()
	if r.Unheld != n || len(r.Problems) != local.MaxAnchorProblems || r.Problems[0].Seq != 3 || r.Problems[len(r.Problems)-1].Seq != 2+local.MaxAnchorProblems {
		t.Errorf("%d heads past the end: %d unheld, %d problems from %d; want %d, the first %d", n, r.Unheld, len(r.Problems), r.Problems[0].Seq, n, local.MaxAnchorProblems)
	}
}
