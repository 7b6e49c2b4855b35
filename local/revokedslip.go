package local

import (
	"errors"

	"github.com/pinsede/pinsede"
)

// The envelopes revoked elsewhere are few (each waits for a clerk to
// acknowledge it): the meta bucket keeps them in one sealed list, absent
// when there are none, as it keeps the slips printing (printing.go).

// RevokedSlips returns the envelopes kept by PutRevokedSlips, in the
// order kept.
func (t *tx) RevokedSlips() ([]pinsede.RevokedSlip, error) {
	var rs []pinsede.RevokedSlip
	err := t.get(bucketMeta, metaRevokedSlips, &rs)
	if errors.Is(err, pinsede.ErrNotFound) {
		return nil, nil
	}
	return rs, err
}

// PutRevokedSlips keeps rs in place of the envelopes kept, or removes
// them when rs is empty.
func (t *tx) PutRevokedSlips(rs []pinsede.RevokedSlip) error {
	return t.putMetaList(metaRevokedSlips, rs, len(rs))
}
