package pgstore

import (
	"context"
	"fmt"
	"time"
)

// Clock returns PostgreSQL's clock: every replica of centrale compares
// its own with it (server.Server.CheckClock), the one clock they share.
func (s *Store) Clock(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := s.pool.QueryRow(ctx, qClock).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("database clock: %w", err)
	}
	return t, nil
}
