package pgstore

import (
	"context"
	"fmt"
	"math/big"
)

// RaiseCRLNumber records n unless a higher number is recorded, and
// returns the highest.
func (s *Store) RaiseCRLNumber(ctx context.Context, n *big.Int) (*big.Int, error) {
	var text string
	if err := s.pool.QueryRow(ctx, qRaiseCRLNumber, n.String()).Scan(&text); err != nil {
		return nil, fmt.Errorf("raise revocation list number: %w", s.classify(err))
	}
	highest, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, fmt.Errorf("raise revocation list number: %q is no number", text)
	}
	return highest, nil
}
