package local

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// Revocation is a credential of the sede that a change pulled from the
// central records revoked in the local store.
type Revocation struct {
	// Seq is the change's number at the central records.
	Seq           uint64
	Kind          wire.ChangeKind
	CredentialID  string
	CodiceFiscale pinsede.CodiceFiscale
	// Reason is the revocation reason written on the credential.
	Reason string
	// At is when the central records made the change.
	At time.Time
}

// ApplyPulled keeps pulled changes and the cursor after them, and applies
// to the sede's credentials the changes that concern them, all in one
// transaction: a credential superseded at the central records by one
// issued later at another sede, or locked there after too many wrong PINs,
// becomes revoked here, with the reason (pinsede.ReasonSupersededBy,
// pinsede.ReasonLocked) and an audit entry by pinsede.ActorCentrale at
// now. It returns the credentials it revoked.
//
// Applying a change again changes nothing: a change already kept is not
// applied again, and a credential already revoked stays as it is. A change
// about a credential this store does not hold is kept and otherwise
// ignored. No event goes to the outbox: the central records made the
// change.
func (s *Store) ApplyPulled(cursor uint64, changes []wire.Change, now time.Time) ([]Revocation, error) {
	var out []Revocation
	err := s.syncUpdate(func(t *tx) error {
		out = out[:0]
		for _, c := range changes {
			key := binary.BigEndian.AppendUint64(append([]byte{}, syncChange...), c.Seq)
			if t.btx.Bucket(bucketSync).Get(key) != nil {
				continue // kept, and applied, before
			}
			r, ok, err := t.applyChange(c, now)
			if err != nil {
				return fmt.Errorf("change %d: %w", c.Seq, err)
			}
			if ok {
				out = append(out, r)
			}
			if err := t.put(bucketSync, key, c); err != nil {
				return err
			}
		}
		return t.put(bucketSync, syncCursor, cursor)
	})
	if err != nil {
		return nil, fmt.Errorf("apply pulled changes in %s: %w", s.path, err)
	}
	return out, nil
}

// applyChange revokes the credential a change is about, if it is one of
// the sede's and still active; ok reports whether it did.
func (t *tx) applyChange(c wire.Change, now time.Time) (r Revocation, ok bool, err error) {
	var reason string
	switch c.Kind {
	case wire.ChangeSuperseded:
		reason = pinsede.ReasonSupersededBy(c.BySede, c.Time)
	case wire.ChangeLocked:
		reason = pinsede.ReasonLocked
	default:
		return r, false, nil // a kind this version does not act on: kept only
	}
	cred, err := t.Credential(c.CredentialID)
	switch {
	case errors.Is(err, pinsede.ErrNotFound):
		return r, false, nil
	case err != nil:
		return r, false, err
	case cred.State != pinsede.StateAttivo, cred.Sede != c.Sede, cred.CodiceFiscale != c.CodiceFiscale:
		return r, false, nil
	}
	sede, err := t.Sede()
	switch {
	case errors.Is(err, pinsede.ErrNotFound):
		sede.Code = cred.Sede
	case err != nil:
		return r, false, err
	}
	if c.Kind == wire.ChangeSuperseded && c.BySede == sede.Code {
		reason = pinsede.ReasonReplaced // by a newer PIN of this very sede
	}
	at := c.Time
	if at.IsZero() {
		at = now
	}
	cred.State, cred.RevokedAt, cred.RevokedBy, cred.RevokeReason = pinsede.StateRevocato, at, pinsede.ActorCentrale, reason
	if err := t.PutCredential(cred); err != nil {
		return r, false, err
	}
	if _, err := t.AppendAudit(pinsede.AuditEntry{
		Time: now, Sede: sede.Code, Actor: pinsede.ActorCentrale, Action: pinsede.ActionRevoked,
		Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: reason,
	}); err != nil {
		return r, false, fmt.Errorf("audit: %w", err)
	}
	return Revocation{Seq: c.Seq, Kind: c.Kind, CredentialID: cred.ID, CodiceFiscale: cred.CodiceFiscale, Reason: reason, At: at}, true, nil
}
