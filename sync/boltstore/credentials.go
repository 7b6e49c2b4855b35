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

// openNewest creates bucketNewest in a file written before it, from the
// credentials the file holds.
func openNewest(btx *bolt.Tx) error {
	if btx.Bucket(bucketNewest) != nil {
		return nil
	}
	if _, err := btx.CreateBucket(bucketNewest); err != nil {
		return err
	}
	t := &tx{btx}
	return btx.Bucket(bucketCreds).ForEach(func(k, v []byte) error {
		var r central.Record
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("credential %s: %w", k, err)
		}
		return t.indexNewest(r)
	})
}

// indexNewest names r in bucketNewest for its slot when it was issued
// after the credential named there (central.IssuedLater), or none is.
func (t *tx) indexNewest(r central.Record) error {
	b := t.btx.Bucket(bucketNewest)
	key := []byte(central.SlotOf(r.Credential.Type).Key(r.Credential.CodiceFiscale))
	if id := b.Get(key); id != nil {
		cur, err := t.Record(string(id))
		if err != nil {
			return err
		}
		if !central.IssuedLater(r, cur) {
			return nil
		}
	}
	return b.Put(key, []byte(r.Credential.ID))
}
