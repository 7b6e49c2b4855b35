package boltstore

import (
	"context"
	"fmt"
	"math/big"

	bolt "go.etcd.io/bbolt"
)

// bucketCRL holds crlNumberKey -> the highest revocation list number
// loaded (big-endian, RaiseCRLNumber).
var (
	bucketCRL    = []byte("crl")
	crlNumberKey = []byte("number")
)

// RaiseCRLNumber records n unless a higher number is recorded, and
// returns the highest.
func (s *Store) RaiseCRLNumber(_ context.Context, n *big.Int) (*big.Int, error) {
	highest := new(big.Int).Set(n)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCRL)
		if err != nil {
			return err
		}
		if v := b.Get(crlNumberKey); v != nil {
			if kept := new(big.Int).SetBytes(v); kept.Cmp(highest) > 0 {
				highest = kept
				return nil
			}
		}
		return b.Put(crlNumberKey, highest.Bytes())
	})
	if err != nil {
		return nil, fmt.Errorf("raise revocation list number in %s: %w", s.path, err)
	}
	return highest, nil
}
