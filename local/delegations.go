package local

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pinsede/pinsede"
)

// delegationIndexKeys returns a delegation's keys in the
// delegations_by_delegante and delegations_by_delegato indexes: the tag of
// each party's codice fiscale (as citizenKey makes it), then the id.
func (t *tx) delegationIndexKeys(dl pinsede.Delegation) (byDelegante, byDelegato []byte) {
	byDelegante = append(t.citizenKey(dl.Delegante.CodiceFiscale), dl.ID...)
	byDelegato = append(t.citizenKey(dl.Delegato.CodiceFiscale), dl.ID...)
	return byDelegante, byDelegato
}

// Delegation returns the delegation with the given id.
func (t *tx) Delegation(id string) (pinsede.Delegation, error) {
	var dl pinsede.Delegation
	err := t.get(bucketDelegations, []byte(id), &dl)
	return dl, err
}

// PutDelegation creates or replaces a delegation and keeps its index
// entries in step with it.
func (t *tx) PutDelegation(dl pinsede.Delegation) error {
	if dl.ID == "" {
		return errors.New("put delegation: no id")
	}
	if dl.Delegante.CodiceFiscale == "" || dl.Delegato.CodiceFiscale == "" {
		return fmt.Errorf("put delegation %s: no codice fiscale", dl.ID)
	}
	byDelegante, err := t.bucket(bucketDelegsByDelegante)
	if err != nil {
		return err
	}
	byDelegato, err := t.bucket(bucketDelegsByDelegato)
	if err != nil {
		return err
	}
	var old pinsede.Delegation
	switch err := t.get(bucketDelegations, []byte(dl.ID), &old); {
	case errors.Is(err, pinsede.ErrNotFound):
	case err != nil:
		return err
	default:
		oldA, oldB := t.delegationIndexKeys(old)
		if err := byDelegante.Delete(oldA); err != nil {
			return err
		}
		if err := byDelegato.Delete(oldB); err != nil {
			return err
		}
	}
	a, b := t.delegationIndexKeys(dl)
	if err := byDelegante.Put(a, nil); err != nil {
		return err
	}
	if err := byDelegato.Put(b, nil); err != nil {
		return err
	}
	return t.put(bucketDelegations, []byte(dl.ID), dl)
}

// DelegationsOf returns the delegations in which cf is the delegante or
// the delegato, in every state, newest registered first.
func (t *tx) DelegationsOf(cf pinsede.CodiceFiscale) ([]pinsede.Delegation, error) {
	dls, err := t.bucket(bucketDelegations)
	if err != nil {
		return nil, err
	}
	prefix := t.citizenKey(cf)
	var out []pinsede.Delegation
	seen := map[string]bool{}
	for _, name := range [][]byte{bucketDelegsByDelegante, bucketDelegsByDelegato} {
		idx, err := t.bucket(name)
		if err != nil {
			return nil, err
		}
		c := idx.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := bytes.Clone(k[len(prefix):])
			if seen[string(id)] {
				continue
			}
			seen[string(id)] = true
			var dl pinsede.Delegation
			if err := t.decode(bucketDelegations, id, dls.Get(id), &dl); err != nil {
				if errors.Is(err, pinsede.ErrNotFound) {
					err = fmt.Errorf("%s entry %x without its delegation: %w", name, k, ErrCorrupt)
				}
				return nil, err
			}
			out = append(out, dl)
		}
	}
	slices.SortFunc(out, func(a, b pinsede.Delegation) int {
		if c := b.RegisteredAt.Compare(a.RegisteredAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
