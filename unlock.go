package pinsede

import (
	"fmt"
)

// ActionUnlocked records that the desk, after an identity check, asked the
// central records to lift the wrong-PIN lock of a credential.
const ActionUnlocked AuditAction = "credential.unlocked"

// UnlockPIN asks the central records to lift the wrong-PIN lock of an
// active credential the sede holds (its own, or a copy of another sede's
// or of an online PIN), after the identity check ver (the document and the
// checklist, as for Convert): the citizen, locked out at the portal by
// wrong PINs that may not be theirs, keeps the PIN they know.
//
// The lock is held at the central records only, so nothing changes in the
// credential at the sede: the audit entry (ActionUnlocked, naming the
// document checked) and the outbox event (EventUnlocked) are committed in
// one transaction, and the link is asked to push it. Invalid input returns
// FieldErrors and writes nothing; a credential that is not active returns
// ErrNotActive.
func (d *Desk) UnlockPIN(s *Session, credentialID string, ver Verification) (Credential, error) {
	wrap := func(err error) error { return fmt.Errorf("unlock %s: %w", credentialID, err) }
	now := d.Now()
	if es := ver.Validate(DateOf(now)); len(es) > 0 {
		return Credential{}, es
	}
	var cred Credential
	err := d.update(s, func(tx Tx) error {
		var err error
		if cred, err = tx.Credential(credentialID); err != nil {
			return err
		}
		if st := cred.StateAt(now); st != StateAttivo {
			return fmt.Errorf("%w: the credential is %s", ErrNotActive, st)
		}
		doc := ver.Document
		detail := fmt.Sprintf("sblocco dei tentativi errati chiesto a centrale; documento %s n. %s (%s), scade il %s",
			doc.Type, doc.Number, doc.Country, doc.ExpiresOn.Italian())
		return d.record(tx, s, now, cred, ActionUnlocked, EventUnlocked, detail)
	})
	if err != nil {
		return Credential{}, wrap(err)
	}
	d.notify()
	return cred, nil
}

// Unlock resumes a session locked for inactivity with the operator's
// password. Failures count towards the account's lock-out like a login's;
// an empty password is not one: it returns ErrNoPassword. A session
// ended since its login (its account disabled, its role changed, its
// password reset) is not resumed: ErrSessionEnded, the password not
// checked.
func (d *Desk) Unlock(s *Session, password string) error {
	if password == "" {
		return ErrNoPassword
	}
	if err := d.SessionValid(s); err != nil {
		return err
	}
	return d.checkPassword(s.Operator.ID, password, "", nil)
}
