package boltstore

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	// bucketAuditEntriesByTime: sede ‖ 0 ‖ timeKey -> chain: the
	// search by days, in the search's order (central.NewestFirst) read
	// backwards, from a cursor on.
	bucketAuditEntriesByTime = []byte("audit_entries_by_time")
	// bucketAuditEntriesByDay: sede ‖ 0 ‖ day (aaaammgg) ‖ chain ‖ seq
	// -> nothing: the search by days of before the cursor, which
	// migrateAuditByTime replaces with bucketAuditEntriesByTime.
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
	entries, byTime, bySubject, tips *bolt.Bucket
}

// dayBytes is a day as the indexes write it: aaaammgg.
func dayBytes(d pinsede.Date) []byte {
	return fmt.Appendf(nil, "%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// timeKey is the place of the entry e in bucketAuditEntriesByTime after
// its sede: its day (dayBytes), its instant (the Unix seconds, biased to
// sort unsigned, and the nanoseconds), its desk and a 0, its seq and its
// hash, so that the keys sort as central.NewestFirst in reverse. A
// cursor's is its entry's.
func timeKey(e pinsede.AuditEntry) []byte {
	k := dayBytes(central.EntryDay(e))
	k = binary.BigEndian.AppendUint64(k, uint64(e.Time.Unix())^1<<63)
	k = binary.BigEndian.AppendUint32(k, uint32(e.Time.Nanosecond()))
	k = append(append(k, e.Desk...), 0)
	k = binary.BigEndian.AppendUint64(k, e.Seq)
	return append(k, e.Hash...)
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
	}{{bucketAuditEntries, &eb.entries}, {bucketAuditEntriesByTime, &eb.byTime}, {bucketAuditEntriesBySubject, &eb.bySubject}, {bucketAuditTips, &eb.tips}} {
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
	if err := eb.byTime.Put(slices.Concat([]byte(sede), []byte{0}, timeKey(e)), chain); err != nil {
		return err
	}
	day := dayBytes(central.EntryDay(e))
	if e.Subject == "" {
		return nil
	}
	return eb.bySubject.Put(slices.Concat([]byte(sede), []byte{0}, []byte(e.Subject), []byte{0}, day, ref), nil)
}

// SearchAudit reads sede's entries from the index by citizen when f names
// one (the citizen's days, after the cursor's place), else from the
// index by time backwards, from the cursor's place or the end of f's last
// day, to the limit.
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
		if entries == nil || tips == nil || to.Before(f.From) {
			return nil
		}
		proven := map[string]uint64{}
		// read returns the entry seq of chain when it is proven and f
		// selects it after the cursor, else ok false.
		read := func(chain []byte, seq uint64) (e pinsede.AuditEntry, ok bool, err error) {
			p, seen := proven[string(chain)]
			if !seen {
				var tip storedTip
				if v := tips.Get(chainKey(sede, chain)); v != nil {
					if err := json.Unmarshal(v, &tip); err != nil {
						return e, false, fmt.Errorf("audit tip: %w", err)
					}
				}
				p, proven[string(chain)] = tip.Proven, tip.Proven
			}
			if seq > p {
				return e, false, nil
			}
			v := entries.Get(binary.BigEndian.AppendUint64(chainKey(sede, chain), seq))
			if v == nil {
				return e, false, errors.New("audit entry of an index missing")
			}
			if err := json.Unmarshal(v, &e); err != nil {
				return e, false, fmt.Errorf("audit entry: %w", err)
			}
			return e, f.Matches(e) && central.After(e, after), nil
		}
		if f.Subject != "" {
			b := btx.Bucket(bucketAuditEntriesBySubject)
			if b == nil {
				return nil
			}
			prefix := slices.Concat([]byte(sede), []byte{0}, []byte(f.Subject), []byte{0})
			end := append(bytes.Clone(prefix), dayBytes(to)...)
			c := b.Cursor()
			for k, _ := c.Seek(append(bytes.Clone(prefix), dayBytes(f.From)...)); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k[:len(end)], end) <= 0; k, _ = c.Next() {
				ref := k[len(end):]
				e, ok, err := read(ref[:len(ref)-8], binary.BigEndian.Uint64(ref[len(ref)-8:]))
				if err != nil {
					return err
				}
				if ok {
					out = append(out, e)
				}
			}
			slices.SortFunc(out, central.NewestFirst)
			out = out[:min(len(out), limit)]
			return nil
		}
		b := btx.Bucket(bucketAuditEntriesByTime)
		if b == nil {
			return nil
		}
		prefix := append([]byte(sede), 0)
		// The first key past the search: the day after to's start, or
		// the cursor's own key, whichever is lower.
		past := append(bytes.Clone(prefix), dayBytes(pinsede.DateOf(to.Time().AddDate(0, 0, 1)))...)
		if !after.IsZero() {
			if k := append(bytes.Clone(prefix), timeKey(after.Entry())...); bytes.Compare(k, past) < 0 {
				past = k
			}
		}
		first := append(bytes.Clone(prefix), dayBytes(f.From)...)
		c := b.Cursor()
		var k, chain []byte
		if k, _ = c.Seek(past); k == nil {
			k, chain = c.Last()
		} else {
			k, chain = c.Prev()
		}
		for ; k != nil && len(out) < limit && bytes.HasPrefix(k, prefix) && bytes.Compare(k, first) >= 0; k, chain = c.Prev() {
			e, ok, err := read(chain, binary.BigEndian.Uint64(k[len(k)-8-sha256.Size:]))
			if err != nil {
				return err
			}
			if ok {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search the audit of %s: %w", sede, err)
	}
	return out, nil
}

// migrateAuditByTime indexes the entries of a file of before the search's
// cursor in bucketAuditEntriesByTime, and drops its index by day.
func migrateAuditByTime(btx *bolt.Tx) error {
	old := btx.Bucket(bucketAuditEntriesByDay)
	if old == nil {
		return nil
	}
	eb, err := auditEntryBuckets(btx)
	if err != nil {
		return err
	}
	err = eb.entries.ForEach(func(k, v []byte) error {
		var e pinsede.AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("audit entry %x: %w", k, err)
		}
		sede, ref, _ := bytes.Cut(k, []byte{0})
		return eb.byTime.Put(slices.Concat(sede, []byte{0}, timeKey(e)), bytes.Clone(ref[:len(ref)-8]))
	})
	if err != nil {
		return fmt.Errorf("index the audit entries by time: %w", err)
	}
	return btx.DeleteBucket(bucketAuditEntriesByDay)
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
			{eb.byTime, slices.Concat([]byte(sede), []byte{0}, timeKey(e))},
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
