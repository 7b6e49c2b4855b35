package local_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// auditStore returns a store whose audit chain has n entries.
func auditStore(t *testing.T, n int) *local.Store {
	t.Helper()
	s := newStore(t)
	update(t, s, func(tx pinsede.Tx) error {
		for i := range n {
			_, err := tx.AppendAudit(pinsede.AuditEntry{
				Time: t0, Sede: "ROMA01", Actor: "mbianchi", Action: pinsede.ActionCitizenViewed,
				Subject: citizen(i%3, "", "").CF(), Detail: fmt.Sprintf("entry %d", i+1),
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return s
}

// Ensure that AppendAudit numbers the entries from 1 and links each to the
// one before, and that VerifyAudit finds the chain whole.
func TestAppendAudit(t *testing.T) {
	s := newStore(t)
	var got []pinsede.AuditEntry
	update(t, s, func(tx pinsede.Tx) error {
		for range 3 {
			e, err := tx.AppendAudit(pinsede.AuditEntry{Time: t0, Action: pinsede.ActionLogin, Actor: "mbianchi", Hash: []byte("ignored"), Seq: 42})
			if err != nil {
				return err
			}
			got = append(got, e)
		}
		return nil
	})
	for i, e := range got {
		if e.Seq != uint64(i+1) {
			t.Errorf("entry %d: Seq %d", i, e.Seq)
		}
		if i == 0 && len(e.Prev) != 0 {
			t.Errorf("first entry: Prev %x, want none", e.Prev)
		}
		if i > 0 && !bytes.Equal(e.Prev, got[i-1].Hash) {
			t.Errorf("entry %d: Prev %x, want the hash of entry %d %x", e.Seq, e.Prev, i, got[i-1].Hash)
		}
		if !bytes.Equal(e.Hash, e.ChainHash()) {
			t.Errorf("entry %d: Hash is not ChainHash", e.Seq)
		}
	}
	var exported []pinsede.AuditEntry
	if err := s.AuditEntries(2, func(e pinsede.AuditEntry) error { exported = append(exported, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(exported, got[1:]) {
		t.Errorf("AuditEntries(2) = %+v\nwant %+v", exported, got[1:])
	}
	if r := verifyChain(t, s); r.Entries != 3 {
		t.Errorf("VerifyAudit counted %d entries, want 3", r.Entries)
	}
}

// Ensure that VerifyAudit of an empty chain finds nothing wrong.
func TestVerifyAuditEmpty(t *testing.T) {
	if r := verifyChain(t, newStore(t)); r.Entries != 0 {
		t.Errorf("VerifyAudit counted %d entries, want 0", r.Entries)
	}
}

// Ensure that VerifyAudit reports each kind of damage at the position where
// it was done, and nothing else.
func TestVerifyAuditFindsDamage(t *testing.T) {
	type found struct {
		Seq  uint64
		Kind string
	}
	for _, tc := range []struct {
		name   string
		damage func(s *local.Store) error
		want   []found
	}{
		{"entry changed, sealed again with the key", func(s *local.Store) error {
			return s.ResealAudit(4, func(e *pinsede.AuditEntry) { e.Actor = "intruso" })
		}, []found{{4, local.ProblemModified}}},
		{"entry changed and its hash recomputed", func(s *local.Store) error {
			return s.ResealAudit(5, func(e *pinsede.AuditEntry) { e.Detail = "altro"; e.Hash = e.ChainHash() })
		}, []found{{5, local.ProblemModified}}},
		{"last entry changed and its hash recomputed", func(s *local.Store) error {
			return s.ResealAudit(10, func(e *pinsede.AuditEntry) { e.Detail = "altro"; e.Hash = e.ChainHash() })
		}, []found{{10, local.ProblemModified}}},
		{"sealed bytes altered", func(s *local.Store) error { return s.FlipAudit(7) },
			[]found{{7, local.ProblemModified}}},
		{"entry deleted", func(s *local.Store) error { return s.DeleteAudit(4) },
			[]found{{4, local.ProblemMissing}}},
		{"two entries deleted", func(s *local.Store) error {
			if err := s.DeleteAudit(4); err != nil {
				return err
			}
			return s.DeleteAudit(5)
		}, []found{{4, local.ProblemMissing}}},
		{"first entry deleted", func(s *local.Store) error { return s.DeleteAudit(1) },
			[]found{{1, local.ProblemMissing}}},
		{"last entry deleted", func(s *local.Store) error { return s.DeleteAudit(10) },
			[]found{{10, local.ProblemMissing}}},
		{"two entries swapped, sealed again", func(s *local.Store) error { return s.SwapAudit(3, 6, true) },
			[]found{{3, local.ProblemReordered}, {6, local.ProblemReordered}}},
		{"neighbours swapped, sealed again", func(s *local.Store) error { return s.SwapAudit(4, 5, true) },
			[]found{{4, local.ProblemReordered}, {5, local.ProblemReordered}}},
		{"two entries swapped as they are", func(s *local.Store) error { return s.SwapAudit(2, 9, false) },
			[]found{{2, local.ProblemReordered}, {9, local.ProblemReordered}}},
		{"end of the chain forgotten", func(s *local.Store) error { return s.DeleteAuditHead() },
			[]found{{1, local.ProblemModified}}},
		{"entry replaced by garbage, sealed with the key", func(s *local.Store) error { return s.SealAudit(5, []byte("not an entry")) },
			[]found{{5, local.ProblemUnreadable}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := auditStore(t, 10)
			if err := tc.damage(s); err != nil {
				t.Fatal(err)
			}
			r, err := s.VerifyAudit()
			if err != nil {
				t.Fatal(err)
			}
			var got []found
			for _, p := range r.Problems {
				got = append(got, found{p.Seq, p.Kind})
				t.Logf("entry %d %s: %s", p.Seq, p.Kind, p.Detail)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems %v, want %v", got, tc.want)
			}
		})
	}
}

// Ensure that AuditFor returns a citizen's entries only, oldest first.
func TestAuditFor(t *testing.T) {
	s := auditStore(t, 10) // entries 1, 4, 7, 10 are about citizen 0
	view(t, s, func(tx pinsede.Tx) error {
		es, err := tx.AuditFor(citizen(0, "", "").CF())
		var seqs []uint64
		for _, e := range es {
			seqs = append(seqs, e.Seq)
		}
		if want := []uint64{1, 4, 7, 10}; !reflect.DeepEqual(seqs, want) {
			t.Errorf("AuditFor = entries %v, want %v", seqs, want)
		}
		return err
	})
}

// Ensure that VerifyAudit and AuditEntries, which read a long chain in
// batches, miss nothing at the joins.
func TestVerifyAuditLongChain(t *testing.T) {
	s := auditStore(t, 9000)
	if err := s.DeleteAudit(4097); err != nil {
		t.Fatal(err)
	}
	if err := s.ResealAudit(8193, func(e *pinsede.AuditEntry) { e.Detail = "altro" }); err != nil {
		t.Fatal(err)
	}
	r, err := s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Problems {
		got = append(got, fmt.Sprintf("%d %s", p.Seq, p.Kind))
	}
	if want := []string{"4097 missing", "8193 modified"}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	if r.Entries != 8999 {
		t.Errorf("VerifyAudit counted %d entries, want 8999", r.Entries)
	}
	n, last := 0, uint64(0)
	err = s.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Seq <= last {
			t.Fatalf("entry %d after entry %d", e.Seq, last)
		}
		n, last = n+1, e.Seq
		return nil
	})
	if err != nil || n != 8999 || last != 9000 {
		t.Errorf("AuditEntries: %d entries up to %d, %v; want 8999 up to 9000", n, last, err)
	}
}

// Ensure that AppendAudit refuses to write over entries when the recorded
// end of the chain is behind them.
func TestAppendAuditNeverOverwrites(t *testing.T) {
	s := auditStore(t, 3)
	if err := s.DeleteAuditHead(); err != nil {
		t.Fatal(err)
	}
	err := s.Update(func(tx pinsede.Tx) error {
		_, err := tx.AppendAudit(pinsede.AuditEntry{Time: t0, Action: pinsede.ActionLogin, Actor: "mbianchi"})
		return err
	})
	if !errors.Is(err, local.ErrCorrupt) {
		t.Fatalf("AppendAudit with the end of the chain gone: %v, want ErrCorrupt", err)
	}
}
