package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Head returns the audit head at seq of a test chain: a desk's log named
// chain, whose entries from seq from on were rewritten in branch (branch
// "" for none). Its Chain is the Hash of its entry 1.
func Head(chain, branch string, from, seq uint64) wire.AuditHead {
	hash := func(seq uint64) []byte {
		name := chain
		if branch != "" && seq >= from {
			name += "/" + branch
		}
		h := sha256.Sum256(fmt.Appendf(nil, "%s#%d", name, seq))
		return h[:]
	}
	return wire.AuditHead{Chain: hash(1), Seq: seq, Hash: hash(seq)}
}

// putHead pushes h for sede, and fails the test unless the store keeps
// it, or refuses it for want (a reason's start).
func putHead(t *testing.T, s central.Store, sede string, h wire.AuditHead, at time.Time, want string) {
	t.Helper()
	err := s.PutAuditHead(ctx, sede, h, at)
	var fe *central.ForkError
	switch {
	case want == "" && err != nil:
		t.Fatalf("head %d of %s: %v, want it kept", h.Seq, sede, err)
	case want == "":
	case !errors.As(err, &fe) || !errors.Is(err, central.ErrAuditFork):
		t.Fatalf("head %d of %s: %v, want a *ForkError (%s)", h.Seq, sede, err, want)
	case !strings.HasPrefix(fe.Fork.Reason, want):
		t.Fatalf("head %d of %s refused for %q, want %q", h.Seq, sede, fe.Fork.Reason, want)
	case fe.Fork.Sede != sede || !reflect.DeepEqual(fe.Fork.Head, h) || fe.Fork.ID == 0:
		t.Fatalf("head %d of %s refused as %+v", h.Seq, sede, fe.Fork)
	}
}

// AllHeads returns every head s keeps for sede, reading them a page of
// central.MaxAuditHeads at a time as GET /v1/audit/heads does; a page
// with more after it and no head to page on from is an error.
func AllHeads(ctx context.Context, s central.AuditStore, sede string) ([]wire.KeptHead, error) {
	var out []wire.KeptHead
	var after wire.HeadCursor
	for {
		page, more, err := s.AuditHeads(ctx, sede, after, central.MaxAuditHeads)
		switch {
		case err != nil:
			return nil, err
		case !more:
			return append(out, page...), nil
		case len(page) == 0:
			return nil, fmt.Errorf("audit heads of %s after %s: more and no head", sede, after)
		}
		out, after = append(out, page...), wire.HeadCursorOf(page[len(page)-1].AuditHead)
	}
}

// Heads returns the seqs of the audit heads s keeps for sede, failing
// the test unless each is a head of the test chain given (Head).
func Heads(t *testing.T, s central.Store, sede string, chain func(seq uint64) wire.AuditHead) []uint64 {
	t.Helper()
	kept, err := AllHeads(ctx, s, sede)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, k := range kept {
		if want := chain(k.Seq); !reflect.DeepEqual(k.AuditHead, want) {
			t.Errorf("kept head %d of %s is %+v, want %+v", k.Seq, sede, k.AuditHead, want)
		}
		if k.Received.IsZero() {
			t.Errorf("kept head %d of %s has no time", k.Seq, sede)
		}
		seqs = append(seqs, k.Seq)
	}
	return seqs
}

// Ensure that the heads moving forward are kept, once each, by sede; that
// a head sent again changes nothing; and that the zero head of a desk
// with no log keeps nothing.
func testAuditHeads(t *testing.T, s central.Store) {
	a := func(seq uint64) wire.AuditHead { return Head("A", "", 0, seq) }
	putHead(t, s, "ROMA01", wire.AuditHead{}, T0, "")
	for _, seq := range []uint64{1, 5, 5, 9, 20} {
		putHead(t, s, "ROMA01", a(seq), T0.Add(time.Duration(seq)*time.Minute), "")
	}
	putHead(t, s, "ROMA01", a(9), T0.Add(time.Hour), "") // a late replay of a head kept
	putHead(t, s, "MILANO01", Head("M", "", 0, 3), T0, "")
	if got, want := Heads(t, s, "ROMA01", a), []uint64{1, 5, 9, 20}; !reflect.DeepEqual(got, want) {
		t.Errorf("heads of ROMA01: %v, want %v", got, want)
	}
	if got := Heads(t, s, "NAPOLI01", a); got != nil {
		t.Errorf("heads of a sede that pushed none: %v", got)
	}
	if forks, err := s.AuditForks(ctx); err != nil || len(forks) != 0 {
		t.Errorf("AuditForks = %v, %v; want none", forks, err)
	}
}

// Ensure that a head that forks or goes backwards, a second chain of the
// sede and an empty log after a chain are refused, recorded as open
// forks (once per head, counted) and keep nothing; another sede is not
// concerned.
func testAuditFork(t *testing.T, s central.Store) {
	a := func(seq uint64) wire.AuditHead { return Head("A", "", 0, seq) }
	for _, seq := range []uint64{1, 10, 20} {
		putHead(t, s, "ROMA01", a(seq), T0, "")
	}
	forked := Head("A", "rewritten", 15, 20) // entries 15 on rewritten, the same length
	putHead(t, s, "ROMA01", forked, T0.Add(time.Minute), central.ReasonAuditFork)
	putHead(t, s, "ROMA01", forked, T0.Add(2*time.Minute), central.ReasonAuditFork) // the desk retries
	putHead(t, s, "ROMA01", Head("A", "rewritten", 15, 16), T0, central.ReasonAuditBackwards)
	putHead(t, s, "ROMA01", Head("A", "rewritten", 5, 10), T0, central.ReasonAuditFork)
	putHead(t, s, "ROMA01", Head("B", "", 0, 30), T0, central.ReasonAuditNewChain) // rewritten from entry 1
	putHead(t, s, "ROMA01", wire.AuditHead{}, T0, central.ReasonAuditEmpty)
	putHead(t, s, "MILANO01", Head("B", "", 0, 30), T0, "") // the same chain at another sede is its own

	if got, want := Heads(t, s, "ROMA01", a), []uint64{1, 10, 20}; !reflect.DeepEqual(got, want) {
		t.Errorf("heads of ROMA01 after the forks: %v, want %v", got, want)
	}
	forks, err := s.AuditForks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(forks) != 5 {
		t.Fatalf("%d open forks, want 5: %+v", len(forks), forks)
	}
	first := forks[0]
	if first.Sede != "ROMA01" || !reflect.DeepEqual(first.Head, forked) || first.Count != 2 ||
		!first.First.Equal(T0.Add(time.Minute)) || !first.Last.Equal(T0.Add(2*time.Minute)) || first.ResolvedBy != 0 {
		t.Errorf("first fork: %+v, want the forked head pushed twice", first)
	}
	for i, want := range []string{central.ReasonAuditFork, central.ReasonAuditBackwards, central.ReasonAuditFork,
		central.ReasonAuditNewChain, central.ReasonAuditEmpty} {
		if f := forks[i]; !strings.HasPrefix(f.Reason, want) || i > 0 && f.ID <= forks[i-1].ID {
			t.Errorf("fork %d: %+v, want %q, oldest first", i, f, want)
		}
	}
}

// testAuditForkBound: a desk has at most central.MaxOpenForks open
// forks, however many heads it has refused: one more is counted on its
// newest, a retry of an older one on that one, and another desk of the
// sede has its own. A desk that made up a new chain at each push grew
// the forks without end (4,000 in a test run; the bbolt store then took
// 90 ms in its write transaction for each head it refused, looking
// through them all).
func testAuditForkBound(t *testing.T, s central.Store) {
	for _, seq := range []uint64{1, 10} {
		putHead(t, s, "ROMA01", Head("A", "", 0, seq), T0, "")
	}
	refuse := func(desk string, i int) *central.ForkError {
		t.Helper()
		h := Head("A", fmt.Sprint("rewritten", i), 5, 10) // the same length, another history
		h.Desk = desk
		var fe *central.ForkError
		if err := s.PutAuditHead(ctx, "ROMA01", h, T0.Add(time.Duration(i)*time.Second)); !errors.As(err, &fe) {
			t.Fatalf("head %d of desk %q: %v, want it refused", i, desk, err)
		}
		return fe
	}
	var newest uint64
	for i := range central.MaxOpenForks {
		newest = refuse("", i).Fork.ID
	}
	const past = 5
	for i := central.MaxOpenForks; i < central.MaxOpenForks+past; i++ {
		if fe := refuse("", i); fe.Fork.ID != newest || fe.Fork.Count != i-central.MaxOpenForks+2 {
			t.Errorf("head %d past the bound: counted on fork %d (count %d), want the newest, %d", i, fe.Fork.ID, fe.Fork.Count, newest)
		}
	}
	if fe := refuse("", 0); fe.Fork.ID == newest || fe.Fork.Count != 2 {
		t.Errorf("a retry of the first head refused: fork %d count %d, want its own fork counted twice", fe.Fork.ID, fe.Fork.Count)
	}
	forks, err := s.AuditForks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(forks) != central.MaxOpenForks {
		t.Fatalf("%d open forks after %d heads refused, want %d", len(forks), central.MaxOpenForks+past, central.MaxOpenForks)
	}
	if last := forks[len(forks)-1]; last.ID != newest || last.Count != past+1 || !last.Last.Equal(T0.Add(time.Duration(central.MaxOpenForks+past-1)*time.Second)) {
		t.Errorf("the newest fork: %+v, want the %d heads past the bound counted on it", last, past)
	}
	// Another desk of the sede has room of its own.
	putHead(t, s, "ROMA01", wire.AuditHead{Desk: "02"}, T0, "")
	other := Head("B", "", 0, 3)
	other.Desk = "02"
	putHead(t, s, "ROMA01", other, T0, "")
	if fe := refuse("02", 0); fe.Fork.ID == newest || fe.Fork.Count != 1 {
		t.Errorf("a head refused of another desk: %+v, want a fork of its own", fe.Fork)
	}
}

// Ensure that a reset discards the heads after the point it names, keeps
// those before binding, resolves the sede's open forks and admits its
// chain: a desk restored from a copy pushes again from the copy's end,
// and a second desk's chain is admitted.
func testAuditReset(t *testing.T, s central.Store) {
	a := func(seq uint64) wire.AuditHead { return Head("A", "", 0, seq) }
	restored := func(seq uint64) wire.AuditHead { return Head("A", "restored", 11, seq) } // the copy ended at 10
	for _, seq := range []uint64{1, 5, 10, 15, 20} {
		putHead(t, s, "ROMA01", a(seq), T0, "")
	}
	putHead(t, s, "ROMA01", a(3), T0, central.ReasonAuditBackwards)
	putHead(t, s, "ROMA01", restored(12), T0, central.ReasonAuditBackwards)
	putHead(t, s, "MILANO01", Head("M", "", 0, 4), T0, "")
	putHead(t, s, "MILANO01", Head("M", "", 0, 2), T0, central.ReasonAuditBackwards)

	r, err := s.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: a(1).Chain, To: 10, By: "centrale:rossi",
		Reason: "ripristino da copia", At: T0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.Discarded != 2 || r.Resolved != 2 {
		t.Errorf("reset: %+v, want an id, 2 heads discarded (15, 20), 2 forks resolved", r)
	}
	if got, want := Heads(t, s, "ROMA01", a), []uint64{1, 5, 10}; !reflect.DeepEqual(got, want) {
		t.Errorf("heads after the reset: %v, want %v", got, want)
	}
	putHead(t, s, "ROMA01", restored(9), T0, central.ReasonAuditBackwards) // before the reset's point: still bound
	putHead(t, s, "ROMA01", Head("A", "other", 5, 10), T0, central.ReasonAuditFork)
	putHead(t, s, "ROMA01", restored(12), T0.Add(2*time.Hour), "")
	putHead(t, s, "ROMA01", restored(15), T0.Add(2*time.Hour), "")
	if got, want := Heads(t, s, "ROMA01", restored), []uint64{1, 5, 10, 12, 15}; !reflect.DeepEqual(got, want) {
		t.Errorf("heads of the restored desk: %v, want %v", got, want)
	}

	// A second desk of the sede: refused until admitted.
	b := func(seq uint64) wire.AuditHead { return Head("B", "", 0, seq) }
	putHead(t, s, "ROMA01", b(7), T0, central.ReasonAuditNewChain)
	if _, err := s.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: b(1).Chain, By: "centrale:rossi",
		Reason: "secondo sportello", At: T0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	putHead(t, s, "ROMA01", b(7), T0, "")
	putHead(t, s, "ROMA01", restored(16), T0, "") // both chains go on

	forks, err := s.AuditForks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(forks) != 1 || forks[0].Sede != "MILANO01" {
		t.Errorf("open forks after the resets: %+v, want MILANO01's only", forks)
	}
}

// Ensure that heads of one sede pushed at once are judged one after the
// other: of 8 different heads at one seq, and 8 more that go backwards
// from it, one is kept and the others are forks or go backwards.
func testAuditConcurrent(t *testing.T, s central.Store) {
	putHead(t, s, "ROMA01", Head("A", "", 0, 1), T0, "")
	const n = 8
	errs := make([]error, 2*n)
	Together(2*n, func(i int) {
		var h wire.AuditHead
		if i < n {
			h = Head("A", fmt.Sprint("branch", i), 2, 50) // 8 desks claiming entry 50
		} else {
			h = Head("A", fmt.Sprint("branch", i-n), 2, 40)
		}
		errs[i] = s.PutAuditHead(ctx, "ROMA01", h, T0)
	})
	kept := 0
	for i, err := range errs {
		switch {
		case err == nil:
			kept++
		case !errors.Is(err, central.ErrAuditFork):
			t.Errorf("head %d: %v", i, err)
		}
	}
	got, err := AllHeads(ctx, s, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	// One head at seq 50 and, when a head at 40 came before, one at 40.
	if kept < 1 || kept > 2 || len(got) != 1+kept || got[len(got)-1].Seq != 50 {
		t.Errorf("%d heads kept of %d pushed at once: %+v", kept, 2*n, got)
	}
	seen := map[uint64]bool{}
	for _, k := range got {
		if seen[k.Seq] {
			t.Errorf("two heads kept at seq %d", k.Seq)
		}
		seen[k.Seq] = true
	}
}

// Ensure that Push keeps a push's audit head and applies its events;
// that a push whose head is refused applies none of its events and
// records the fork; and that a push whose head is kept and whose events
// are replays keeps the head and answers each event duplicate.
func testPush(t *testing.T, s central.Store) {
	a := func(seq uint64) wire.AuditHead { return Head("A", "", 0, seq) }
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	first := Issued("ROMA01", CF(1), "e1", "c1", h)
	if res, err := s.Push(ctx, "ROMA01", a(1), []pinsede.Event{first}, T0); err != nil || len(res) != 1 || res[0].Verdict != wire.Accepted {
		t.Fatalf("Push of head 1 and an issue = %+v, %v; want it accepted", res, err)
	}
	forked := Head("A", "b", 2, 2)
	second := Issued("ROMA01", CF(2), "e2", "c2", h)
	if _, err := s.Push(ctx, "ROMA01", a(2), nil, T0); err != nil {
		t.Fatal(err)
	}
	res, err := s.Push(ctx, "ROMA01", forked, []pinsede.Event{second}, T0)
	var fe *central.ForkError
	if !errors.As(err, &fe) || !strings.HasPrefix(fe.Fork.Reason, central.ReasonAuditFork) || fe.Fork.ID == 0 || res != nil {
		t.Fatalf("Push of a forked head = %+v, %v; want a *ForkError (%s) with its fork's id", res, err, central.ReasonAuditFork)
	}
	if _, err := s.Event(ctx, "ROMA01", "e2"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("the event of a push whose head was refused: %v, want it not applied", err)
	}
	if forks, err := s.AuditForks(ctx); err != nil || len(forks) != 1 || forks[0].ID != fe.Fork.ID {
		t.Errorf("forks = %+v, %v; want the one Push returned", forks, err)
	}
	res, err = s.Push(ctx, "ROMA01", a(3), []pinsede.Event{first}, T0)
	if err != nil || len(res) != 1 || res[0].Verdict != wire.Duplicate {
		t.Fatalf("Push of head 3 and a replay = %+v, %v; want it duplicate", res, err)
	}
	if got := Heads(t, s, "ROMA01", a); !reflect.DeepEqual(got, []uint64{1, 2, 3}) {
		t.Errorf("heads kept = %v, want 1, 2, 3", got)
	}
}

// Ensure that AuditHeads pages: for every page size, the pages are full
// but the last, more is said of each but the last (a last page of the
// exact size says none), and together they hold every head that binds
// once, by chain and seq, without the heads a reset discarded nor those
// of another sede; and that a cursor between heads, or between chains,
// starts the page at the head after it.
func testAuditHeadsPages(t *testing.T, s central.Store) {
	a := func(seq uint64) wire.AuditHead { return onDesk(Head("A", "", 0, seq), "01") }
	restored := func(seq uint64) wire.AuditHead { return onDesk(Head("A", "restored", 6, seq), "01") }
	b := func(seq uint64) wire.AuditHead { return onDesk(Head("B", "", 0, seq), "02") }
	for _, seq := range []uint64{1, 2, 3, 5, 6, 8, 9} {
		putHead(t, s, "ROMA01", a(seq), T0, "")
	}
	for seq := range uint64(4) {
		putHead(t, s, "ROMA01", b(seq+1), T0, "")
	}
	putHead(t, s, "ROMA010", Head("C", "", 0, 1), T0, "") // a sede whose code starts with ROMA01's
	if _, err := s.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: a(1).Chain, To: 5, By: "centrale:rossi",
		Reason: "ripristino da copia", At: T0.Add(time.Hour), Desk: "01"}); err != nil {
		t.Fatal(err)
	}
	putHead(t, s, "ROMA01", restored(6), T0.Add(2*time.Hour), "")
	putHead(t, s, "ROMA01", restored(7), T0.Add(2*time.Hour), "")
	all := []wire.AuditHead{a(1), a(2), a(3), a(5), restored(6), restored(7)}
	if bytes.Compare(b(1).Chain, a(1).Chain) < 0 {
		all = append([]wire.AuditHead{b(1), b(2), b(3), b(4)}, all...)
	} else {
		all = append(all, b(1), b(2), b(3), b(4))
	}
	for limit := 1; limit <= len(all)+1; limit++ {
		var got []wire.AuditHead
		var after wire.HeadCursor
		for n := 1; ; n++ {
			page, more, err := s.AuditHeads(ctx, "ROMA01", after, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range page {
				got = append(got, k.AuditHead)
			}
			if last := n == (len(all)+limit-1)/limit; more == last || len(page) != min(limit, len(all)-(n-1)*limit) {
				t.Fatalf("page %d of %d heads: %d heads, more %v; want %d heads of %d", n, limit, len(page), more, len(all), limit)
			}
			if !more {
				break
			}
			after = wire.HeadCursorOf(page[len(page)-1].AuditHead)
		}
		if !reflect.DeepEqual(got, all) {
			t.Errorf("pages of %d heads: %+v, want %+v", limit, got, all)
		}
	}
	lo := all[0].Chain
	next := func(c []byte) []byte { // the chain after c, as a number
		c = bytes.Clone(c)
		for i := len(c) - 1; i >= 0; i-- {
			if c[i]++; c[i] != 0 {
				break
			}
		}
		return c
	}
	for _, after := range []wire.HeadCursor{
		{Chain: a(1).Chain, Seq: 4},                              // between heads
		{Chain: a(1).Chain, Seq: 5},                              // at the head before the reset's
		{Chain: a(1).Chain, Seq: 8},                              // at a head discarded
		{Chain: next(lo), Seq: 1},                                // between chains
		{Chain: lo, Seq: central.MaxAuditSeq},                    // past the first chain
		wire.HeadCursorOf(all[len(all)-1]),                       // at the end
		{Chain: bytes.Repeat([]byte{0xff}, sha256.Size), Seq: 1}, // past the end
	} {
		var rest []wire.AuditHead
		for _, h := range all {
			if after.Before(wire.HeadCursorOf(h)) {
				rest = append(rest, h)
			}
		}
		page, more, err := s.AuditHeads(ctx, "ROMA01", after, 2)
		var got []wire.AuditHead
		for _, k := range page {
			got = append(got, k.AuditHead)
		}
		if want := rest[:min(2, len(rest))]; err != nil || !reflect.DeepEqual(got, want) || more != (len(rest) > 2) {
			t.Errorf("AuditHeads after %s = %+v, more %v, %v; want %+v, more %v", after, got, more, err, want, len(rest) > 2)
		}
	}
}
