package local

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// The audit chain anchored at centrale: each push carries the store's
// AuditHead, centrale keeps the heads it receives (sync/central/audit.go),
// and an AnchorCheck checks the chain against them, so that a chain
// rewritten with the store's key is found out below the last head
// centrale kept.

// AuditHead returns the end of the audit chain as a push carries it: the
// Seq and Hash of the recorded end, and the Chain, the Hash of entry 1.
// It is the zero head while the chain has no entry.
func (s *Store) AuditHead() (pinsede.AuditHead, error) {
	var h pinsede.AuditHead
	err := s.view(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k}
		end, err := t.auditHead()
		if err != nil || end.Seq == 0 {
			return err
		}
		var first pinsede.AuditEntry
		if err := t.get(bucketAudit, seqKey(1), &first); err != nil {
			return fmt.Errorf("first audit entry: %w", err)
		}
		h = pinsede.AuditHead{Chain: first.Hash, Seq: end.Seq, Hash: end.Hash}
		return nil
	})
	if err != nil {
		return pinsede.AuditHead{}, fmt.Errorf("audit head of %s: %w", s.path, err)
	}
	return h, nil
}

// The kinds of AnchorProblem.
const (
	// AnchorDiffers: the entry at the head's Seq has another hash: the
	// chain was rewritten at or before it.
	AnchorDiffers = "differs"
	// AnchorMissing: there is no readable entry at the head's Seq,
	// within the chain's end.
	AnchorMissing = "missing"
	// AnchorBeyond: the head's Seq is past the chain's end: entries were
	// removed from the end, or the store was restored from an older copy.
	AnchorBeyond = "beyond"
)

// MaxAnchorProblems is the most problems an AnchorReport lists: the
// first, by chain and Seq; it counts them all.
const MaxAnchorProblems = 100

// AnchorReport is the outcome of an AnchorCheck.
type AnchorReport struct {
	// Head is the end of the store's chain (AuditHead).
	Head pinsede.AuditHead
	// Matched counts the heads of the store's chain that it holds. Last
	// is the highest Seq of them below the first head it does not hold,
	// 0 when none: the chain agrees with what centrale received up to
	// there, and centrale accepts it again from there on a reset
	// (central.AuditReset's To). A head held past one not held is of the
	// chain written anew after a restore, which centrale kept beyond
	// the heads it had: it counts in Matched, not in Last.
	Matched int
	Last    uint64
	// Others counts the heads of other chains: the other desks of the
	// sede, or an earlier chain of this desk.
	Others int
	// Unheld counts the heads of the store's chain that it does not
	// hold; Problems lists the first MaxAnchorProblems of them, by Seq.
	Unheld   int
	Problems []AnchorProblem
}

// AnchorProblem is a head centrale keeps that the store's chain does not
// hold.
type AnchorProblem struct {
	Seq uint64
	// Kind is one of AnchorDiffers, AnchorMissing and AnchorBeyond.
	Kind string
	// Detail says what was found, for the supervisor: hashes and
	// positions only.
	Detail string
}

// AnchorCheck checks the heads centrale keeps for the sede (GET
// /v1/audit/heads) against the store's chain a page at a time, as they
// come: its memory is its report's, bounded (MaxAnchorProblems), however
// many heads the sede's desks pushed over the years. Each head of the
// store's chain must be a point of it, the entry at the head's Seq
// having the head's Hash; heads of other chains are counted only.
type AnchorCheck struct {
	s *Store
	r AnchorReport
}

// NewAnchorCheck starts a check of the heads centrale keeps against the
// store's chain as it ends now.
func (s *Store) NewAnchorCheck() (*AnchorCheck, error) {
	head, err := s.AuditHead()
	if err != nil {
		return nil, err
	}
	return &AnchorCheck{s: s, r: AnchorReport{Head: head}}, nil
}

// Check checks a page of the heads, sorted by chain and Seq and after
// those of the pages before, in one read of the store. It keeps nothing
// of the page but its counts and problems.
func (c *AnchorCheck) Check(heads []pinsede.KeptHead) error {
	head, r := c.r.Head, &c.r
	problem := func(p AnchorProblem) {
		if r.Unheld++; len(r.Problems) < MaxAnchorProblems {
			r.Problems = append(r.Problems, p)
		}
	}
	err := c.s.view(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: c.s.k}
		for _, k := range heads {
			if head.Seq == 0 || !bytes.Equal(k.Chain, head.Chain) {
				r.Others++
				continue
			}
			if k.Seq > head.Seq {
				problem(AnchorProblem{Seq: k.Seq, Kind: AnchorBeyond,
					Detail: fmt.Sprintf("centrale kept entry %d, received %s; the chain ends at %d", k.Seq, k.Received.Format(time.RFC3339), head.Seq)})
				continue
			}
			var e pinsede.AuditEntry
			err := t.get(bucketAudit, seqKey(k.Seq), &e)
			switch {
			case errors.Is(err, pinsede.ErrNotFound), errors.Is(err, ErrCorrupt):
				problem(AnchorProblem{Seq: k.Seq, Kind: AnchorMissing,
					Detail: fmt.Sprintf("centrale kept entry %d, received %s; the store has none readable there", k.Seq, k.Received.Format(time.RFC3339))})
			case err != nil:
				return err
			case !bytes.Equal(e.Hash, k.Hash) || !bytes.Equal(e.ChainHash(), k.Hash):
				problem(AnchorProblem{Seq: k.Seq, Kind: AnchorDiffers,
					Detail: fmt.Sprintf("centrale kept hash %x, received %s; the store's entry has %x", short(k.Hash), k.Received.Format(time.RFC3339), short(e.Hash))})
			default:
				if r.Matched++; r.Unheld == 0 {
					r.Last = k.Seq
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check audit anchors of %s: %w", c.s.path, err)
	}
	return nil
}

// Report returns the outcome of the pages checked.
func (c *AnchorCheck) Report() AnchorReport { return c.r }

// short is the start of a hash, for reports.
func short(h []byte) []byte { return h[:min(8, len(h))] }
