package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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

// PutTicket stores a ticket and its ChangeTicket in one transaction.
func (s *Store) PutTicket(ctx context.Context, t wire.Ticket, at time.Time) (bool, error) {
	stored := false
	err := s.inTx(ctx, func(ptx pgx.Tx) error {
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		tag, err := ptx.Exec(ctx, qInsertTicket, t.Sede, t.Code, t.Issued, at, b)
		if err != nil {
			return err
		}
		if stored = tag.RowsAffected() == 1; !stored {
			return nil // a retry: kept as it is
		}
		return insertChanges(ctx, ptx, []wire.Change{central.TicketChange(t, at)})
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
		return r, fmt.Errorf("ticket %s of %s: %w", code, sede, err)
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
