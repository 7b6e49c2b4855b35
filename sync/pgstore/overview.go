package pgstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
)

// queueTally queues on b the recording of a push's central.Tally: the
// row of the desk and those of the days, held from the tally to the
// commit only when COMMIT follows in the same batch. The days go in
// order, so that two pushes of one sede take their rows in the same
// order.
func queueTally(b *pgx.Batch, t central.Tally) {
	days := make([]string, 0, len(t.Issued))
	for d := range t.Issued {
		days = append(days, d)
	}
	slices.Sort(days)
	counts := make([]int64, len(days))
	for i, d := range days {
		counts[i] = int64(t.Issued[d])
	}
	named(b.Queue(qTally, t.Sede, t.Desk, t.At, t.Rejected, t.Reason, days, counts), "record push of "+t.Sede)
}

// Pulled records a desk's pull, with a generic plan (qGenericPlans): one
// batch, one round trip.
func (s *Store) Pulled(ctx context.Context, sede, desk string, cursor uint64, at time.Time) error {
	b := &pgx.Batch{}
	b.Queue(qGenericPlans)
	b.Queue(qPulled, sede, desk, int64(cursor), at)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("record pull of %s desk %q: %w", sede, desk, s.classify(err))
	}
	return nil
}

// Overview reads the desks, the days and the locks in one round trip and
// one snapshot, each by its table or index (TestPlans): nothing reads
// the credentials or the events whole.
func (s *Store) Overview(ctx context.Context, at time.Time, days int) (central.Overview, error) {
	o := central.Overview{At: at}
	ds := central.Days(at, days)
	issued := map[string]int{}
	// One read-only transaction, without JIT: the desks' plan adds up
	// thousands of small index reads, whose estimated cost passes
	// jit_above_cost, and compiling it took longer than running it.
	b := &pgx.Batch{}
	b.Queue(qBeginReadOnly)
	b.Queue(qNoJIT)
	b.Queue(qOverviewDesks, central.MaxOverviewDesks+1, central.MaxPending+1).Query(func(rows pgx.Rows) error {
		var err error
		o.Desks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (central.DeskActivity, error) {
			var d central.DeskActivity
			var push, pull, rejected pgtype.Timestamptz
			var cursor, nRejected, pending int64
			err := r.Scan(&d.Sede, &d.Desk, &push, &pull, &cursor, &nRejected, &rejected, &d.LastReason, &pending)
			d.LastPush, d.LastPull, d.LastRejected = push.Time, pull.Time, rejected.Time
			d.Cursor, d.Rejected, d.Pending = uint64(cursor), int(nRejected), int(pending)
			return d, err
		})
		return err
	})
	b.Queue(qOverviewIssued, ds[0].Format(time.DateOnly), ds[len(ds)-1].Format(time.DateOnly)).Query(func(rows pgx.Rows) error {
		var day string
		var n int64
		_, err := pgx.ForEachRow(rows, []any{&day, &n}, func() error {
			issued[day] = int(n)
			return nil
		})
		return err
	})
	b.Queue(qOverviewLocked, at, central.MaxOverviewLocked+1).Query(func(rows pgx.Rows) error {
		var l central.LockedCredential
		var typ string
		var end pgtype.Timestamptz
		_, err := pgx.ForEachRow(rows, []any{&l.CredentialID, &l.Sede, &typ, &end}, func() error {
			if o.LockedPermanent+o.LockedTemporary == central.MaxOverviewLocked {
				o.MoreLocked = true
				return nil
			}
			l.Type, l.Permanent, l.Until = pinsede.CredentialType(typ), end.InfinityModifier == pgtype.Infinity, time.Time{}
			if l.Permanent {
				o.LockedPermanent++
			} else {
				o.LockedTemporary++
				l.Until = end.Time
			}
			if len(o.LockedList) < central.MaxOverviewLockedListed {
				o.LockedList = append(o.LockedList, l)
			}
			return nil
		})
		return err
	})
	b.Queue(qCommit)
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return central.Overview{}, fmt.Errorf("overview: %w", s.classify(err))
	}
	defer c.Release()
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		if c.Conn().PgConn().TxStatus() != 'I' {
			c.Exec(context.WithoutCancel(ctx), qRollback)
		}
		return central.Overview{}, fmt.Errorf("overview: %w", s.classify(err))
	}
	if len(o.Desks) > central.MaxOverviewDesks {
		o.Desks, o.MoreDesks = o.Desks[:central.MaxOverviewDesks], true
	}
	o.Issued = central.FillDays(ds, issued)
	return o, nil
}
