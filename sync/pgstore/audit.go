package pgstore

import (
	"context"
	"errors"
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
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockAudit, sede)
	return err
}

// PutAuditHead judges and keeps, or records as a fork, an audit head in
// one transaction under the sede's advisory lock.
func (s *Store) PutAuditHead(ctx context.Context, sede string, h wire.AuditHead, at time.Time) error {
	var fork *central.ForkError
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		fork = nil
		if err := lockSedeAudit(ctx, tx, sede); err != nil {
			return err
		}
		st, err := headState(ctx, tx, sede, h)
		if err != nil {
			return err
		}
		verdict, reason := central.JudgeHead(st, h)
		switch verdict {
		case central.HeadKeep:
			if st.AdmitsChain(h) {
				if _, err := tx.Exec(ctx, `INSERT INTO audit_chains (sede, chain, at, desk) VALUES ($1, $2, $3, $4)
					ON CONFLICT (sede, chain) DO UPDATE SET desk = EXCLUDED.desk, at = EXCLUDED.at, reset_id = NULL`,
					sede, h.Chain, at, h.Desk); err != nil {
					return err
				}
			}
			if !st.NewHead(h) {
				return nil
			}
			_, err := tx.Exec(ctx, `INSERT INTO audit_heads (sede, chain, seq, hash, received) VALUES ($1, $2, $3, $4, $5)`,
				sede, h.Chain, int64(h.Seq), h.Hash, at)
			return err
		case central.HeadRefused:
			f := central.AuditFork{Sede: sede, Head: h, Reason: reason, First: at, Last: at}
			err := tx.QueryRow(ctx, `INSERT INTO audit_forks (sede, desk, chain, seq, hash, reason, first_at, last_at, count)
				VALUES ($1, $7, $2, $3, $4, $5, $6, $6, 1)
				ON CONFLICT (sede, desk, chain, seq, hash) WHERE resolved_by IS NULL
				DO UPDATE SET last_at = EXCLUDED.last_at, reason = EXCLUDED.reason, count = audit_forks.count + 1
				RETURNING id, first_at, count`,
				sede, notNull(h.Chain), int64(h.Seq), notNull(h.Hash), reason, at, h.Desk).Scan(&f.ID, &f.First, &f.Count)
			fork = &central.ForkError{Fork: f}
			return err
		}
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

// notNull returns b, or an empty slice for nil: pgx sends a nil slice
// as NULL, and the zero head of a fork has no chain and no hash.
func notNull(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// headState reads what JudgeHead needs of the chains of sede and the
// heads kept of h's chain.
func headState(ctx context.Context, tx pgx.Tx, sede string, h wire.AuditHead) (central.HeadState, error) {
	var st central.HeadState
	var chainDesk *string
	err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE desk = $3), max(desk) FILTER (WHERE chain = $2)
		FROM audit_chains WHERE sede = $1`, sede, h.Chain, h.Desk).Scan(&st.Chains, &chainDesk)
	if err != nil || chainDesk == nil {
		return st, err
	}
	st.Admitted, st.ChainDesk = true, *chainDesk
	var seq int64
	err = tx.QueryRow(ctx, `SELECT seq, hash FROM audit_heads WHERE sede = $1 AND chain = $2 AND discarded_by IS NULL
		ORDER BY seq DESC LIMIT 1`, sede, h.Chain).Scan(&seq, &st.Highest.Hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return st, err
	default:
		st.Highest.Chain, st.Highest.Seq = h.Chain, uint64(seq)
	}
	err = tx.QueryRow(ctx, `SELECT hash FROM audit_heads WHERE sede = $1 AND chain = $2 AND seq = $3 AND discarded_by IS NULL
		LIMIT 1`, sede, h.Chain, int64(h.Seq)).Scan(&st.AtSeq)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return st, err
}

// AuditHeads returns the heads of sede that bind, by chain and seq.
func (s *Store) AuditHeads(ctx context.Context, sede string) ([]wire.KeptHead, error) {
	rows, err := s.pool.Query(ctx, `SELECT h.chain, h.seq, h.hash, h.received, coalesce(c.desk, '') FROM audit_heads h
		LEFT JOIN audit_chains c ON c.sede = h.sede AND c.chain = h.chain
		WHERE h.sede = $1 AND h.discarded_by IS NULL ORDER BY h.chain, h.seq, h.hash`, sede)
	if err != nil {
		return nil, fmt.Errorf("audit heads of %s: %w", sede, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (wire.KeptHead, error) {
		var k wire.KeptHead
		var seq int64
		err := row.Scan(&k.Chain, &seq, &k.Hash, &k.Received, &k.Desk)
		k.Seq = uint64(seq)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit heads of %s: %w", sede, err)
	}
	return out, nil
}

// AuditForks returns the open forks, oldest first.
func (s *Store) AuditForks(ctx context.Context) ([]central.AuditFork, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, sede, desk, chain, seq, hash, reason, first_at, last_at, count FROM audit_forks
		WHERE resolved_by IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("audit forks: %w", err)
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
		return nil, fmt.Errorf("audit forks: %w", err)
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
		err := tx.QueryRow(ctx, `INSERT INTO audit_resets (sede, desk, chain, to_seq, by_op, reason, at, discarded, resolved)
			VALUES ($1, $7, $2, $3, $4, $5, $6, 0, 0) RETURNING id`,
			r.Sede, r.Chain, int64(r.To), r.By, r.Reason, r.At, r.Desk).Scan(&r.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_chains (sede, chain, at, reset_id, desk) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (sede, chain) DO UPDATE SET desk = EXCLUDED.desk, at = EXCLUDED.at, reset_id = EXCLUDED.reset_id
			WHERE audit_chains.desk <> EXCLUDED.desk`,
			r.Sede, r.Chain, r.At, r.ID, r.Desk); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE audit_heads SET discarded_by = $4
			WHERE sede = $1 AND chain = $2 AND seq > $3 AND discarded_by IS NULL`, r.Sede, r.Chain, int64(r.To), r.ID)
		if err != nil {
			return err
		}
		r.Discarded = int(tag.RowsAffected())
		if tag, err = tx.Exec(ctx, `UPDATE audit_forks SET resolved_by = $2 WHERE sede = $1 AND desk = $3 AND resolved_by IS NULL`,
			r.Sede, r.ID, r.Desk); err != nil {
			return err
		}
		r.Resolved = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `UPDATE audit_resets SET discarded = $2, resolved = $3 WHERE id = $1`, r.ID, r.Discarded, r.Resolved)
		return err
	})
	if err != nil {
		return central.AuditReset{}, fmt.Errorf("reset audit chain of %s: %w", r.Sede, err)
	}
	return r, nil
}
