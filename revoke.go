package pinsede

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// KeyOtherSede is the message of a credential that the desk may neither
// revoke nor replace, because the central records manage it: another
// sede's or the online channel's (Sede), or a copy with no PIN hash.
const KeyOtherSede = "err.credential.othersede"

// ErrOtherSede is under the *Problem (KeyOtherSede) returned for a
// credential the desk does not manage: issued by another sede or online,
// or a copy with no PIN hash (see ConvertCentral).
var ErrOtherSede = errors.New("credential managed by the central records")

// ownCredential refuses c, with a *Problem (KeyOtherSede, ErrOtherSede),
// unless the sede of session s issued it and holds its PIN hash: a slip is
// replaced and a PIN revoked only where it was issued, and a copy of
// another sede's credential, converted here, is managed by the central
// records.
func ownCredential(s *Session, c Credential) error {
	if c.Sede == s.Sede.Code && c.PINHash != "" {
		return nil
	}
	return &Problem{Key: KeyOtherSede, Args: map[string]any{"Sede": c.Sede}, Err: ErrOtherSede}
}

// RevokeReasonMin is the fewest characters of a revocation reason written
// by the clerk: enough to say why, for the audit and for centrale.
const RevokeReasonMin = 10

// revokeReason returns the reason of a revocation as it is kept, on one
// line (FoldLines), or its problem on FieldRevokeReason: empty
// (KeyRequired), under RevokeReasonMin characters, over MaxTextRunes, or
// with a character InvisibleChar refuses.
func revokeReason(reason string) (string, FieldErrors) {
	reason = FoldLines(reason)
	if n := utf8.RuneCountInString(reason); n > 0 && n < RevokeReasonMin {
		return "", FieldErrors{{Field: FieldRevokeReason, Key: KeyRevokeReasonShort, Args: map[string]any{"Min": RevokeReasonMin}}}
	}
	var es FieldErrors
	es.checkText(FieldRevokeReason, reason, true, maxText)
	return reason, es
}

// Revoke revokes an active credential at the citizen's request, after the
// identity check, for reason (from RevokeReasonMin to 120 characters, an
// MV35 text's, kept on one line: its line breaks become spaces, FoldLines;
// else a FieldErrors on FieldRevokeReason). The credential must be one the
// session's operator issued: revoking another operator's issue needs a
// supervisor's approval (RevokeApproved), and Revoke returns
// ErrApprovalNeeded.
//
// The revocation, its audit entry (ActionRevoked) and its outbox event
// (EventRevoked) are committed in one transaction, and the link is asked to
// push it to centrale at once. A credential that is not active returns
// ErrNotActive (see [Credential.Can]); one of another sede or of the online
// channel, or a copy with no PIN hash, a *Problem with KeyOtherSede
// (ErrOtherSede): the central records manage it.
func (d *Desk) Revoke(s *Session, credentialID, reason string) (Credential, error) {
	return d.revokeCredential(s, credentialID, reason, nil)
}

// RevokeApproved is Revoke with a supervisor's approval, checked as for
// ReplaceSlip (ErrSameApprover, ErrBadCredentials, ErrForbidden). It
// revokes a credential whoever issued it; the approver is in the audit
// entry.
func (d *Desk) RevokeApproved(s *Session, credentialID, reason string, a Approval) (Credential, error) {
	return d.revokeCredential(s, credentialID, reason, &a)
}

// revokeCredential is Revoke, with an approval when a is not nil.
func (d *Desk) revokeCredential(s *Session, credentialID, reason string, a *Approval) (Credential, error) {
	wrap := func(err error) error { return fmt.Errorf("revoke %s: %w", credentialID, err) }
	reason, es := revokeReason(reason)
	if es != nil {
		return Credential{}, es
	}
	if a != nil {
		if err := d.approve(s, *a); err != nil {
			return Credential{}, wrap(err)
		}
	}
	now := d.Now()
	var cred Credential
	err := d.update(s, func(tx Tx) error {
		var err error
		if cred, err = tx.Credential(credentialID); err != nil {
			return err
		}
		if err := ownCredential(s, cred); err != nil {
			return err
		}
		if a == nil && cred.IssuedBy != s.Actor() {
			return ErrApprovalNeeded
		}
		if err := cred.Can(TransitionRevoke, now); err != nil {
			return err
		}
		cred.revoke(now, s.Actor(), reason)
		detail := reason
		if a != nil {
			detail += ", approvato da " + a.SupervisorID
		}
		return d.record(tx, s, now, cred, ActionRevoked, EventRevoked, detail)
	})
	if err != nil {
		return Credential{}, wrap(err)
	}
	d.notify()
	return cred, nil
}
