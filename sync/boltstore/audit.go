package boltstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// The buckets of the audit heads (central.AuditStore), made on first use.
var (
	// bucketAuditChains: sede ‖ 0 ‖ chain -> JSON storedChain, the
	// chains admitted, each for one desk of the sede.
	bucketAuditChains = []byte("audit_chains")
	// bucketAuditHeads: sede ‖ 0 ‖ chain ‖ seq (big-endian) ‖ hash ->
	// JSON storedHead.
	bucketAuditHeads = []byte("audit_heads")
	// bucketAuditForks: id (big-endian) -> JSON central.AuditFork. The
	// bucket's sequence numbers them.
	bucketAuditForks = []byte("audit_forks")
	// bucketAuditResets: id (big-endian) -> JSON central.AuditReset. The
	// bucket's sequence numbers them.
	bucketAuditResets = []byte("audit_resets")
)

// storedChain is a chain admitted: by its first head, or by a reset.
type storedChain struct {
	At      time.Time `json:"at"`
	ResetID uint64    `json:"reset_id,omitempty"`
	// Desk is the desk it is admitted for; "" for a chain of before desk
	// ids, or of a certificate with none.
	Desk string `json:"desk,omitempty"`
}

// storedHead is an audit head as kept.
type storedHead struct {
	Received time.Time `json:"received"`
	// DiscardedBy is the id of the reset that discarded it; 0 while it
	// binds.
	DiscardedBy uint64 `json:"discarded_by,omitempty"`
}

// chainKey is the key of a chain of sede in bucketAuditChains, and the
// prefix of its heads in bucketAuditHeads.
func chainKey(sede string, chain []byte) []byte {
	return append(append([]byte(sede), 0), chain...)
}

// headKey is the key of a head in bucketAuditHeads.
func headKey(sede string, h wire.AuditHead) []byte {
	return append(binary.BigEndian.AppendUint64(chainKey(sede, h.Chain), h.Seq), h.Hash...)
}

// PutAuditHead judges and keeps, or records as a fork, an audit head in
// one write transaction. A head kept before, as the later batches of a
// drain carry, is judged in a read transaction only: bbolt syncs the
// file at every write.
func (s *Store) PutAuditHead(ctx context.Context, sede string, h wire.AuditHead, at time.Time) error {
	var known bool
	err := s.db.View(func(btx *bolt.Tx) error {
		var st central.HeadState
		if btx.Bucket(bucketAuditResets) != nil { // else auditBuckets made none yet: no head is kept
			var err error
			bs := auditBucketSet{btx.Bucket(bucketAuditChains), btx.Bucket(bucketAuditHeads), btx.Bucket(bucketAuditForks), btx.Bucket(bucketAuditResets)}
			if st, err = headState(bs, sede, h); err != nil {
				return err
			}
		}
		v, _ := central.JudgeHead(st, h)
		known = v == central.HeadKnown || v == central.HeadNone
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit head %d of %s: %w", h.Seq, sede, err)
	}
	if known {
		return nil
	}
	var fork *central.ForkError
	err = s.db.Update(func(btx *bolt.Tx) (err error) {
		fork, err = keepHead(btx, sede, h, at)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit head %d of %s: %w", h.Seq, sede, err)
	}
	if fork != nil {
		return fork
	}
	return nil
}

// keepHead judges the audit head h of sede in the write transaction btx,
// and keeps it, or records it as a fork and returns the fork: what
// PutAuditHead commits, and Push with the push's events.
func keepHead(btx *bolt.Tx, sede string, h wire.AuditHead, at time.Time) (*central.ForkError, error) {
	bs, err := auditBuckets(btx)
	if err != nil {
		return nil, err
	}
	st, err := headState(bs, sede, h)
	if err != nil {
		return nil, err
	}
	verdict, reason := central.JudgeHead(st, h)
	switch verdict {
	case central.HeadKeep:
		if st.AdmitsChain(h) {
			if err := putJSON(bs.chains, chainKey(sede, h.Chain), storedChain{At: at, Desk: h.Desk}); err != nil {
				return nil, err
			}
		}
		if !st.NewHead(h) {
			return nil, nil
		}
		return nil, putJSON(bs.heads, headKey(sede, h), storedHead{Received: at})
	case central.HeadRefused:
		f, err := putFork(bs.forks, sede, h, reason, at)
		if err != nil {
			return nil, err
		}
		return &central.ForkError{Fork: f}, nil
	}
	return nil, nil
}

// auditBucketSet are the audit buckets of a write transaction.
type auditBucketSet struct {
	chains, heads, forks, resets *bolt.Bucket
}

// auditBuckets returns the audit buckets, making those missing.
func auditBuckets(btx *bolt.Tx) (auditBucketSet, error) {
	var bs auditBucketSet
	for _, b := range []struct {
		name []byte
		to   **bolt.Bucket
	}{{bucketAuditChains, &bs.chains}, {bucketAuditHeads, &bs.heads}, {bucketAuditForks, &bs.forks}, {bucketAuditResets, &bs.resets}} {
		bk, err := btx.CreateBucketIfNotExists(b.name)
		if err != nil {
			return bs, err
		}
		*b.to = bk
	}
	return bs, nil
}

// headState reads what JudgeHead needs of the chains of sede and the
// heads kept of h's chain.
func headState(bs auditBucketSet, sede string, h wire.AuditHead) (central.HeadState, error) {
	var st central.HeadState
	prefix := append([]byte(sede), 0)
	c := bs.chains.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var sc storedChain
		if err := json.Unmarshal(v, &sc); err != nil {
			return st, fmt.Errorf("audit chain %x: %w", k, err)
		}
		if sc.Desk == h.Desk {
			st.Chains++
		}
		if bytes.Equal(k[len(prefix):], h.Chain) {
			st.Admitted, st.ChainDesk = true, sc.Desk
		}
	}
	if !st.Admitted {
		return st, nil
	}
	ck := chainKey(sede, h.Chain)
	live := func(k, v []byte) (bool, error) {
		var sh storedHead
		if err := json.Unmarshal(v, &sh); err != nil {
			return false, fmt.Errorf("head %x: %w", k, err)
		}
		return sh.DiscardedBy == 0, nil
	}
	hc := bs.heads.Cursor()
	// The highest head that binds: from past the chain's keys, back.
	k, _ := hc.Seek(binary.BigEndian.AppendUint64(bytes.Clone(ck), central.MaxAuditSeq+1))
	var v []byte
	if k == nil {
		k, v = hc.Last()
	} else {
		k, v = hc.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, ck); k, v = hc.Prev() {
		if ok, err := live(k, v); err != nil {
			return st, err
		} else if ok {
			st.Highest = wire.AuditHead{Chain: h.Chain, Seq: binary.BigEndian.Uint64(k[len(ck):]), Hash: bytes.Clone(k[len(ck)+8:])}
			break
		}
	}
	at := binary.BigEndian.AppendUint64(bytes.Clone(ck), h.Seq)
	for k, v := hc.Seek(at); k != nil && bytes.HasPrefix(k, at); k, v = hc.Next() {
		if ok, err := live(k, v); err != nil {
			return st, err
		} else if ok {
			st.AtSeq = bytes.Clone(k[len(at):])
			break
		}
	}
	return st, nil
}

// putFork records a refused head as a fork, or counts it again on its
// open fork, or on the desk's newest open fork when the desk has
// central.MaxOpenForks open.
func putFork(b *bolt.Bucket, sede string, h wire.AuditHead, reason string, at time.Time) (central.AuditFork, error) {
	var newest []byte // the key of the desk's newest open fork
	open := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var f central.AuditFork
		if err := json.Unmarshal(v, &f); err != nil {
			return f, fmt.Errorf("audit fork %x: %w", k, err)
		}
		if f.ResolvedBy != 0 || f.Sede != sede || f.Head.Desk != h.Desk {
			continue
		}
		if f.Head.Seq == h.Seq && bytes.Equal(f.Head.Chain, h.Chain) && bytes.Equal(f.Head.Hash, h.Hash) {
			f.Last, f.Count, f.Reason = at, f.Count+1, reason
			return f, putJSON(b, k, f)
		}
		open, newest = open+1, k
	}
	if open >= central.MaxOpenForks {
		var f central.AuditFork
		if err := json.Unmarshal(b.Get(newest), &f); err != nil {
			return f, fmt.Errorf("audit fork %x: %w", newest, err)
		}
		f.Last, f.Count, f.Reason = at, f.Count+1, reason
		return f, putJSON(b, newest, f)
	}
	id, err := b.NextSequence()
	if err != nil {
		return central.AuditFork{}, err
	}
	f := central.AuditFork{ID: id, Sede: sede, Head: h, Reason: reason, First: at, Last: at, Count: 1}
	return f, putJSON(b, binary.BigEndian.AppendUint64(nil, id), f)
}

// putJSON puts v as JSON under k in b.
func putJSON(b *bolt.Bucket, k []byte, v any) error {
	bv, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, bv)
}

// AuditHeads returns a page of the heads of sede that bind, by chain and
// seq: at most limit after the cursor after, from a seek to it, and
// whether more follow.
func (s *Store) AuditHeads(ctx context.Context, sede string, after wire.HeadCursor, limit int) ([]wire.KeptHead, bool, error) {
	var out []wire.KeptHead
	more := false
	err := s.db.View(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketAuditHeads)
		if b == nil {
			return nil
		}
		desks, err := chainDesks(btx.Bucket(bucketAuditChains), sede)
		if err != nil {
			return err
		}
		prefix := append([]byte(sede), 0)
		from := prefix
		if !after.IsZero() { // the first key past every head of after's chain and seq
			from = binary.BigEndian.AppendUint64(chainKey(sede, after.Chain), after.Seq+1)
		}
		c := b.Cursor()
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var sh storedHead
			if err := json.Unmarshal(v, &sh); err != nil {
				return fmt.Errorf("head %x: %w", k, err)
			}
			if sh.DiscardedBy != 0 {
				continue
			}
			if len(out) == limit {
				more = true
				break
			}
			rest := k[len(prefix):]
			out = append(out, wire.KeptHead{AuditHead: wire.AuditHead{
				Chain: bytes.Clone(rest[:sha256.Size]), Seq: binary.BigEndian.Uint64(rest[sha256.Size : sha256.Size+8]),
				Hash: bytes.Clone(rest[sha256.Size+8:]), Desk: desks[string(rest[:sha256.Size])],
			}, Received: sh.Received})
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("audit heads of %s after %s: %w", sede, after, err)
	}
	return out, more, nil
}

// chainDesks returns the desk of each chain admitted for sede, by chain.
func chainDesks(b *bolt.Bucket, sede string) (map[string]string, error) {
	desks := map[string]string{}
	prefix := append([]byte(sede), 0)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var sc storedChain
		if err := json.Unmarshal(v, &sc); err != nil {
			return nil, fmt.Errorf("audit chain %x: %w", k, err)
		}
		desks[string(k[len(prefix):])] = sc.Desk
	}
	return desks, nil
}

// AuditForks returns the open forks, oldest first.
func (s *Store) AuditForks(ctx context.Context) ([]central.AuditFork, error) {
	var out []central.AuditFork
	err := s.db.View(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketAuditForks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var f central.AuditFork
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("audit fork %x: %w", k, err)
			}
			if f.ResolvedBy == 0 {
				out = append(out, f)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("audit forks: %w", err)
	}
	return out, nil
}

// ResetAudit records a reset in one write transaction.
func (s *Store) ResetAudit(ctx context.Context, r central.AuditReset) (central.AuditReset, error) {
	err := s.db.Update(func(btx *bolt.Tx) error {
		bs, err := auditBuckets(btx)
		if err != nil {
			return err
		}
		if r.ID, err = bs.resets.NextSequence(); err != nil {
			return err
		}
		ck := chainKey(r.Sede, r.Chain)
		var sc storedChain
		v := bs.chains.Get(ck)
		if v != nil {
			if err := json.Unmarshal(v, &sc); err != nil {
				return fmt.Errorf("audit chain %x: %w", ck, err)
			}
		}
		if v == nil || sc.Desk != r.Desk { // admitted for r.Desk, from another desk if need be
			if err := putJSON(bs.chains, ck, storedChain{At: r.At, ResetID: r.ID, Desk: r.Desk}); err != nil {
				return err
			}
		}
		// Collected first: a cursor does not survive a Put in its bucket.
		var heads, forks [][]byte
		var kept []storedHead
		var open []central.AuditFork
		c := bs.heads.Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(bytes.Clone(ck), r.To+1)); k != nil && bytes.HasPrefix(k, ck); k, v = c.Next() {
			var sh storedHead
			if err := json.Unmarshal(v, &sh); err != nil {
				return fmt.Errorf("head %x: %w", k, err)
			}
			if sh.DiscardedBy == 0 {
				heads, kept = append(heads, bytes.Clone(k)), append(kept, sh)
			}
		}
		fc := bs.forks.Cursor()
		for k, v := fc.First(); k != nil; k, v = fc.Next() {
			var f central.AuditFork
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("audit fork %x: %w", k, err)
			}
			if f.ResolvedBy == 0 && f.Sede == r.Sede && f.Head.Desk == r.Desk {
				forks, open = append(forks, bytes.Clone(k)), append(open, f)
			}
		}
		for i, k := range heads {
			kept[i].DiscardedBy = r.ID
			if err := putJSON(bs.heads, k, kept[i]); err != nil {
				return err
			}
		}
		for i, k := range forks {
			open[i].ResolvedBy = r.ID
			if err := putJSON(bs.forks, k, open[i]); err != nil {
				return err
			}
		}
		r.Discarded, r.Resolved = len(heads), len(forks)
		if err := dropEntries(btx, r.Sede, r.Chain, r.To); err != nil {
			return err
		}
		return putJSON(bs.resets, binary.BigEndian.AppendUint64(nil, r.ID), r)
	})
	if err != nil {
		return central.AuditReset{}, fmt.Errorf("reset audit chain of %s: %w", r.Sede, err)
	}
	return r, nil
}
