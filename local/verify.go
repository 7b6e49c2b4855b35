package local

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// The kinds of AuditProblem.
const (
	// ProblemModified: the entry was altered (its sealed value does not
	// open, or its content no longer matches its hash), or replaced.
	ProblemModified = "modified"
	// ProblemMissing: the entry was removed.
	ProblemMissing = "missing"
	// ProblemReordered: the entry was moved to another position.
	ProblemReordered = "reordered"
	// ProblemUnreadable: the entry opens but cannot be decoded, or its key
	// is not a sequence number.
	ProblemUnreadable = "unreadable"
)

// AuditReport is the outcome of VerifyAudit.
type AuditReport struct {
	// Entries counts the audit entries in the store.
	Entries int
	// Problems lists the breaks in the chain by position; none when the
	// chain is whole.
	Problems []AuditProblem
}

// AuditProblem is a break in the audit chain.
type AuditProblem struct {
	// Seq is the position of the entry concerned.
	Seq uint64
	// Kind is one of ProblemModified, ProblemMissing, ProblemReordered and
	// ProblemUnreadable.
	Kind string
	// Detail says what was found, for the supervisor. It holds no personal
	// data.
	Detail string
}

// moveWindow is how far from its position VerifyAudit looks for the place
// a sealed entry was made for, when it does not open where it is.
const moveWindow = 1024

// VerifyAudit walks the audit chain and reports every break: an entry
// modified (its sealed value does not open, or its content does not match
// its hash), missing (a gap in the positions, or entries removed from the
// end), reordered (an entry at another entry's position), or unreadable.
// The error is for a store that cannot be read at all; a broken chain is a
// report with problems.
func (s *Store) VerifyAudit() (AuditReport, error) {
	v := &verifier{next: 1, prevOK: true}
	var resume []byte // key of the last entry walked
	for done := false; !done; {
		err := s.view(func(btx *bolt.Tx) error {
			t := &tx{btx: btx, k: s.k}
			b, err := t.bucket(bucketAudit)
			if err != nil {
				return err
			}
			c := b.Cursor()
			k, val := c.First()
			if resume != nil {
				if k, val = c.Seek(resume); bytes.Equal(k, resume) {
					k, val = c.Next()
				}
			}
			for n := 0; k != nil && n < auditBatch; k, val = c.Next() {
				v.entry(t, k, val)
				resume = bytes.Clone(k)
				n++
			}
			if k == nil {
				done = true
				return v.end(t)
			}
			return nil
		})
		if err != nil {
			return AuditReport{}, fmt.Errorf("verify audit of %s: %w", s.path, err)
		}
	}
	slices.SortStableFunc(v.report.Problems, func(a, b AuditProblem) int { return cmp.Compare(a.Seq, b.Seq) })
	return v.report, nil
}

// verifier is the state of a walk along the audit chain.
type verifier struct {
	report   AuditReport
	next     uint64 // the position expected next
	prevHash []byte // hash of the entry at the previous position
	prevOK   bool   // whether the next entry's link can be checked against prevHash
	hashes   map[string]uint64
}

func (v *verifier) problem(seq uint64, kind, format string, args ...any) {
	v.report.Problems = append(v.report.Problems, AuditProblem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// missing reports the positions from first to last as missing.
func (v *verifier) missing(first, last uint64, where string) {
	if first == last {
		v.problem(first, ProblemMissing, "entry %d removed%s", first, where)
	} else {
		v.problem(first, ProblemMissing, "entries %d to %d (%d) removed%s", first, last, last-first+1, where)
	}
}

// entry checks the entry at key k, sealed value val.
func (v *verifier) entry(t *tx, k, val []byte) {
	v.report.Entries++
	if len(k) != 8 || binary.BigEndian.Uint64(k) == 0 {
		v.problem(v.next, ProblemUnreadable, "key %x is not a position in the chain", k)
		v.prevOK = false
		return
	}
	seq := binary.BigEndian.Uint64(k)
	if seq > v.next {
		v.missing(v.next, seq-1, "")
		v.prevOK = false
	}
	v.next = seq + 1

	var e pinsede.AuditEntry
	switch err := t.decode(bucketAudit, k, val, &e); {
	case errors.Is(err, errUnsealed):
		if from, ok := movedFrom(t.k, seq, val); ok {
			v.problem(seq, ProblemReordered, "holds the entry sealed for position %d", from)
		} else {
			v.problem(seq, ProblemModified, "sealed value altered: it does not open")
		}
		v.prevOK = false
		return
	case err != nil:
		v.problem(seq, ProblemUnreadable, "sealed value opens but does not decode")
		v.prevOK = false
		return
	}
	switch {
	case e.Seq != seq:
		v.problem(seq, ProblemReordered, "holds entry %d", e.Seq)
		v.prevOK = false
		return
	case !bytes.Equal(e.ChainHash(), e.Hash):
		v.problem(seq, ProblemModified, "content altered: it does not match its hash")
	case v.prevOK && !bytes.Equal(e.Prev, v.prevHash):
		if at, ok := v.hashIndex(t)[string(e.Prev)]; ok && at != seq-1 {
			v.problem(seq, ProblemReordered, "links to entry %d, not to entry %d", at, seq-1)
		} else if seq == 1 {
			v.problem(seq, ProblemModified, "the first entry links to an entry before it")
		} else {
			v.problem(seq-1, ProblemModified, "replaced: it is not the entry that entry %d links to", seq)
		}
	}
	v.prevHash, v.prevOK = e.Hash, true
}

// end checks the last entry against the head of the chain recorded in the
// meta bucket.
func (v *verifier) end(t *tx) error {
	head, err := t.auditHead()
	switch {
	case errors.Is(err, ErrCorrupt):
		v.problem(v.next-1, ProblemUnreadable, "the recorded end of the chain cannot be read")
		return nil
	case err != nil:
		return err
	}
	last := v.next - 1
	switch {
	case head.Seq > last:
		v.missing(v.next, head.Seq, " from the end of the chain")
	case head.Seq < last:
		v.problem(head.Seq+1, ProblemModified, "entries after the recorded end of the chain (%d)", head.Seq)
	case v.prevOK && !bytes.Equal(head.Hash, v.prevHash):
		v.problem(last, ProblemModified, "replaced: it is not the recorded end of the chain")
	}
	return nil
}

// hashIndex maps the hash of each readable entry to its position; it is
// built on the first link that does not match, walking the chain again.
func (v *verifier) hashIndex(t *tx) map[string]uint64 {
	if v.hashes != nil {
		return v.hashes
	}
	v.hashes = make(map[string]uint64)
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return v.hashes
	}
	c := b.Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		var e pinsede.AuditEntry
		if len(k) == 8 && t.decode(bucketAudit, k, val, &e) == nil {
			v.hashes[string(e.Hash)] = binary.BigEndian.Uint64(k)
		}
	}
	return v.hashes
}

// movedFrom looks for the position near seq that a sealed entry, which
// does not open at seq, was sealed for.
func movedFrom(k *keys, seq uint64, sealed []byte) (uint64, bool) {
	opens := func(at uint64) bool {
		_, err := k.open(bucketAudit, seqKey(at), sealed)
		return err == nil
	}
	for d := uint64(1); d <= moveWindow; d++ {
		if d < seq && opens(seq-d) {
			return seq - d, true
		}
		if opens(seq + d) {
			return seq + d, true
		}
	}
	return 0, false
}
