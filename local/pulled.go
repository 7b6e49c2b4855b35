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
// issued later at another sede, locked there after too many wrong PINs, or
// revoked there by an operator of centrale, becomes revoked here, with the
// reason (pinsede.ReasonSupersededBy, pinsede.ReasonLocked,
// ReasonRevokedAtCentrale) and an audit entry by pinsede.ActorCentrale at
// now. It returns the credentials it revoked.
//
// The kiosk's tickets (wire.ChangeTicket) join the tickets waiting, and a
// ticket another desk called (wire.ChangeTicketCalled) leaves them
// (tickets.go); the changes kept keep a ticket without its request.
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
			if err := t.put(bucketSync, key, keptChange(c)); err != nil { // no request kept (tickets.go)
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

// ReasonRevokedAtCentrale returns the revocation reason of a credential
// that an operator of the central records revoked for reason.
func ReasonRevokedAtCentrale(reason string) string {
	if reason == "" {
		return "revocato dall'archivio centrale"
	}
	return "revocato dall'archivio centrale: " + reason
}

// applyConverted makes dispositivo the active PIN ordinario of the sede
// that another sede's desk converted (wire.ChangeConverted), with an audit
// entry by pinsede.ActorCentrale at now. The change names no operator:
// ConvertedBy is the converting sede. A credential the sede does not hold
// as an active ordinario is left as it is.
func (t *tx) applyConverted(c wire.Change, now time.Time) error {
	at := c.Time
	if at.IsZero() {
		at = now
	}
	cred, err := t.Credential(c.CredentialID)
	switch {
	case errors.Is(err, pinsede.ErrNotFound):
		return nil
	case err != nil:
		return err
	case cred.Sede != c.Sede || cred.CodiceFiscale != c.CodiceFiscale || cred.Can(pinsede.TransitionConvert, at) != nil:
		return nil
	}
	cred.Type, cred.ConvertedAt, cred.ConvertedBy = pinsede.Dispositivo, at, c.BySede
	if err := t.PutCredential(cred); err != nil {
		return err
	}
	if _, err := t.AppendAudit(pinsede.AuditEntry{
		Time: now, Sede: cred.Sede, Actor: pinsede.ActorCentrale, Action: pinsede.ActionConverted,
		Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: "da ordinario a dispositivo alla sede " + c.BySede,
	}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
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
	case wire.ChangeRevoked:
		reason = ReasonRevokedAtCentrale(c.Reason)
	case wire.ChangeTicket, wire.ChangeTicketCalled:
		return r, false, t.applyTicketChange(c, now) // tickets.go
	case wire.ChangeConverted:
		return r, false, t.applyConverted(c, now)
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
