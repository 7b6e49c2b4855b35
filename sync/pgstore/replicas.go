package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede/sync/central"
)

// PublishReplica records r as seen now, and forgets the replicas not
// seen for a day.
func (s *Store) PublishReplica(ctx context.Context, r central.Replica) error {
	b := &pgx.Batch{}
	b.Queue(qPublishReplica, r.ID, r.Name, r.Fingerprint, r.Settings)
	b.Queue(qForgetReplicas)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("publish replica %s: %w", r.Name, err)
	}
	return nil
}

// Replicas returns the replicas seen within the last within.
func (s *Store) Replicas(ctx context.Context, within time.Duration) ([]central.Replica, error) {
	rows, err := s.pool.Query(ctx, qReplicas, within.Seconds())
	if err != nil {
		return nil, fmt.Errorf("replicas: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (central.Replica, error) {
		var r central.Replica
		err := row.Scan(&r.ID, &r.Name, &r.Fingerprint, &r.Settings, &r.Seen)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("replicas: %w", err)
	}
	return out, nil
}

// DropReplica forgets the replica id: it stops.
func (s *Store) DropReplica(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, qDropReplica, id); err != nil {
		return fmt.Errorf("drop replica: %w", err)
	}
	return nil
}
