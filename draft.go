package pinsede

import (
	"errors"
	"fmt"
	"time"
)

// Draft is a request in progress at the desk: the MV35 and the identity
// check as the clerk has typed them so far, valid or not, kept in the store
// (sealed, like every record) so that nothing typed is lost to a crash, a
// power cut or an idle lock. Each operator has at most one. A draft is
// wiped when its request is issued (in the issue's own transaction), when
// the clerk abandons it, and at the end of its day: a draft of an earlier
// day is never offered, and goes at the next read.
type Draft struct {
	Operator string    `json:"operator"`
	Saved    time.Time `json:"saved"`
	// Step is the screen the clerk was on: DraftRequest or DraftVerify.
	Step string `json:"step"`
	// Fields holds each field's text as typed, by field name (the
	// Field* names; the desk's own names for its check boxes).
	Fields map[string]string `json:"fields"`
}

// The steps of a draft.
const (
	DraftRequest = "mv35"
	DraftVerify  = "verifica"
)

// MaxDraftBytes bounds the text of a draft: its field names and values
// together. The MV35 and the identity check are far smaller.
const MaxDraftBytes = 64 << 10

// ErrDraftTooLarge is returned by SaveDraft for a draft over MaxDraftBytes.
var ErrDraftTooLarge = errors.New("draft too large")

// SaveDraft keeps the request in progress of the session's operator,
// replacing the one kept before.
func (d *Desk) SaveDraft(s *Session, step string, fields map[string]string) error {
	if step != DraftRequest && step != DraftVerify {
		return fmt.Errorf("save draft: unknown step %q", step)
	}
	n := 0
	for k, v := range fields {
		n += len(k) + len(v)
	}
	if n > MaxDraftBytes {
		return fmt.Errorf("save draft: %d bytes, at most %d: %w", n, MaxDraftBytes, ErrDraftTooLarge)
	}
	dr := Draft{Operator: s.Actor(), Saved: d.Now(), Step: step, Fields: fields}
	// Kept even for a session ended since its login (ErrSessionEnded),
	// as at a colleague's Esci: what the operator typed is not lost.
	if err := d.Store.Update(func(tx Tx) error { return tx.PutDraft(dr) }); err != nil {
		return fmt.Errorf("save draft of %s: %w", s.Actor(), err)
	}
	return nil
}

// Draft returns the request in progress the session's operator left today,
// and whether there is one. A draft of an earlier day is wiped instead.
func (d *Desk) Draft(s *Session) (Draft, bool, error) {
	var dr Draft
	err := d.Store.View(func(tx Tx) error {
		var err error
		dr, err = tx.Draft(s.Actor())
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return Draft{}, false, nil
	case err != nil:
		return Draft{}, false, fmt.Errorf("draft of %s: %w", s.Actor(), err)
	case DateOf(dr.Saved) != DateOf(d.Now()):
		return Draft{}, false, d.DiscardDraft(s)
	}
	return dr, true, nil
}

// DiscardDraft wipes the request in progress of the session's operator,
// if any.
func (d *Desk) DiscardDraft(s *Session) error {
	if err := d.Store.Update(func(tx Tx) error { return tx.DeleteDraft(s.Actor()) }); err != nil {
		return fmt.Errorf("discard draft of %s: %w", s.Actor(), err)
	}
	return nil
}
