package local

import (
	"errors"
	"slices"

	"github.com/pinsede/pinsede"
)

// The slips being printed are few (one per issue in progress, and those
// cut short until their operator is told): the meta bucket keeps them in
// one sealed list, absent when there are none.

// OrphansChecked reports whether SetOrphansChecked marked the store.
func (t *tx) OrphansChecked() (bool, error) {
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return false, err
	}
	return b.Get(metaOrphansChecked) != nil, nil
}

// SetOrphansChecked marks the store as checked, or, with false, not.
func (t *tx) SetOrphansChecked(done bool) error {
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	if !done {
		return b.Delete(metaOrphansChecked)
	}
	return b.Put(metaOrphansChecked, []byte{1})
}

// Printing returns the slips kept by PutPrinting, in the order kept.
func (t *tx) Printing() ([]pinsede.Printing, error) {
	var ps []pinsede.Printing
	err := t.get(bucketMeta, metaPrinting, &ps)
	if errors.Is(err, pinsede.ErrNotFound) {
		return nil, nil
	}
	return ps, err
}

// PutPrinting keeps p, replacing the one of its credential.
func (t *tx) PutPrinting(p pinsede.Printing) error {
	ps, err := t.Printing()
	if err != nil {
		return err
	}
	ps = slices.DeleteFunc(ps, func(q pinsede.Printing) bool { return q.Credential == p.Credential })
	return t.putPrinting(append(ps, p))
}

// DeletePrinting removes the slip of a credential, if kept.
func (t *tx) DeletePrinting(credentialID string) error {
	ps, err := t.Printing()
	if err != nil {
		return err
	}
	n := len(ps)
	ps = slices.DeleteFunc(ps, func(q pinsede.Printing) bool { return q.Credential == credentialID })
	if len(ps) == n {
		return nil
	}
	return t.putPrinting(ps)
}

// putPrinting stores the list ps, or removes it when empty.
func (t *tx) putPrinting(ps []pinsede.Printing) error {
	return t.putMetaList(metaPrinting, ps, len(ps))
}

// putMetaList stores list, of n items, under key in the meta bucket, or
// removes the key when n is 0.
func (t *tx) putMetaList(key []byte, list any, n int) error {
	if n > 0 {
		return t.put(bucketMeta, key, list)
	}
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	return b.Delete(key)
}
