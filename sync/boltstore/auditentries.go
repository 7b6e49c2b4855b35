package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// The buckets of the desks' audit entries (central.AuditEntryStore),
// made on first use.
var (
	// bucketAuditEntries: sede ‖ 0 ‖ chain ‖ seq (big-endian) -> JSON
	// pinsede.AuditEntry, its Desk the chain's.
	bucketAuditEntries = []byte("audit_entries")
	// bucketAuditEntriesByDay: sede ‖ 0 ‖ day (aaaammgg) ‖ chain ‖ seq
	// -> nothing: the search by days.
	bucketAuditEntriesByDay = []byte("audit_entries_by_day")
	// bucketAuditEntriesBySubject: sede ‖ 0 ‖ codice fiscale ‖ 0 ‖ day ‖
	// chain ‖ seq -> nothing: the search by citizen.
	bucketAuditEntriesBySubject = []byte("audit_entries_by_subject")
	// bucketAuditTips: sede ‖ 0 ‖ chain -> JSON storedTip.
	bucketAuditTips = []byte("audit_tips")
)

// storedTip is a chain's central.EntriesTip as kept.
type storedTip struct {
	Seq    uint64 `json:"seq"`
	Hash   []byte `json:"hash"`
	Proven uint64 `json:"proven"`
}

// entryBuckets are the buckets of the entries of a write transaction.
type entryBuckets struct {
	entries, byDay, bySubject, tips *bolt.Bucket
}

// dayBytes is a day as the indexes write it: aaaammgg.
func dayBytes(d pinsede.Date) []byte {
	return fmt.Appendf(nil, "%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// PutAuditEntries judges and stores a batch of entries, or records the
// fork, in one write transaction (an empty batch in a read one).
func (s *Store) PutAuditEntries(ctx context.Context, sede, desk string, chain []byte, es []pinsede.AuditEntry, at time.Time) (wire.AuditEntriesResponse, error) {
	var resp wire.AuditEntriesResponse
	var fork *central.ForkError
	var conflict string
	write := func(btx *bolt.Tx) error {
		var tip storedTip
		if b := btx.Bucket(bucketAuditTips); b != nil {
			if v := b.Get(chainKey(sede, chain)); v != nil {
				if err := json.Unmarshal(v, &tip); err != nil {
					return fmt.Errorf("audit tip: %w", err)
				}
			}
		}
		resp.Next = tip.Seq + 1
		if len(es) == 0 {
			return nil
		}
		bs, err := auditBuckets(btx)
		if err != nil {
			return err
		}
		eb, err := auditEntryBuckets(btx)
		if err != nil {
			return err
		}
		last := es[len(es)-1]
		h := wire.AuditHead{Chain: chain, Seq: last.Seq, Hash: last.Hash, Desk: desk}
		st := central.EntriesState{Tip: central.EntriesTip(tip), Heads: map[uint64][]byte{}, Stored: map[uint64][]byte{}}
		if st.HeadState, err = headState(bs, sede, h); err != nil {
			return err
		}
		ck := chainKey(sede, chain)
		from := binary.BigEndian.AppendUint64(bytes.Clone(ck), es[0].Seq)
		hc := bs.heads.Cursor()
		for k, v := hc.Seek(from); k != nil && bytes.HasPrefix(k, ck); k, v = hc.Next() {
			seq := binary.BigEndian.Uint64(k[len(ck):])
			if seq > last.Seq {
				break
			}
			var sh storedHead
			if err := json.Unmarshal(v, &sh); err != nil {
				return fmt.Errorf("head %x: %w", k, err)
			}
			if sh.DiscardedBy == 0 {
				st.Heads[seq] = bytes.Clone(k[len(ck)+8:])
			}
		}
		ec := eb.entries.Cursor()
		for k, v := ec.Seek(from); k != nil && bytes.HasPrefix(k, ck); k, v = ec.Next() {
			seq := binary.BigEndian.Uint64(k[len(ck):])
			if seq > last.Seq {
				break
			}
			var e pinsede.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %x: %w", k, err)
			}
			st.Stored[seq] = e.Hash
		}
		v := central.JudgeEntries(st, desk, chain, es)
		switch {
		case v.Conflict != "":
			conflict = v.Conflict
			return nil
		case v.Fork != "":
			f, err := putFork(bs.forks, sede, v.Head, v.Fork, at)
			fork = &central.ForkError{Fork: f}
			return err
		}
		if v.KeepHead {
			if st.AdmitsChain(v.Head) {
				if err := putJSON(bs.chains, ck, storedChain{At: at, Desk: desk}); err != nil {
					return err
				}
			}
			if st.NewHead(v.Head) {
				if err := putJSON(bs.heads, headKey(sede, v.Head), storedHead{Received: at}); err != nil {
					return err
				}
			}
		}
		for _, e := range v.Store {
			e.Desk = desk
			if err := putEntry(eb, sede, chain, e); err != nil {
				return err
			}
		}
		resp.Stored, resp.Next = len(v.Store), v.Tip.Seq+1
		return putJSON(eb.tips, ck, storedTip(v.Tip))
	}
	var err error
	if len(es) == 0 {
		err = s.db.View(write)
	} else {
		err = s.db.Update(write)
	}
	return resp, central.EntriesResult(sede, err, fork, conflict)
}

// auditEntryBuckets returns the buckets of the entries, making those
// missing.
func auditEntryBuckets(btx *bolt.Tx) (entryBuckets, error) {
	var eb entryBuckets
	for _, b := range []struct {
		name []byte
		to   **bolt.Bucket
	}{{bucketAuditEntries, &eb.entries}, {bucketAuditEntriesByDay, &eb.byDay}, {bucketAuditEntriesBySubject, &eb.bySubject}, {bucketAuditTips, &eb.tips}} {
		bk, err := btx.CreateBucketIfNotExists(b.name)
		if err != nil {
			return eb, err
		}
		*b.to = bk
	}
	return eb, nil
}

// putEntry stores an entry of sede's chain with its indexes.
func putEntry(eb entryBuckets, sede string, chain []byte, e pinsede.AuditEntry) error {
	ref := binary.BigEndian.AppendUint64(bytes.Clone(chain), e.Seq)
	if err := putJSON(eb.entries, append(chainKey(sede, nil), ref...), e); err != nil {
		return err
	}
	day := dayBytes(central.EntryDay(e))
	if err := eb.byDay.Put(slices.Concat([]byte(sede), []byte{0}, day, ref), nil); err != nil {
		return err
	}
	if e.Subject == "" {
		return nil
	}
	return eb.bySubject.Put(slices.Concat([]byte(sede), []byte{0}, []byte(e.Subject), []byte{0}, day, ref), nil)
}

// SearchAudit reads sede's entries from the index by citizen when f names
// one, else from the index by day, the newest day first; after a cursor,
// from the cursor's day (those of the day after it in the order).
func (s *Store) SearchAudit(ctx context.Context, sede string, f pinsede.AuditFilter, after wire.AuditCursor, limit int) ([]pinsede.AuditEntry, error) {
	to := f.To
	if !after.IsZero() {
		if day := central.EntryDay(after.Entry()); day.Before(to) {
			to = day
		}
	}
	var out []pinsede.AuditEntry
	err := s.db.View(func(btx *bolt.Tx) error {
		entries, tips := btx.Bucket(bucketAuditEntries), btx.Bucket(bucketAuditTips)
		if entries == nil || tips == nil {
			return nil
		}
		proven := map[string]uint64{}
		// found reads the entries the index keys of one prefix name
		// (each ending chain ‖ seq) whose day is from lo to hi, and
		// f selects, after the cursor.
		found := func(b *bolt.Bucket, prefix []byte, lo, hi pinsede.Date) ([]pinsede.AuditEntry, error) {
			var got []pinsede.AuditEntry
			c := b.Cursor()
			start, end := append(bytes.Clone(prefix), dayBytes(lo)...), append(bytes.Clone(prefix), dayBytes(hi)...)
			for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k[:len(end)], end) <= 0; k, _ = c.Next() {
				ref := k[len(prefix)+8:]
				chain, seq := string(ref[:len(ref)-8]), binary.BigEndian.Uint64(ref[len(ref)-8:])
				p, ok := proven[chain]
				if !ok {
					var tip storedTip
					if v := tips.Get(chainKey(sede, []byte(chain))); v != nil {
						if err := json.Unmarshal(v, &tip); err != nil {
							return nil, fmt.Errorf("audit tip: %w", err)
						}
					}
					p, proven[chain] = tip.Proven, tip.Proven
				}
				if seq > p {
					continue
				}
				v := entries.Get(append(chainKey(sede, nil), ref...))
				if v == nil {
					return nil, errors.New("audit entry of an index missing")
				}
				var e pinsede.AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return nil, fmt.Errorf("audit entry: %w", err)
				}
				if f.Matches(e) && central.After(e, after) {
					got = append(got, e)
				}
			}
			slices.SortFunc(got, central.NewestFirst)
			return got, nil
		}
		if f.Subject != "" {
			b := btx.Bucket(bucketAuditEntriesBySubject)
			if b == nil || to.Before(f.From) {
				return nil
			}
			got, err := found(b, slices.Concat([]byte(sede), []byte{0}, []byte(f.Subject), []byte{0}), f.From, to)
			out = got[:min(len(got), limit)]
			return err
		}
		b := btx.Bucket(bucketAuditEntriesByDay)
		if b == nil {
			return nil
		}
		for day := to; !day.Before(f.From) && len(out) < limit; day = pinsede.DateOf(day.Time().AddDate(0, 0, -1)) {
			got, err := found(b, append([]byte(sede), 0), day, day)
			if err != nil {
				return err
			}
			out = append(out, got[:min(len(got), limit-len(out))]...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search the audit of %s: %w", sede, err)
	}
	return out, nil
}

// dropEntries removes the entries of sede's chain after seq to, with
// their index keys, and puts its tip back on the last entry kept (none:
// no tip), its proof no further.
func dropEntries(btx *bolt.Tx, sede string, chain []byte, to uint64) error {
	if btx.Bucket(bucketAuditTips) == nil {
		return nil // no entry was ever stored
	}
	eb, err := auditEntryBuckets(btx)
	if err != nil {
		return err
	}
	ck := chainKey(sede, chain)
	var drop []pinsede.AuditEntry
	tip := storedTip{}
	c := eb.entries.Cursor()
	for k, v := c.Seek(ck); k != nil && bytes.HasPrefix(k, ck); k, v = c.Next() {
		var e pinsede.AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("audit entry %x: %w", k, err)
		}
		if e.Seq <= to {
			tip.Seq, tip.Hash = e.Seq, e.Hash
			continue
		}
		drop = append(drop, e)
	}
	for _, e := range drop {
		ref := binary.BigEndian.AppendUint64(bytes.Clone(chain), e.Seq)
		day := dayBytes(central.EntryDay(e))
		for _, del := range []struct {
			b *bolt.Bucket
			k []byte
		}{
			{eb.entries, append(chainKey(sede, nil), ref...)},
			{eb.byDay, slices.Concat([]byte(sede), []byte{0}, day, ref)},
			{eb.bySubject, slices.Concat([]byte(sede), []byte{0}, []byte(e.Subject), []byte{0}, day, ref)},
		} {
			if err := del.b.Delete(del.k); err != nil {
				return err
			}
		}
	}
	var old storedTip
	if v := eb.tips.Get(ck); v != nil {
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("audit tip: %w", err)
		}
	}
	if old.Seq <= to {
		return nil // nothing after to was received
	}
	if tip.Seq == 0 {
		return eb.tips.Delete(ck)
	}
	tip.Proven = min(old.Proven, tip.Seq)
	return putJSON(eb.tips, ck, tip)
}
