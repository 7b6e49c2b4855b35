package pinsede

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// An envelope this desk printed may die elsewhere: a change pulled from
// the central records revokes its PIN (another sede's newer PIN
// superseded it, centrale revoked or locked it), or another desk of the
// sede revoked it before the handover recorded here reached it (a
// handover centrale accepts, the revocation being applied after it). The
// citizen then holds, or is about to be given, a PIN the services refuse.
// ApplyPulled keeps each such envelope as a RevokedSlip, and the desk
// tells its clerks of it (RevokedSlips) until one of them acknowledges
// it (ForgetRevokedSlips): the store keeps it across restarts, as it
// keeps the slips whose print was cut short (printing.go).
//
// A revocation another desk of the sede made after the envelope was
// handed over is not kept: that desk had the citizen, or the case, in
// hand. Nor is one of a PIN whose slip was not printed here: this desk
// has no envelope of it.

// ActionRevocationAcknowledged records that a clerk acknowledged an
// envelope revoked elsewhere (ForgetRevokedSlips): who, and of which
// envelope, so that a supervisor can see who took the case in hand.
const ActionRevocationAcknowledged AuditAction = "credential.revocation_acknowledged"

// RevokedSlip is an envelope printed at this desk whose PIN a change
// pulled from the central records revoked; it holds nothing of the PIN.
type RevokedSlip struct {
	Credential    string        `json:"credential"`
	SlipSerial    string        `json:"slip_serial"`
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	// Citizen is the citizen's name, as RevokedSlips reads it from the
	// sede's record; empty when there is none. Not kept.
	Citizen string `json:"-"`
	// HandedOver is when the envelope was handed over; zero while it is
	// still at the desk (it can no longer be).
	HandedOver time.Time `json:"handed_over,omitzero"`
	// Reason is the revocation reason written on the credential: for a
	// PIN superseded, it names the sede and the day of the newer one.
	Reason string `json:"reason"`
	// Desk is the other desk of the sede that revoked the PIN, and Actor
	// its operator; Desk is empty and Actor ActorCentrale for a change of
	// the central records.
	Desk  string `json:"desk,omitempty"`
	Actor string `json:"actor"`
	// At is when the PIN was revoked.
	At time.Time `json:"at"`
}

// RevokedSlipTx keeps the envelopes printed at the desk whose PIN was
// revoked elsewhere, until a clerk acknowledges them.
type RevokedSlipTx interface {
	// RevokedSlips returns the envelopes kept, in the order kept.
	RevokedSlips() ([]RevokedSlip, error)
	// PutRevokedSlips keeps rs in place of those kept (none: removes
	// them).
	PutRevokedSlips(rs []RevokedSlip) error
}

// keepRevokedSlip keeps, in ApplyPulled's transaction, the envelope of
// held (the credential as the desk held it before the change revoked it)
// as r tells its revocation, when the desk printed it and, for a
// revocation by another desk of the sede (sameSede), when the envelope
// was not yet handed over at the revocation's time (r.At).
func keepRevokedSlip(tx Tx, held Credential, r RevokedSlip, sameSede bool) error {
	if held.PrintedAt.IsZero() || sameSede && !held.HandedOverAt.IsZero() && r.At.After(held.HandedOverAt) {
		return nil
	}
	rs, err := tx.RevokedSlips()
	if err != nil {
		return err
	}
	if slices.ContainsFunc(rs, func(k RevokedSlip) bool { return k.Credential == held.ID }) {
		return nil
	}
	r.Credential, r.SlipSerial, r.CodiceFiscale, r.HandedOver = held.ID, held.SlipSerial, held.CodiceFiscale, held.HandedOverAt
	return tx.PutRevokedSlips(append(rs, r))
}

// RevokedSlips returns the envelopes printed at this desk whose PIN was
// revoked elsewhere (a change pulled), with the citizen's name, oldest
// first, until a clerk acknowledges them (ForgetRevokedSlips).
func (d *Desk) RevokedSlips() ([]RevokedSlip, error) {
	var out []RevokedSlip
	err := d.Store.View(func(tx Tx) error {
		rs, err := tx.RevokedSlips()
		if err != nil {
			return err
		}
		for i, r := range rs {
			switch cit, err := tx.Citizen(r.CodiceFiscale); {
			case err == nil:
				rs[i].Citizen = cit.Request.FullName()
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		out = rs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("envelopes revoked elsewhere: %w", err)
	}
	return out, nil
}

// ForgetRevokedSlips forgets the envelopes rs (RevokedSlips), which the
// session's operator acknowledged: the desk tells them no more, and the
// audit records who acknowledged each (ActionRevocationAcknowledged). An
// envelope kept since is kept still.
func (d *Desk) ForgetRevokedSlips(s *Session, rs []RevokedSlip) error {
	err := d.update(s, func(tx Tx) error {
		kept, err := tx.RevokedSlips()
		if err != nil {
			return err
		}
		var told []AuditEntry
		kept = slices.DeleteFunc(kept, func(k RevokedSlip) bool {
			if !slices.ContainsFunc(rs, func(r RevokedSlip) bool { return r.Credential == k.Credential }) {
				return false
			}
			told = append(told, AuditEntry{
				Action: ActionRevocationAcknowledged, Subject: k.CodiceFiscale, Credential: k.Credential,
				Detail: k.SlipSerial + ": " + k.Reason,
			})
			return true
		})
		if len(told) == 0 {
			return nil
		}
		if err := tx.PutRevokedSlips(kept); err != nil {
			return err
		}
		return appendAudit(tx, d.Now(), s.Sede.Code, s.Actor(), told...)
	})
	if err != nil {
		return fmt.Errorf("forget the envelopes revoked elsewhere told to %s: %w", s.Actor(), err)
	}
	return nil
}
