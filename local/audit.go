package local

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// auditHead records the end of the audit chain in the meta bucket: the
// last entry's seq and hash. Appending links to it without reading the
// last entry, and VerifyAudit finds entries removed from the end.
type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash []byte `json:"hash"`
}

func (t *tx) auditHead() (auditHead, error) {
	var h auditHead
	err := t.get(bucketMeta, metaAuditHead, &h)
	if errors.Is(err, pinsede.ErrNotFound) {
		err = nil // no entry yet
	}
	return h, err
}

// AppendAudit links e to the chain (Seq, Prev, Hash) and stores it; it
// returns the entry as stored.
func (t *tx) AppendAudit(e pinsede.AuditEntry) (pinsede.AuditEntry, error) {
	head, err := t.auditHead()
	if err != nil {
		return pinsede.AuditEntry{}, err
	}
	audit, err := t.bucket(bucketAudit)
	if err != nil {
		return pinsede.AuditEntry{}, err
	}
	// Never overwrite an entry: one past the recorded end means the end
	// was tampered with.
	if last, _ := audit.Cursor().Last(); last != nil && bytes.Compare(last, seqKey(head.Seq)) > 0 {
		return pinsede.AuditEntry{}, fmt.Errorf("audit entry %x after the recorded end of the chain (%d): %w", last, head.Seq, ErrCorrupt)
	}
	if e.Desk == "" {
		e.Desk = t.desk
	}
	e.Seq, e.Prev, e.Hash = head.Seq+1, head.Hash, nil
	e.Hash = e.ChainHash()
	key := seqKey(e.Seq)
	if err := t.put(bucketAudit, key, e); err != nil {
		return pinsede.AuditEntry{}, err
	}
	byDay, err := t.bucket(bucketAuditByDay)
	if err != nil {
		return pinsede.AuditEntry{}, err
	}
	if err := byDay.Put(auditDayKey(e.Time, key), nil); err != nil {
		return pinsede.AuditEntry{}, err
	}
	if !e.At.IsZero() {
		byAt, err := t.bucket(bucketAuditByAtDay)
		if err != nil {
			return pinsede.AuditEntry{}, err
		}
		if err := byAt.Put(auditDayKey(e.At, key), nil); err != nil {
			return pinsede.AuditEntry{}, err
		}
	}
	if e.Subject != "" {
		idx, err := t.bucket(bucketAuditBySubject)
		if err != nil {
			return pinsede.AuditEntry{}, err
		}
		if err := idx.Put(append(t.citizenKey(e.Subject), key...), nil); err != nil {
			return pinsede.AuditEntry{}, err
		}
	}
	if err := t.put(bucketMeta, metaAuditHead, auditHead{Seq: e.Seq, Hash: e.Hash}); err != nil {
		return pinsede.AuditEntry{}, err
	}
	return e, nil
}

// AuditFor returns the entries about a citizen, oldest first.
func (t *tx) AuditFor(cf pinsede.CodiceFiscale) ([]pinsede.AuditEntry, error) {
	return t.auditIndexed(bucketAuditBySubject, t.citizenKey(cf))
}

// AuditOn returns the entries of day (local time), oldest first, through
// the audit_by_day index: the end-of-day reconciliation reads one day, not
// the whole chain.
func (t *tx) AuditOn(day pinsede.Date) ([]pinsede.AuditEntry, error) {
	return t.auditIndexed(bucketAuditByDay, dayKey(day))
}

// AuditActedOn returns the entries whose act was done on day (local
// time; AuditEntry.ActedAt), in chain order: the entries written on day
// with no At, through audit_by_day, and those of another desk's act of
// day, whatever day they were pulled, through audit_by_at_day. The
// reconciliation of the sede reads one day, however long the history
// after it.
func (t *tx) AuditActedOn(day pinsede.Date) ([]pinsede.AuditEntry, error) {
	written, err := t.AuditOn(day)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(written, func(e pinsede.AuditEntry) bool { return !e.At.IsZero() })
	pulled, err := t.auditIndexed(bucketAuditByAtDay, dayKey(day))
	if err != nil {
		return nil, err
	}
	out = append(out, pulled...)
	slices.SortFunc(out, func(a, b pinsede.AuditEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// auditDayKey is an entry's key in the audit_by_day index: the day of at
// (local time), as dayKey writes it, then the entry's seq key.
func auditDayKey(at time.Time, seq []byte) []byte {
	return append(dayKey(pinsede.DateOf(at.Local())), seq...)
}

// auditIndexed returns the entries whose seq keys follow prefix in the
// index bucket idxName, in seq order.
func (t *tx) auditIndexed(idxName, prefix []byte) ([]pinsede.AuditEntry, error) {
	idx, err := t.bucket(idxName)
	if err != nil {
		return nil, err
	}
	audit, err := t.bucket(bucketAudit)
	if err != nil {
		return nil, err
	}
	var out []pinsede.AuditEntry
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		key := k[len(prefix):]
		var e pinsede.AuditEntry
		if err := t.decode(bucketAudit, key, audit.Get(key), &e); err != nil {
			if errors.Is(err, pinsede.ErrNotFound) {
				err = fmt.Errorf("audit entry %d missing: %w", binary.BigEndian.Uint64(key), ErrCorrupt)
			}
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// auditBatch is how many audit entries a read transaction of VerifyAudit
// or AuditEntries walks: short transactions do not hold back the desk's
// writes (bbolt cannot grow its file while a read is open).
const auditBatch = 4096

// AuditEntries calls fn with each audit entry from seq from on, in order,
// for an export. fn runs outside any transaction; an error from it stops
// the walk and is returned. An entry that does not open or decode stops the
// walk with ErrCorrupt: VerifyAudit says more.
func (s *Store) AuditEntries(from uint64, fn func(pinsede.AuditEntry) error) error {
	next := seqKey(from)
	for next != nil {
		var batch []pinsede.AuditEntry
		err := s.view(func(btx *bolt.Tx) error {
			t := &tx{btx: btx, k: s.k}
			b, err := t.bucket(bucketAudit)
			if err != nil {
				return err
			}
			c := b.Cursor()
			k, v := c.Seek(next)
			for ; k != nil && len(batch) < auditBatch; k, v = c.Next() {
				var e pinsede.AuditEntry
				if err := t.decode(bucketAudit, k, v, &e); err != nil {
					return err
				}
				batch = append(batch, e)
			}
			next = bytes.Clone(k) // where the next batch starts; nil at the end
			return nil
		})
		if err != nil {
			return fmt.Errorf("audit of %s: %w", s.path, err)
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}
