package local_test

import (
	"context"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testalloc"
)

// startAllocs issues n PINs, printed, at a new desk, starts it once (the
// look for orphans of a desk of before), and returns what a start after
// that allocates.
func startAllocs(t *testing.T, n int) uint64 {
	t.Helper()
	s := newStore(t)
	d := newDesk(s, nopPrinter{})
	sess := setUp(t, d)
	for i := range n {
		if _, err := d.Issue(context.Background(), sess, person(i, "Bianchi", "Paolo"), verification(nil)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.RecoverPrints(); err != nil {
		t.Fatal(err)
	}
	return testalloc.Bytes(func() {
		if _, err := d.RecoverPrints(); err != nil {
			t.Fatal(err)
		}
	})
}

// Ensure that a desk looks for the orphans of a desk of before the slips
// were kept once a store, not at each start: a start decoded every active
// credential (13,000 at a desk of a year, 40.7 MiB and 735 ms a start);
// what a start allocates no longer grows with the credentials held.
func TestRecoverOrphansOnce(t *testing.T) {
	if testalloc.Race {
		t.Skip("allocations under -race are not the program's")
	}
	small, large := startAllocs(t, 20), startAllocs(t, 80)
	t.Logf("a start allocates %d bytes at 20 PINs held, %d at 80 (x%.2f)", small, large, float64(large)/float64(small))
	if float64(large) > 1.5*float64(small) {
		t.Errorf("a start allocates %d bytes at 20 PINs held, %d at 80: x%.2f, want it not to grow with them", small, large, float64(large)/float64(small))
	}
}

// Ensure that the look for orphans runs at the first start of a store of
// before (no mark: a copy of one restored too), and not after: a PIN left
// unprinted with no slip kept is revoked once, and the mark is kept in the
// same transaction.
func TestRecoverOrphansMarked(t *testing.T) {
	s := newStore(t)
	d := newDesk(s, nopPrinter{})
	sess := setUp(t, d)
	if _, err := d.RecoverPrints(); err != nil { // the desk's start, as it runs before anyone logs in
		t.Fatal(err)
	}
	out, err := d.Issue(context.Background(), sess, person(1, "Bianchi", "Paolo"), verification(nil))
	if err != nil {
		t.Fatal(err)
	}
	orphan := func() { // as a desk of before left it: active, no print, no slip kept
		update(t, s, func(tx pinsede.Tx) error {
			c, err := tx.Credential(out.Credential.ID)
			if err != nil {
				return err
			}
			c.PrintedAt = time.Time{}
			return tx.PutCredential(c)
		})
	}
	orphan()
	if n, err := d.RecoverPrints(); err != nil || n != 0 {
		t.Fatalf("a store of this version: %d revoked, %v; want none (it keeps its slips)", n, err)
	}
	update(t, s, func(tx pinsede.Tx) error { return tx.SetOrphansChecked(false) }) // a store of before
	if n, err := d.RecoverPrints(); err != nil || n != 1 {
		t.Fatalf("a store of before: %d revoked, %v; want the orphan", n, err)
	}
	view(t, s, func(tx pinsede.Tx) error {
		if ok, err := tx.OrphansChecked(); err != nil || !ok {
			t.Errorf("checked %v, %v after the start; want marked", ok, err)
		}
		return nil
	})
	if n, err := d.RecoverPrints(); err != nil || n != 0 {
		t.Errorf("the next start: %d revoked, %v; want none", n, err)
	}
}
