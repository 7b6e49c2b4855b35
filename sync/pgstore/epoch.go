package pgstore

import (
	"context"
	"fmt"

	"github.com/pinsede/pinsede/sync/wire"
)

// Epoch returns the store's epoch.
func (s *Store) Epoch(ctx context.Context) (wire.Epoch, error) {
	return s.epoch(ctx, qEpoch)
}

// NewEpoch gives the store the epoch named id, from its newest change.
func (s *Store) NewEpoch(ctx context.Context, id string) (wire.Epoch, error) {
	return s.epoch(ctx, qNewEpoch, id)
}

// epoch runs q, which returns the epoch's row.
func (s *Store) epoch(ctx context.Context, q string, args ...any) (wire.Epoch, error) {
	var id string
	var from int64
	err := s.retry(ctx, func() error { return s.pool.QueryRow(ctx, q, args...).Scan(&id, &from) })
	if err != nil {
		return wire.Epoch{}, fmt.Errorf("store epoch: %w", err)
	}
	return wire.Epoch{ID: id, From: uint64(from)}, nil
}
