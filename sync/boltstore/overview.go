package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	bolt "go.etcd.io/bbolt"
)

// The buckets of the overview (central.OverviewStore).
var (
	// bucketDesks: sede ‖ 0 ‖ desk -> JSON central.DeskActivity (Pending
	// left out: counted when asked).
	bucketDesks = []byte("desk_activity")
	// bucketIssued: day (central.DayKey) ‖ 0 ‖ sede -> PINs issued
	// (big-endian uint64).
	bucketIssued = []byte("issued_daily")
	// bucketLockEnds: credential id -> the end of its lock (lockKey's
	// first 8 bytes), for each credential with a lock recorded.
	bucketLockEnds = []byte("lock_ends")
	// bucketLocked: end of the lock (big-endian Unix microseconds) ‖
	// credential id -> empty: the locks in order of their end.
	bucketLocked = []byte("locked_by_end")
)

// retally counts again, from the events, the PINs issued per day and
// sede (bucketIssued) and each desk's last push (bucketDesks), for a
// file a centrale of before wrote, which kept them (before the overview)
// or not: once, reading every event. A desk's pulls and rejections,
// which no event records, are kept as they were.
func retally(btx *bolt.Tx) error {
	desks, err := btx.CreateBucketIfNotExists(bucketDesks)
	if err != nil {
		return fmt.Errorf("overview bucket %s: %w", bucketDesks, err)
	}
	last := map[string]central.DeskActivity{}
	issued := map[string]uint64{}
	err = btx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		var e struct {
			Event struct {
				Sede string            `json:"sede"`
				Desk string            `json:"desk"`
				Kind pinsede.EventKind `json:"kind"`
				Time time.Time         `json:"time"`
			} `json:"event"`
			At time.Time `json:"at"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("event %q: %w", k, err)
		}
		key := string(deskKey(e.Event.Sede, e.Event.Desk))
		if d := last[key]; e.At.After(d.LastPush) {
			last[key] = central.DeskActivity{Sede: e.Event.Sede, Desk: e.Event.Desk, LastPush: e.At}
		}
		// Events refused are not kept, nor a replay answered duplicate:
		// the issues kept are those tally counted (one kept superseded
		// it counted again at each replay; here once).
		if e.Event.Kind == pinsede.EventIssued {
			issued[string(issuedKey(central.DayKey(e.Event.Time), e.Event.Sede))]++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count the overview again: %w", err)
	}
	for k, d := range last {
		if v := desks.Get([]byte(k)); v != nil {
			var had central.DeskActivity
			if err := json.Unmarshal(v, &had); err != nil {
				return fmt.Errorf("desk %q: %w", k, err)
			}
			if !d.LastPush.After(had.LastPush) {
				continue
			}
			had.LastPush = d.LastPush
			d = had
		}
		if err := putJSON(desks, []byte(k), d); err != nil {
			return err
		}
	}
	var kvs []kv
	for k, n := range issued {
		kvs = append(kvs, kv{[]byte(k), binary.BigEndian.AppendUint64(nil, n)})
	}
	return putSorted(btx, bucketIssued, kvs)
}

// deskKey is the key of a desk of sede in bucketDesks.
func deskKey(sede, desk string) []byte { return append(append([]byte(sede), 0), desk...) }

// lockKey is the key of a credential's lock ending at end in bucketLocked.
func lockKey(end time.Time, id string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(end.UnixMicro())), id...)
}

// indexLock keeps r's lock in bucketLocked and bucketLockEnds: PutRecord
// calls it for every credential it writes.
func indexLock(btx *bolt.Tx, r central.Record) error {
	ends, locked := btx.Bucket(bucketLockEnds), btx.Bucket(bucketLocked)
	id := []byte(r.Credential.ID)
	var key []byte
	if end, ok := central.LockEnd(r.Lock); ok {
		key = lockKey(end, r.Credential.ID)
	}
	old := ends.Get(id)
	if old != nil && key != nil && bytes.Equal(old, key[:8]) {
		return nil
	}
	if old != nil {
		if err := locked.Delete(append(bytes.Clone(old), id...)); err != nil {
			return err
		}
		if err := ends.Delete(id); err != nil {
			return err
		}
	}
	if key == nil {
		return nil
	}
	if err := ends.Put(id, key[:8]); err != nil {
		return err
	}
	return locked.Put(key, nil)
}

// tally records a push's central.Tally in its write transaction.
func tally(btx *bolt.Tx, t central.Tally) error {
	b := btx.Bucket(bucketDesks)
	k := deskKey(t.Sede, t.Desk)
	d := central.DeskActivity{Sede: t.Sede, Desk: t.Desk}
	if v := b.Get(k); v != nil {
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("desk %q of %s: %w", t.Desk, t.Sede, err)
		}
	}
	d.LastPush = t.At
	if t.Rejected > 0 {
		d.Rejected += t.Rejected
		d.LastRejected, d.LastReason = t.At, t.Reason
	}
	if err := putJSON(b, k, d); err != nil {
		return err
	}
	return addIssued(btx, t)
}

// issuedKey is the key of the PINs issued on day at sede in bucketIssued.
func issuedKey(day, sede string) []byte { return append(append([]byte(day), 0), sede...) }

// addIssued adds the PINs of t.Issued to bucketIssued.
func addIssued(btx *bolt.Tx, t central.Tally) error {
	b := btx.Bucket(bucketIssued)
	for day, n := range t.Issued {
		k := issuedKey(day, t.Sede)
		var had uint64
		if v := b.Get(k); len(v) == 8 {
			had = binary.BigEndian.Uint64(v)
		}
		if err := b.Put(k, binary.BigEndian.AppendUint64(nil, had+uint64(n))); err != nil {
			return err
		}
	}
	return nil
}

// Pulled records a desk's pull.
func (s *Store) Pulled(ctx context.Context, sede, desk string, cursor uint64, at time.Time) error {
	err := s.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketDesks)
		k := deskKey(sede, desk)
		d := central.DeskActivity{Sede: sede, Desk: desk}
		if v := b.Get(k); v != nil {
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
		}
		d.LastPull, d.Cursor = at, cursor
		return putJSON(b, k, d)
	})
	if err != nil {
		return fmt.Errorf("record pull of %s desk %q: %w", sede, desk, err)
	}
	return nil
}

// Overview reads the desks, the days and the locks in one read
// transaction, each by its own bucket: nothing reads the credentials or
// the events.
func (s *Store) Overview(ctx context.Context, at time.Time, days int) (central.Overview, error) {
	o := central.Overview{At: at}
	err := s.db.View(func(btx *bolt.Tx) error {
		changes := btx.Bucket(bucketChanges).Cursor()
		err := btx.Bucket(bucketDesks).ForEach(func(k, v []byte) error {
			if len(o.Desks) == central.MaxOverviewDesks {
				o.MoreDesks = true
				return nil
			}
			var d central.DeskActivity
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("desk %q: %w", k, err)
			}
			prefix := append([]byte(d.Sede), 0)
			// A desk is not sent its own events (sede.event changes of
			// its desk): they do not wait for it. Its own events pile up
			// only between two of its pulls, so a few times MaxPending
			// changes read bound the count.
			read := 0
			for ck, cv := changes.Seek(binary.BigEndian.AppendUint64(bytes.Clone(prefix), d.Cursor+1)); ck != nil && bytes.HasPrefix(ck, prefix) && d.Pending <= central.MaxPending && read < 4*(central.MaxPending+1); ck, cv = changes.Next() {
				read++
				var ch struct {
					Kind pinsede.ChangeKind `json:"kind"`
					Desk string             `json:"desk"`
				}
				if err := json.Unmarshal(cv, &ch); err != nil {
					return fmt.Errorf("change %x: %w", ck, err)
				}
				if ch.Kind != pinsede.ChangeSedeEvent || ch.Desk != d.Desk {
					d.Pending++
				}
			}
			o.Desks = append(o.Desks, d)
			return nil
		})
		if err != nil {
			return err
		}
		ds := central.Days(at, days)
		issued := map[string]int{}
		c := btx.Bucket(bucketIssued).Cursor()
		last := ds[len(ds)-1].Format(time.DateOnly)
		for k, v := c.Seek([]byte(ds[0].Format(time.DateOnly))); k != nil && len(v) == 8; k, v = c.Next() {
			day, _, _ := bytes.Cut(k, []byte{0})
			if string(day) > last {
				break
			}
			issued[string(day)] += int(binary.BigEndian.Uint64(v))
		}
		o.Issued = central.FillDays(ds, issued)
		lc := btx.Bucket(bucketLocked).Cursor()
		// Newest end first: the permanent locks, then the temporary ones
		// ending last, down to at.
		from := binary.BigEndian.AppendUint64(nil, uint64(at.UnixMicro()))
		for k, _ := lc.Last(); k != nil && bytes.Compare(k[:8], from) > 0; k, _ = lc.Prev() {
			if o.LockedPermanent+o.LockedTemporary == central.MaxOverviewLocked {
				o.MoreLocked = true
				break
			}
			end := time.UnixMicro(int64(binary.BigEndian.Uint64(k[:8]))).UTC()
			permanent := !end.Before(central.Forever)
			if permanent {
				o.LockedPermanent++
			} else {
				o.LockedTemporary++
			}
			if len(o.LockedList) < central.MaxOverviewLockedListed {
				r, err := (&tx{btx}).Record(string(k[8:]))
				if err != nil {
					return err
				}
				l := central.LockedCredential{CredentialID: r.Credential.ID, Sede: r.Credential.Sede, Type: r.Credential.Type, Permanent: permanent}
				if !permanent {
					l.Until = r.Lock.Until
				}
				o.LockedList = append(o.LockedList, l)
			}
		}
		return nil
	})
	if err != nil {
		return central.Overview{}, fmt.Errorf("overview of %s: %w", s.path, err)
	}
	return o, nil
}
