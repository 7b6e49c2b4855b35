package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	bolt "go.etcd.io/bbolt"
)

// Credentials returns every credential of cf, newest accepted first.
//
// The file keeps no index of a codice fiscale's credentials in every
// status (bucketActive and bucketLatest hold one per slot), so the lookup
// reads the whole credentials bucket, skipping without decoding the
// records that do not hold cf: a desk asks it when a clerk looks a citizen
// up, which a single machine's store answers in milliseconds. Production
// stores use sync/pgstore, whose lookup is indexed.
func (s *Store) Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]central.Record, error) {
	needle, err := json.Marshal(cf)
	if err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", cf.Redacted(), err)
	}
	var out []central.Record
	err = s.db.View(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketCreds).ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, needle) {
				return nil
			}
			var r central.Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("credential %s: %w", k, err)
			}
			if r.Credential.CodiceFiscale == cf {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", cf.Redacted(), err)
	}
	slices.SortFunc(out, func(a, b central.Record) int {
		return cmp.Or(b.AcceptedAt.Compare(a.AcceptedAt), cmp.Compare(a.Credential.ID, b.Credential.ID))
	})
	return out, nil
}
