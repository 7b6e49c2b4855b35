package central_test

import (
	"bytes"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// FuzzJudgeEntries judges batches of a chain against any tip, heads and
// stored entries: it never panics; a batch that does not follow the tip
// is a conflict; one whose entries differ from a head or an entry kept
// within it is a fork; and one accepted stores only entries after the
// tip, of the desk's own acts, and moves the tip forward, proven no
// further than it.
func FuzzJudgeEntries(f *testing.F) {
	f.Add(uint8(0), uint8(5), uint8(0), uint8(0), uint8(0), false)
	f.Add(uint8(3), uint8(9), uint8(4), uint8(8), uint8(2), true)
	f.Add(uint8(10), uint8(12), uint8(9), uint8(12), uint8(3), false)
	chain := storetest.Chain("ROMA01", "01", 40, storetest.T0, nil)
	other := storetest.Chain("ROMA01", "01", 40, storetest.T0, func(e *pinsede.AuditEntry) { e.Detail = "altro" })
	f.Fuzz(func(t *testing.T, first, last, tip, head, stored uint8, forged bool) {
		lo, hi := int(first%40), int(last%40)
		if hi < lo {
			lo, hi = hi, lo
		}
		es := chain[lo : hi+1]
		tipSeq, headSeq, storedSeq := uint64(tip%41), uint64(head%41), uint64(stored%41)
		from := chain
		if forged {
			from = other
		}
		st := central.EntriesState{Heads: map[uint64][]byte{}, Stored: map[uint64][]byte{}}
		st.Admitted, st.ChainDesk, st.Chains = true, "01", 1
		if tipSeq > 0 {
			st.Tip = central.EntriesTip{Seq: tipSeq, Hash: chain[tipSeq-1].Hash, Proven: tipSeq / 2}
		}
		if headSeq > 0 {
			st.Heads[headSeq] = from[headSeq-1].Hash
			st.Highest.Seq = headSeq
			if headSeq == es[len(es)-1].Seq { // what a store reads: the head at the batch's end
				st.AtSeq = st.Heads[headSeq]
			}
		}
		if storedSeq > 0 && storedSeq <= tipSeq {
			st.Stored[storedSeq] = from[storedSeq-1].Hash
		}
		v := central.JudgeEntries(st, "01", chain[0].Hash, es)
		differs := func(seq uint64, m map[uint64][]byte) bool {
			h, ok := m[seq]
			return ok && es[0].Seq <= seq && seq <= es[len(es)-1].Seq && !bytes.Equal(h, chain[seq-1].Hash)
		}
		switch {
		case es[0].Seq > tipSeq+1:
			if v.Conflict == "" {
				t.Fatalf("batch %d-%d after tip %d: no conflict", es[0].Seq, es[len(es)-1].Seq, tipSeq)
			}
			return
		case differs(headSeq, st.Heads) || differs(storedSeq, st.Stored):
			if v.Fork == "" {
				t.Fatalf("batch %d-%d against a forged head %d or entry %d: no fork", es[0].Seq, es[len(es)-1].Seq, headSeq, storedSeq)
			}
			return
		}
		if v.Fork != "" || v.Conflict != "" {
			if headSeq > es[len(es)-1].Seq || forged {
				return // the head kept beyond it, of another chain: refused as JudgeHead says
			}
			t.Fatalf("batch %d-%d, tip %d, head %d: refused: %q %q", es[0].Seq, es[len(es)-1].Seq, tipSeq, headSeq, v.Fork, v.Conflict)
		}
		for _, e := range v.Store {
			if e.Seq <= tipSeq || !e.OfDesk("01") {
				t.Fatalf("stored entry %d (desk %q) with tip %d", e.Seq, e.Desk, tipSeq)
			}
		}
		if v.Tip.Seq < tipSeq || v.Tip.Proven > v.Tip.Seq || v.Tip.Seq != max(tipSeq, es[len(es)-1].Seq) {
			t.Fatalf("tip %d, batch %d-%d: tip after %+v", tipSeq, es[0].Seq, es[len(es)-1].Seq, v.Tip)
		}
	})
}
