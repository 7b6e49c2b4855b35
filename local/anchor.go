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
// and CheckAnchors checks the chain against them, so that a chain
// rewritten with the store's key is found out below the last head
// centrale kept.

// AuditHead returns the end of the audit chain as a push carries it: the
// Seq and Hash of the recorded end, and the Chain, the Hash of entry 1.
// It is the zero head while the chain has no entry.
func (s *Store) AuditHead() (pinsede.AuditHead, error) {
	var h pinsede.AuditHead
	err := s.db.View(func(btx *bolt.Tx) error {
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

// AnchorReport is the outcome of CheckAnchors.
type AnchorReport struct {
	// Head is the end of the store's chain (AuditHead).
	Head pinsede.AuditHead
	// Matched counts the heads of the store's chain that it holds; Last
	// is the highest Seq among them, 0 when none.
	Matched int
	Last    uint64
	// Others counts the heads of other chains: the other desks of the
	// sede, or an earlier chain of this desk.
	Others int
	// Problems lists the heads of the store's chain that it does not
	// hold, by Seq.
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

// CheckAnchors checks the heads centrale keeps for the sede (GET
// /v1/audit/heads), sorted by chain and Seq, against the store's chain:
// each head of its chain must be a point of it, the entry at the head's
// Seq having the head's Hash. Heads of other chains are counted only.
func (s *Store) CheckAnchors(heads []pinsede.KeptHead) (AnchorReport, error) {
	head, err := s.AuditHead()
	if err != nil {
		return AnchorReport{}, err
	}
	r := AnchorReport{Head: head}
	err = s.db.View(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k}
		for _, k := range heads {
			if head.Seq == 0 || !bytes.Equal(k.Chain, head.Chain) {
				r.Others++
				continue
			}
			if k.Seq > head.Seq {
				r.Problems = append(r.Problems, AnchorProblem{Seq: k.Seq, Kind: AnchorBeyond,
					Detail: fmt.Sprintf("centrale kept entry %d, received %s; the chain ends at %d", k.Seq, k.Received.Format(time.RFC3339), head.Seq)})
				continue
			}
			var e pinsede.AuditEntry
			err := t.get(bucketAudit, seqKey(k.Seq), &e)
			switch {
			case errors.Is(err, pinsede.ErrNotFound), errors.Is(err, ErrCorrupt):
				r.Problems = append(r.Problems, AnchorProblem{Seq: k.Seq, Kind: AnchorMissing,
					Detail: fmt.Sprintf("centrale kept entry %d, received %s; the store has none readable there", k.Seq, k.Received.Format(time.RFC3339))})
			case err != nil:
				return err
			case !bytes.Equal(e.Hash, k.Hash) || !bytes.Equal(e.ChainHash(), k.Hash):
				r.Problems = append(r.Problems, AnchorProblem{Seq: k.Seq, Kind: AnchorDiffers,
					Detail: fmt.Sprintf("centrale kept hash %x, received %s; the store's entry has %x", short(k.Hash), k.Received.Format(time.RFC3339), short(e.Hash))})
			default:
				r.Matched++
				r.Last = max(r.Last, k.Seq)
			}
		}
		return nil
	})
	if err != nil {
		return AnchorReport{}, fmt.Errorf("check audit anchors of %s: %w", s.path, err)
	}
	return r, nil
}

// short is the start of a hash, for reports.
func short(h []byte) []byte { return h[:min(8, len(h))] }
