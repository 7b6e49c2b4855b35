package pgstore

import (
	"context"
	"fmt"
	"math/big"
)

// raiseCRLNumber keeps the higher of the number recorded and $1, and
// returns it, in one statement.
const raiseCRLNumber = `INSERT INTO crl_number (number) VALUES ($1::numeric)
ON CONFLICT (id) DO UPDATE SET number = GREATEST(crl_number.number, EXCLUDED.number)
RETURNING number::text`

// RaiseCRLNumber records n unless a higher number is recorded, and
// returns the highest.
func (s *Store) RaiseCRLNumber(ctx context.Context, n *big.Int) (*big.Int, error) {
	var text string
	if err := s.pool.QueryRow(ctx, raiseCRLNumber, n.String()).Scan(&text); err != nil {
		return nil, fmt.Errorf("raise revocation list number: %w", err)
	}
	highest, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, fmt.Errorf("raise revocation list number: %q is no number", text)
	}
	return highest, nil
}
