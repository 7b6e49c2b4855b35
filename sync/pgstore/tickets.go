package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// calledTicket is a ticket a push marks called.
type calledTicket struct {
	sede, code string
	at         time.Time
}

// CallTicket keeps a ticket called for flush.
func (m *memTx) CallTicket(sede, code string, at time.Time) error {
	m.called = append(m.called, calledTicket{sede, code, at})
	return nil
}

// flushCalled queues on b the marking of the tickets called, those
// called before aside.
func (m *memTx) flushCalled(b *pgx.Batch) {
	if len(m.called) == 0 {
		return
	}
	var sedi, codes []string
	var ats []time.Time
	for _, c := range m.called {
		sedi, codes, ats = append(sedi, c.sede), append(codes, c.code), append(ats, c.at)
	}
	named(b.Queue(qCallTickets, sedi, codes, ats), "mark tickets called")
}

// PutTicket stores a ticket and its ChangeTicket in one transaction,
// unless the sede holds the Limits' tickets already: counted under the
// lock of the sede's changes, which the ChangeTicket takes anyway, so
// that posts through every replica at once store no more.
func (s *Store) PutTicket(ctx context.Context, t wire.Ticket, at time.Time) (bool, error) {
	stored, limit := false, s.limits.Load().Tickets
	err := s.inTx(ctx, func(ptx pgx.Tx) error {
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		named(batch.Queue(qLockChanges, lockChanges, []string{t.Sede}), "lock changes")
		var tag pgconn.CommandTag
		insert := batch.Queue(qInsertTicket, t.Sede, t.Code, t.Issued, at, b, limit)
		insert.Exec(func(ct pgconn.CommandTag) error {
			tag = ct
			return nil
		})
		named(insert, "insert ticket")
		if err := ptx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		if stored = tag.RowsAffected() == 1; stored {
			return insertChanges(ctx, ptx, []wire.Change{central.TicketChange(t, at)})
		}
		var held bool
		if err := ptx.QueryRow(ctx, qTicketHeld, t.Sede, t.Code).Scan(&held); err != nil {
			return err
		}
		if held {
			return nil // a retry: kept as it is
		}
		return fmt.Errorf("%d tickets held: %w", limit, central.ErrTicketsFull)
	})
	if err != nil {
		return false, fmt.Errorf("store ticket %s of %s: %w", t.Code, t.Sede, err)
	}
	return stored, nil
}

// Ticket returns a ticket of sede by its code.
func (s *Store) Ticket(ctx context.Context, sede, code string) (central.TicketRecord, error) {
	var r central.TicketRecord
	var b []byte
	var called *time.Time
	err := s.pool.QueryRow(ctx, qTicket, sede, code).Scan(&b, &r.StoredAt, &called)
	if errors.Is(err, pgx.ErrNoRows) {
		err = central.ErrNotFound
	}
	if err == nil {
		err = json.Unmarshal(b, &r.Ticket)
	}
	if err != nil {
		return r, fmt.Errorf("ticket %s of %s: %w", code, sede, s.classify(err))
	}
	if called != nil {
		r.CalledAt = *called
	}
	return r, nil
}

// WipeTickets removes the tickets issued before a time, and the requests in
// their ChangeTicket records, in one transaction.
func (s *Store) WipeTickets(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(ptx pgx.Tx) error {
		tag, err := ptx.Exec(ctx, qWipeTickets, before)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		_, err = ptx.Exec(ctx, qWipeRequests, before)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("wipe tickets before %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}
