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
	// bucketAuditEntriesByFilter: sede ‖ 0 ‖ filter ‖ value ‖ 0 ‖
	// timeKey -> chain: the search by citizen, operator and action
	// (filterCitizen, filterOperator, filterAction; an empty value has
	// no key), in the search's order as bucketAuditEntriesByTime.
	bucketAuditEntriesByFilter = []byte("audit_entries_by_filter")
	// bucketAuditEntriesByDay and bucketAuditEntriesBySubject: the
	// indexes of the files of before, by day and by citizen by day, which
	// migrateAuditIndexes replaces.
	bucketAuditEntriesByDay     = []byte("audit_entries_by_day")
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
	entries, byTime, byFilter, tips *bolt.Bucket
}

// The filters of bucketAuditEntriesByFilter, the byte that follows the
// sede in its keys.
const (
	filterCitizen  = 'c'
	filterOperator = 'o'
	filterAction   = 'a'
)

// filterValue is a filter of bucketAuditEntriesByFilter and the value an
// entry or a search has for it.
type filterValue struct {
	filter byte
	value  string
}

// filterValues are the values of the filters of bucketAuditEntriesByFilter
// that e has, or that the search f filters by, the most selective first:
// citizen, operator, action.
func filterValues(e pinsede.AuditEntry) [3]filterValue {
	return [3]filterValue{{filterCitizen, string(e.Subject)}, {filterOperator, e.Actor}, {filterAction, string(e.Action)}}
}

// filterPrefix is the start of the keys of sede's entries whose filter
// has value in bucketAuditEntriesByFilter; timeKey follows it.
func filterPrefix(sede string, filter byte, value string) []byte {
	return slices.Concat([]byte(sede), []byte{0, filter}, []byte(value), []byte{0})
}

// eachIndexKey calls do with each key of the entry e of sede in the
// indexes of eb that are not nil (bucketAuditEntriesByTime,
// bucketAuditEntriesByFilter), and the index's bucket.
func (eb entryBuckets) eachIndexKey(sede string, e pinsede.AuditEntry, do func(b *bolt.Bucket, k []byte) error) error {
	tk := timeKey(e)
	if eb.byTime != nil {
		if err := do(eb.byTime, slices.Concat([]byte(sede), []byte{0}, tk)); err != nil {
			return err
		}
	}
	if eb.byFilter == nil {
		return nil
	}
	for _, fv := range filterValues(e) {
		if fv.value == "" {
			continue
		}
		if err := do(eb.byFilter, append(filterPrefix(sede, fv.filter, fv.value), tk...)); err != nil {
			return err
		}
	}
	return nil
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
	}{{bucketAuditEntries, &eb.entries}, {bucketAuditEntriesByTime, &eb.byTime}, {bucketAuditEntriesByFilter, &eb.byFilter}, {bucketAuditTips, &eb.tips}} {
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
	return eb.eachIndexKey(sede, e, func(b *bolt.Bucket, k []byte) error { return b.Put(k, chain) })
}

// SearchAudit reads sede's entries backwards from the indexes in the
// search's order, from the cursor's place or the end of f's last day, to
// the limits: those of citizen, operator and action that f filters by,
// joined (an entry is read when each has it), else the index by time.
// Each entry read is counted in auditRead.
func (s *Store) SearchAudit(ctx context.Context, sede string, f pinsede.AuditFilter, after wire.AuditCursor, limit, maxBytes int) ([]pinsede.AuditEntry, error) {
	to := f.To
	if !after.IsZero() {
		if day := central.EntryDay(after.Entry()); day.Before(to) {
			to = day
		}
	}
	var out []pinsede.AuditEntry
	err := s.db.View(func(btx *bolt.Tx) error {
		entries, tips := btx.Bucket(bucketAuditEntries), btx.Bucket(bucketAuditTips)
		// The indexes to read: that of each filter of f, else the one by
		// time, each a prefix of the keys of b.
		b, prefixes := btx.Bucket(bucketAuditEntriesByFilter), [][]byte(nil)
		for _, fv := range filterValues(pinsede.AuditEntry{Subject: f.Subject, Actor: f.Actor, Action: f.Action}) {
			if fv.value != "" {
				prefixes = append(prefixes, filterPrefix(sede, fv.filter, fv.value))
			}
		}
		if prefixes == nil {
			b, prefixes = btx.Bucket(bucketAuditEntriesByTime), [][]byte{append([]byte(sede), 0)}
		}
		if entries == nil || tips == nil || b == nil || to.Before(f.From) {
			return nil
		}
		proven := map[string]uint64{}
		// read returns the entry seq of chain when it is proven and f
		// selects it, else ok false, and the size of its JSON.
		read := func(chain []byte, seq uint64) (e pinsede.AuditEntry, size int, ok bool, err error) {
			p, seen := proven[string(chain)]
			if !seen {
				var tip storedTip
				if v := tips.Get(chainKey(sede, chain)); v != nil {
					if err := json.Unmarshal(v, &tip); err != nil {
						return e, 0, false, fmt.Errorf("audit tip: %w", err)
					}
				}
				p, proven[string(chain)] = tip.Proven, tip.Proven
			}
			if seq > p {
				return e, 0, false, nil
			}
			s.auditRead.Add(1)
			v := entries.Get(binary.BigEndian.AppendUint64(chainKey(sede, chain), seq))
			if v == nil {
				return e, 0, false, errors.New("audit entry of an index missing")
			}
			if err := json.Unmarshal(v, &e); err != nil {
				return e, 0, false, fmt.Errorf("audit entry: %w", err)
			}
			return e, len(v), f.Matches(e), nil
		}
		// The keys are a prefix and a timeKey, in the search's order:
		// from past (the day after to's start, or the cursor's own key,
		// whichever is lower; excluded) down to first (f.From's start).
		past := dayBytes(pinsede.DateOf(to.Time().AddDate(0, 0, 1)))
		if !after.IsZero() {
			if k := timeKey(after.Entry()); bytes.Compare(k, past) < 0 {
				past = k
			}
		}
		first := dayBytes(f.From)
		cursors := make([]*bolt.Cursor, len(prefixes))
		for i := range cursors {
			cursors[i] = b.Cursor()
		}
		// within returns the timeKey of index i's key k and its value,
		// or nil when k is past the index or past first.
		within := func(i int, k, v []byte) ([]byte, []byte) {
			if k == nil || !bytes.HasPrefix(k, prefixes[i]) || bytes.Compare(k[len(prefixes[i]):], first) < 0 {
				return nil, nil
			}
			return k[len(prefixes[i]):], v
		}
		// atOrBelow moves index i's cursor to its greatest key of at
		// most tk (below it when exclude), and returns it as within.
		atOrBelow := func(i int, tk []byte, exclude bool) ([]byte, []byte) {
			want := append(bytes.Clone(prefixes[i]), tk...)
			c := cursors[i]
			k, v := c.Seek(want)
			switch {
			case k == nil:
				k, v = c.Last()
			case exclude || !bytes.Equal(k, want):
				k, v = c.Prev()
			}
			return within(i, k, v)
		}
		// Each key found in every index, newest first: index 0 reads
		// backwards, and a key another index has not got moves index 0
		// to the key below it that this one has (a leapfrog join).
		tk, chain := atOrBelow(0, past, true)
		for size := 0; tk != nil && len(out) < limit && (size <= maxBytes || len(out) < 2); {
			for i := 1; i < len(cursors) && tk != nil; i++ {
				other, _ := atOrBelow(i, tk, false)
				switch {
				case other == nil:
					tk = nil
				case !bytes.Equal(other, tk):
					tk, chain = atOrBelow(0, other, false)
					i = 0
				}
			}
			if tk == nil {
				break
			}
			e, n, ok, err := read(chain, binary.BigEndian.Uint64(tk[len(tk)-8-sha256.Size:]))
			if err != nil {
				return err
			}
			if ok {
				out, size = append(out, e), size+n
			}
			k, v := cursors[0].Prev()
			tk, chain = within(0, k, v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search the audit of %s: %w", sede, err)
	}
	return out, nil
}

// migrateAuditIndexes builds the indexes of the entries missing from a
// file of before them (bucketAuditEntriesByTime,
// bucketAuditEntriesByFilter), and drops those they replace. In a file
// a centrale of before wrote since (stale), they are built again when
// the index by time, a key an entry, no longer counts the entries: one
// of before them stored entries, or dropped some (a reset), without
// them.
func migrateAuditIndexes(btx *bolt.Tx, stale bool) error {
	if btx.Bucket(bucketAuditEntries) == nil {
		return nil // no entry was ever stored: the indexes come with the first
	}
	if stale && keyCount(btx, bucketAuditEntriesByTime) != keyCount(btx, bucketAuditEntries) {
		for _, b := range [][]byte{bucketAuditEntriesByTime, bucketAuditEntriesByFilter} {
			if err := btx.DeleteBucket(b); err != nil && btx.Bucket(b) != nil {
				return fmt.Errorf("drop the audit index %s: %w", b, err)
			}
		}
	}
	noTime, noFilter := btx.Bucket(bucketAuditEntriesByTime) == nil, btx.Bucket(bucketAuditEntriesByFilter) == nil
	for _, old := range [][]byte{bucketAuditEntriesByDay, bucketAuditEntriesBySubject} {
		if btx.Bucket(old) != nil {
			if err := btx.DeleteBucket(old); err != nil {
				return fmt.Errorf("drop the audit index %s: %w", old, err)
			}
		}
	}
	if !noTime && !noFilter {
		return nil
	}
	eb, err := auditEntryBuckets(btx)
	if err != nil {
		return err
	}
	missing := eb // the indexes to build
	if !noTime {
		missing.byTime = nil
	}
	if !noFilter {
		missing.byFilter = nil
	}
	err = eb.entries.ForEach(func(k, v []byte) error {
		var e pinsede.AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("audit entry %x: %w", k, err)
		}
		sede, ref, _ := bytes.Cut(k, []byte{0})
		chain := bytes.Clone(ref[:len(ref)-8])
		return missing.eachIndexKey(string(sede), e, func(b *bolt.Bucket, k []byte) error { return b.Put(k, chain) })
	})
	if err != nil {
		return fmt.Errorf("index the audit entries: %w", err)
	}
	return nil
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
		if err := eb.entries.Delete(append(chainKey(sede, nil), ref...)); err != nil {
			return err
		}
		if err := eb.eachIndexKey(sede, e, func(b *bolt.Bucket, k []byte) error { return b.Delete(k) }); err != nil {
			return err
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
