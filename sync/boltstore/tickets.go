package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// The buckets of the kiosks' tickets, made on first use.
var (
	// bucketTickets: sede ‖ 0 ‖ code -> JSON central.TicketRecord.
	bucketTickets = []byte("tickets")
	// bucketTicketChanges: the key in bucketChanges of each ChangeTicket
	// whose request is not wiped yet -> nothing.
	bucketTicketChanges = []byte("ticket_changes")
)

// ticketKey is the key of a ticket in bucketTickets.
func ticketKey(sede, code string) []byte { return append(append([]byte(sede), 0), code...) }

// PutTicket stores a ticket and its ChangeTicket in one write transaction,
// unless the sede holds the Limits' tickets already.
func (s *Store) PutTicket(ctx context.Context, t wire.Ticket, at time.Time) (bool, error) {
	stored, limit := false, s.limits.Load().Tickets
	err := s.db.Update(func(btx *bolt.Tx) error {
		tb, err := btx.CreateBucketIfNotExists(bucketTickets)
		if err != nil {
			return err
		}
		key := ticketKey(t.Sede, t.Code)
		if tb.Get(key) != nil {
			return nil // a retry: kept as it is
		}
		if held := sedeTickets(tb, t.Sede, limit); held >= limit {
			return fmt.Errorf("%d tickets held: %w", held, central.ErrTicketsFull)
		}
		v, err := json.Marshal(central.TicketRecord{Ticket: t, StoredAt: at})
		if err != nil {
			return err
		}
		if err := tb.Put(key, v); err != nil {
			return err
		}
		if err := (&tx{btx}).AddChange(central.TicketChange(t, at)); err != nil {
			return err
		}
		// AddChange numbered the change with the bucket's sequence.
		changeKey := binary.BigEndian.AppendUint64(append([]byte(t.Sede), 0), btx.Bucket(bucketChanges).Sequence())
		idx, err := btx.CreateBucketIfNotExists(bucketTicketChanges)
		if err != nil {
			return err
		}
		stored = true
		return idx.Put(changeKey, nil)
	})
	if err != nil {
		return false, fmt.Errorf("store ticket %s of %s: %w", t.Code, t.Sede, err)
	}
	return stored, nil
}

// sedeTickets counts the tickets of sede in tb, up to limit.
func sedeTickets(tb *bolt.Bucket, sede string, limit int) int {
	prefix := ticketKey(sede, "")
	n := 0
	c := tb.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n < limit; k, _ = c.Next() {
		n++
	}
	return n
}

// Ticket returns a ticket of sede by its code.
func (s *Store) Ticket(ctx context.Context, sede, code string) (central.TicketRecord, error) {
	var r central.TicketRecord
	err := s.db.View(func(btx *bolt.Tx) error {
		tb := btx.Bucket(bucketTickets)
		if tb == nil {
			return central.ErrNotFound
		}
		v := tb.Get(ticketKey(sede, code))
		if v == nil {
			return central.ErrNotFound
		}
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return r, fmt.Errorf("ticket %s of %s: %w", code, sede, err)
	}
	return r, nil
}

// WipeTickets removes the tickets issued before a time, and the requests in
// their ChangeTicket records, in one write transaction.
func (s *Store) WipeTickets(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(btx *bolt.Tx) error {
		if tb := btx.Bucket(bucketTickets); tb != nil {
			var old [][]byte
			err := tb.ForEach(func(k, v []byte) error {
				var r central.TicketRecord
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("ticket %q: %w", k, err)
				}
				if r.Ticket.Issued.Before(before) {
					old = append(old, bytes.Clone(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range old {
				if err := tb.Delete(k); err != nil {
					return err
				}
			}
			n = len(old)
		}
		idx := btx.Bucket(bucketTicketChanges)
		if idx == nil {
			return nil
		}
		changes := btx.Bucket(bucketChanges)
		var done [][]byte
		err := idx.ForEach(func(k, _ []byte) error {
			v := changes.Get(k)
			if v == nil {
				done = append(done, bytes.Clone(k))
				return nil
			}
			var c wire.Change
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("change %x: %w", k, err)
			}
			if c.Ticket == nil || !c.Ticket.Issued.Before(before) {
				return nil
			}
			wiped := central.WipedTicket(*c.Ticket)
			c.Ticket = &wiped
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			done = append(done, bytes.Clone(k))
			return changes.Put(bytes.Clone(k), b)
		})
		if err != nil {
			return err
		}
		for _, k := range done {
			if err := idx.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("wipe tickets before %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}

// CallTicket marks a ticket called, in the push's transaction.
func (t *tx) CallTicket(sede, code string, at time.Time) error {
	tb, err := t.btx.CreateBucketIfNotExists(bucketTickets)
	if err != nil {
		return err
	}
	key := ticketKey(sede, code)
	v := tb.Get(key)
	if v == nil {
		return nil
	}
	var r central.TicketRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return fmt.Errorf("ticket %s of %s: %w", code, sede, err)
	}
	if !r.CalledAt.IsZero() {
		return nil
	}
	r.CalledAt = at
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tb.Put(key, b)
}
