package local

import "github.com/pinsede/pinsede"

// draftKey is the key of an operator's draft: the tag of the operator's id.
func (t *tx) draftKey(operator string) []byte { return t.k.tag("draft", operator) }

// Draft returns an operator's request in progress.
func (t *tx) Draft(operator string) (pinsede.Draft, error) {
	var dr pinsede.Draft
	err := t.get(bucketDrafts, t.draftKey(operator), &dr)
	return dr, err
}

// PutDraft keeps a request in progress, replacing its operator's.
func (t *tx) PutDraft(dr pinsede.Draft) error {
	return t.put(bucketDrafts, t.draftKey(dr.Operator), dr)
}

// DeleteDraft wipes an operator's request in progress, if any.
func (t *tx) DeleteDraft(operator string) error {
	b, err := t.bucket(bucketDrafts)
	if err != nil {
		return err
	}
	return b.Delete(t.draftKey(operator))
}
