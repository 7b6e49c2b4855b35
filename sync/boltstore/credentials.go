package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	bolt "go.etcd.io/bbolt"
)

// Credentials returns every credential of cf, newest accepted first,
// reading cf's credentials only (bucketCredsByCF).
func (s *Store) Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]central.Record, error) {
	var out []central.Record
	err := s.db.View(func(btx *bolt.Tx) (err error) {
		out, err = s.credentialsOf(&tx{btx}, cf)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", cf.Redacted(), err)
	}
	slices.SortFunc(out, func(a, b central.Record) int {
		return cmp.Or(b.AcceptedAt.Compare(a.AcceptedAt), cmp.Compare(a.Credential.ID, b.Credential.ID))
	})
	return out, nil
}

// credByCFKey is the key of credential id of cf in bucketCredsByCF.
func credByCFKey(cf pinsede.CodiceFiscale, id string) []byte {
	return append(append([]byte(cf), 0), id...)
}

// credentialsOf returns the credentials of cf in the order of their ids,
// from bucketCredsByCF, counting the records it reads (s.credsRead).
func (s *Store) credentialsOf(t *tx, cf pinsede.CodiceFiscale) ([]central.Record, error) {
	prefix := credByCFKey(cf, "")
	var out []central.Record
	c := t.btx.Bucket(bucketCredsByCF).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		s.credsRead.Add(1)
		r, err := t.Record(string(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
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
