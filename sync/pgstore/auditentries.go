package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// PutAuditEntries judges and stores a batch of entries, or records the
// fork, in one transaction under the sede's advisory lock of its audit
// heads (PutAuditHead's).
func (s *Store) PutAuditEntries(ctx context.Context, sede, desk string, chain []byte, es []pinsede.AuditEntry, at time.Time) (wire.AuditEntriesResponse, error) {
	var resp wire.AuditEntriesResponse
	var fork *central.ForkError
	var conflict string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		resp, fork, conflict = wire.AuditEntriesResponse{}, nil, ""
		if len(es) > 0 {
			if err := lockSedeAudit(ctx, tx, sede); err != nil {
				return err
			}
		}
		var tip central.EntriesTip
		var seq, proven int64
		err := tx.QueryRow(ctx, qAuditTip, sede, chain).Scan(&seq, &tip.Hash, &proven)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			tip.Seq, tip.Proven = uint64(seq), uint64(proven)
		}
		resp.Next = tip.Seq + 1
		if len(es) == 0 {
			return nil
		}
		first, last := es[0], es[len(es)-1]
		h := wire.AuditHead{Chain: chain, Seq: last.Seq, Hash: last.Hash, Desk: desk}
		st := central.EntriesState{Tip: tip, Heads: map[uint64][]byte{}, Stored: map[uint64][]byte{}}
		b := &pgx.Batch{}
		headState(b, sede, h, &st.HeadState)
		for _, q := range []struct {
			sql  string
			into map[uint64][]byte
		}{{qAuditHeadsWithin, st.Heads}, {qAuditEntriesWithin, st.Stored}} {
			b.Queue(q.sql, sede, chain, int64(first.Seq), int64(last.Seq)).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var seq int64
					var hash []byte
					if err := rows.Scan(&seq, &hash); err != nil {
						return err
					}
					q.into[uint64(seq)] = hash
				}
				return rows.Err()
			})
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if !st.Admitted { // what JudgeHead knows of a chain not admitted
			st.Highest, st.AtSeq = wire.AuditHead{}, nil
		}
		v := central.JudgeEntries(st, desk, chain, es)
		switch {
		case v.Conflict != "":
			conflict = v.Conflict
			return nil
		case v.Fork != "":
			f := central.AuditFork{Sede: sede, Head: v.Head, Reason: v.Fork, First: at, Last: at}
			err := tx.QueryRow(ctx, qRecordFork, sede, v.Head.Chain, int64(v.Head.Seq), v.Head.Hash, v.Fork, at, desk, central.MaxOpenForks).Scan(&f.ID, &f.First, &f.Count)
			fork = &central.ForkError{Fork: f}
			return err
		}
		b = &pgx.Batch{}
		if v.KeepHead {
			if st.AdmitsChain(v.Head) {
				b.Queue(qAdmitChain, sede, chain, at, desk)
			}
			if st.NewHead(v.Head) {
				b.Queue(qKeepHead, sede, chain, int64(v.Head.Seq), v.Head.Hash, at)
			}
		}
		if err := queueEntries(b, sede, chain, desk, v.Store); err != nil {
			return err
		}
		b.Queue(qPutTip, sede, chain, int64(v.Tip.Seq), v.Tip.Hash, int64(v.Tip.Proven))
		resp.Stored, resp.Next = len(v.Store), v.Tip.Seq+1
		return tx.SendBatch(ctx, b).Close()
	})
	return resp, central.EntriesResult(sede, err, fork, conflict)
}

// queueEntries queues on b the insert of entries of a chain of desk of
// sede, in one statement, one array a column; those stored before are
// left as they are.
func queueEntries(b *pgx.Batch, sede string, chain []byte, desk string, es []pinsede.AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	var (
		seqs                  []int64
		days, actors, actions []string
		subjects, docs        []string
		ats                   []time.Time
		hashes                [][]byte
	)
	for _, e := range es {
		e.Desk = desk
		js, err := json.Marshal(e)
		if err != nil {
			return err
		}
		seqs, days, ats = append(seqs, int64(e.Seq)), append(days, central.EntryDay(e).String()), append(ats, e.Time)
		actors, actions, subjects = append(actors, e.Actor), append(actions, string(e.Action)), append(subjects, string(e.Subject))
		hashes, docs = append(hashes, e.Hash), append(docs, string(js))
	}
	b.Queue(qInsertEntries, sede, chain, desk, seqs, days, ats, actors, actions, subjects, hashes, docs)
	return nil
}

// SearchAudit runs qSearchAudit, and reads its rows to the limits.
func (s *Store) SearchAudit(ctx context.Context, sede string, f pinsede.AuditFilter, after wire.AuditCursor, limit, maxBytes int) ([]pinsede.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, qSearchAudit, append([]any{sede, f.From.String(), f.To.String(), f.Actor, string(f.Action), string(f.Subject), limit},
		cursorArgs(after)...)...)
	if err != nil {
		return nil, fmt.Errorf("search the audit of %s: %w", sede, s.classify(err))
	}
	defer rows.Close()
	var out []pinsede.AuditEntry
	for size := 0; (size <= maxBytes || len(out) < 2) && rows.Next(); {
		var js []byte
		var e pinsede.AuditEntry
		if err := rows.Scan(&js); err != nil {
			return nil, fmt.Errorf("search the audit of %s: %w", sede, s.classify(err))
		}
		if err := json.Unmarshal(js, &e); err != nil {
			return nil, fmt.Errorf("search the audit of %s: %w", sede, s.classify(err))
		}
		out, size = append(out, e), size+central.EntrySize(e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search the audit of %s: %w", sede, s.classify(err))
	}
	return out, nil
}

// cursorArgs are the arguments $8 to $12 of qSearchAudit for the cursor
// after: its day, time, desk, seq and hash, all NULL for the start.
func cursorArgs(after wire.AuditCursor) []any {
	if after.IsZero() {
		return []any{nil, nil, nil, nil, nil}
	}
	return []any{central.EntryDay(after.Entry()).String(), after.Time, after.Desk, int64(after.Seq), after.Hash}
}

// dropEntries removes the entries of a chain of sede after seq to, and
// puts its tip back on the last entry kept (none: no tip), its proof no
// further: part of ResetAudit's transaction.
func dropEntries(ctx context.Context, tx pgx.Tx, sede string, chain []byte, to uint64) error {
	if _, err := tx.Exec(ctx, qDropEntries, sede, chain, int64(to)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, qDropTip, sede, chain, int64(to))
	return err
}
