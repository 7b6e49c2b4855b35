package pinsede

import "time"

// recordReplaced records the revocation of old, replaced by a new PIN of
// this desk. A copy of another sede's credential (one converted here,
// ConvertCentral) is revoked here with its audit entry but no outbox
// event: a sede sends events about its own credentials only, and the
// central records supersede it with the new PIN's issue.
func (d *Desk) recordReplaced(tx Tx, s *Session, now time.Time, old Credential) error {
	if old.Sede == s.Sede.Code {
		return d.record(tx, s, now, old, ActionRevoked, EventRevoked, ReasonReplaced)
	}
	if err := tx.PutCredential(old); err != nil {
		return err
	}
	return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{
		Action: ActionRevoked, Subject: old.CodiceFiscale, Credential: old.ID, Detail: ReasonReplaced,
	})
}
