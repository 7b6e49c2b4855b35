package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// lockAudit is the advisory lock key of a sede's audit heads (second key:
// the sede's hashtext), beside those of pgstore.go.
const lockAudit = 7310

// lockSedeAudit holds sede's audit heads against every other transaction
// until tx ends.
func lockSedeAudit(ctx context.Context, tx pgx.Tx, sede string) error {
	_, err := tx.Exec(ctx, qLockSedeAudit, lockAudit, sede)
	return err
}

// PutAuditHead judges and keeps, or records as a fork, an audit head in
// one transaction under the sede's advisory lock, of two round trips
// (inTwoTrips): BEGIN, the sede's lock and the read of headState in one
// batch; the writes JudgeHead calls for and COMMIT in another.
func (s *Store) PutAuditHead(ctx context.Context, sede string, h wire.AuditHead, at time.Time) error {
	var st central.HeadState
	var fork *central.ForkError
	err := s.inTwoTrips(ctx, func(b *pgx.Batch) {
		st = central.HeadState{} // on each attempt
		b.Queue(qLockSedeAudit, lockAudit, sede)
		headState(b, sede, h, &st)
	}, func(b *pgx.Batch) error {
		fork = queueHead(b, sede, h, st, at)
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit head %d of %s: %w", h.Seq, sede, err)
	}
	if fork != nil {
		return fork
	}
	return nil
}

// queueHead queues on b what JudgeHead calls for, given st, the state
// of h's sede and chain read under the sede's lock (headState): the
// head, and its chain admitted, for a head to keep; the fork, for a head
// refused, whose *ForkError it returns, filled in when b has run.
func queueHead(b *pgx.Batch, sede string, h wire.AuditHead, st central.HeadState, at time.Time) *central.ForkError {
	if !st.Admitted { // what JudgeHead knows of a chain not admitted
		st.Highest, st.AtSeq = wire.AuditHead{}, nil
	}
	verdict, reason := central.JudgeHead(st, h)
	switch verdict {
	case central.HeadKeep:
		if st.AdmitsChain(h) {
			named(b.Queue(qAdmitChain, sede, h.Chain, at, h.Desk), "admit audit chain")
		}
		if st.NewHead(h) {
			named(b.Queue(qKeepHead, sede, h.Chain, int64(h.Seq), h.Hash, at), "keep audit head")
		}
	case central.HeadRefused:
		fork := &central.ForkError{Fork: central.AuditFork{Sede: sede, Head: h, Reason: reason, First: at, Last: at}}
		b.Queue(qRecordFork, sede, notNull(h.Chain), int64(h.Seq), notNull(h.Hash), reason, at, h.Desk, central.MaxOpenForks).QueryRow(func(r pgx.Row) error {
			return r.Scan(&fork.Fork.ID, &fork.Fork.First, &fork.Fork.Count)
		})
		return fork
	}
	return nil
}

// notNull returns b, or an empty slice for nil: pgx sends a nil slice
// as NULL, and the zero head of a fork has no chain and no hash.
func notNull(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// headState queues on b the read of what JudgeHead needs of the chains
// of sede and the heads kept of h's chain, into st, with one statement.
// The highest head and the one at h's seq are read whether or not the
// chain is admitted: the caller forgets them when it is not.
func headState(b *pgx.Batch, sede string, h wire.AuditHead, st *central.HeadState) {
	b.Queue(qAuditHead, sede, h.Chain, h.Desk, int64(h.Seq)).QueryRow(func(r pgx.Row) error {
		var chains int64
		var chainDesk *string
		var highest *int64
		var highestHash []byte
		if err := r.Scan(&chains, &chainDesk, &highest, &highestHash, &st.AtSeq); err != nil {
			return err
		}
		st.Chains = int(chains)
		if chainDesk != nil {
			st.Admitted, st.ChainDesk = true, *chainDesk
		}
		if highest != nil {
			st.Highest = wire.AuditHead{Chain: h.Chain, Seq: uint64(*highest), Hash: highestHash}
		}
		return nil
	})
}

// AuditHeads returns a page of the heads of sede that bind, by chain and
// seq: at most limit after the cursor after, read in the order of
// audit_heads_pkey (one more, to tell whether more follow).
func (s *Store) AuditHeads(ctx context.Context, sede string, after wire.HeadCursor, limit int) ([]wire.KeptHead, bool, error) {
	rows, err := s.pool.Query(ctx, qAuditHeads, sede, notNull(after.Chain), int64(after.Seq), limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("audit heads of %s after %s: %w", sede, after, s.classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (wire.KeptHead, error) {
		var k wire.KeptHead
		var seq int64
		err := row.Scan(&k.Chain, &seq, &k.Hash, &k.Received, &k.Desk)
		k.Seq = uint64(seq)
		return k, err
	})
	if err != nil {
		return nil, false, fmt.Errorf("audit heads of %s after %s: %w", sede, after, s.classify(err))
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// AuditForks returns the open forks, oldest first.
func (s *Store) AuditForks(ctx context.Context) ([]central.AuditFork, error) {
	rows, err := s.pool.Query(ctx, qAuditForks)
	if err != nil {
		return nil, fmt.Errorf("audit forks: %w", s.classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (central.AuditFork, error) {
		var f central.AuditFork
		var seq int64
		err := row.Scan(&f.ID, &f.Sede, &f.Head.Desk, &f.Head.Chain, &seq, &f.Head.Hash, &f.Reason, &f.First, &f.Last, &f.Count)
		f.Head.Seq = uint64(seq)
		if len(f.Head.Chain) == 0 { // the zero head, of a log with no entry
			f.Head.Chain, f.Head.Hash = nil, nil
		}
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit forks: %w", s.classify(err))
	}
	return out, nil
}

// ResetAudit records a reset in one transaction under the sede's
// advisory lock.
func (s *Store) ResetAudit(ctx context.Context, r central.AuditReset) (central.AuditReset, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockSedeAudit(ctx, tx, r.Sede); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, qInsertReset, r.Sede, r.Chain, int64(r.To), r.By, r.Reason, r.At, r.Desk).Scan(&r.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, qResetChain, r.Sede, r.Chain, r.At, r.ID, r.Desk); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, qDiscardHeads, r.Sede, r.Chain, int64(r.To), r.ID)
		if err != nil {
			return err
		}
		r.Discarded = int(tag.RowsAffected())
		if tag, err = tx.Exec(ctx, qResolveForks, r.Sede, r.ID, r.Desk); err != nil {
			return err
		}
		r.Resolved = int(tag.RowsAffected())
		if err := dropEntries(ctx, tx, r.Sede, r.Chain, r.To); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, qCountReset, r.ID, r.Discarded, r.Resolved)
		return err
	})
	if err != nil {
		return central.AuditReset{}, fmt.Errorf("reset audit chain of %s: %w", r.Sede, err)
	}
	return r, nil
}
