package pgstore

import (
	"context"
	"fmt"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
)

// Credentials returns every credential of cf, newest accepted first, by
// the index credentials_by_cf.
func (s *Store) Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]central.Record, error) {
	rows, err := s.pool.Query(ctx, qCredentialsOfCF, string(cf))
	if err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", cf.Redacted(), s.classify(err))
	}
	defer rows.Close()
	var out []central.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("credentials of %s: %w", cf.Redacted(), s.classify(err))
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", cf.Redacted(), s.classify(err))
	}
	return out, nil
}
