package pinsede

import (
	"context"
	"errors"
	"fmt"
)

// Reasons for replacing a slip, recorded as the old credential's
// revocation reason.
const (
	ReasonSlipLost    = "busta smarrita"
	ReasonSlipSpoiled = "busta danneggiata o illeggibile"
)

// ReplaceSlip replaces the lost or spoiled slip of an active credential. A
// slip is never printed twice: the old credential is revoked for reason
// (ReasonSlipLost or ReasonSlipSpoiled) and a new one, with a new PIN and a
// new slip serial, is issued to the same citizen and printed.
//
// A new PIN is issued with the care of an issue (issue 7: identity check,
// audit, sync, a printed paper): ver is the identity check made now,
// validated as Issue validates it ([Verification.Validate]: an expired
// document, an unticked checklist item, ... return FieldErrors, with an
// unknown reason's, and write nothing), and the eligibility policy in force
// today refuses the citizen's request with that document as it refuses an
// issue (a *Problem wrapping ErrNotEligible, the refusal recorded as
// ActionRefused and EventRefused; ReplaceSlipWithOverride replaces it on
// the approving supervisor's override), but for a PIN telefonico, whose
// issue it does not refuse (IssueTelephonePIN). The document checked becomes the
// citizen's, goes on the new MV35 (with its scan, when given) and is named
// in the replacement's audit entry.
//
// It needs the approval of an active supervisor other than the session's
// operator: ErrSameApprover for the operator's own approval, ErrForbidden
// for someone who is not a supervisor. The approver's password is checked
// like a login's (a wrong one returns ErrBadCredentials and counts towards
// the approver's lock-out). The old credential must allow
// TransitionReplace ([Credential.Can]), or ErrNotActive, and be this
// sede's own with its PIN hash, or a *Problem with KeyOtherSede
// (ErrOtherSede): the slip of another sede's or an online PIN is not
// replaced here.
//
// The revocation, the new credential, its MV35 (when Desk.Forms is set),
// their audit entries and their outbox events are committed in one
// transaction. If the new slip cannot be printed, the new credential is
// revoked and the error wraps ErrPrint, as for Issue.
func (d *Desk) ReplaceSlip(ctx context.Context, s *Session, credentialID, reason string, ver Verification, a Approval) (Issued, error) {
	return d.replaceSlip(ctx, s, credentialID, reason, ver, a, nil)
}

// ReplaceSlipWithOverride replaces a slip as ReplaceSlip does, for a
// citizen the policy in force refuses (a PIN first issued on an override,
// or a rule changed since), on the override of the supervisor who
// approves the replacement, with a written reason, checked as
// IssueWithOverride checks it (FieldErrors on FieldOverrideReason). The
// override is audited as ActionPolicyOverride, with the refusal's key, the
// approver and the reason, in the transaction that commits the new
// credential. A replacement the policy does not refuse is simply made,
// with no override recorded.
func (d *Desk) ReplaceSlipWithOverride(ctx context.Context, s *Session, credentialID, reason string, ver Verification, o Override) (Issued, error) {
	return d.replaceSlip(ctx, s, credentialID, reason, ver, Approval{SupervisorID: o.SupervisorID, Password: o.Password}, &o)
}

// replaceSlip is ReplaceSlip, on the override o of a's supervisor when o
// is not nil.
func (d *Desk) replaceSlip(ctx context.Context, s *Session, credentialID, reason string, ver Verification, a Approval, o *Override) (Issued, error) {
	wrap := func(err error) error { return fmt.Errorf("replace slip of %s: %w", credentialID, err) }
	if d.Printer == nil {
		return Issued{}, ErrNoPrinter
	}
	if err := d.clockOff(); err != nil { // before the approval and the dates
		return Issued{}, wrap(err)
	}
	var es FieldErrors
	if reason != ReasonSlipLost && reason != ReasonSlipSpoiled {
		es.add(FieldRevokeReason, KeyRequired, nil)
	}
	if o != nil {
		es = append(es, o.checkReason()...)
	}
	today := DateOf(d.Now())
	if es = append(es, ver.Validate(today)...); len(es) > 0 {
		return Issued{}, es
	}
	if err := d.approve(s, a); err != nil {
		return Issued{}, wrap(err)
	}
	now := d.Now()
	var old Credential
	var citizen Citizen
	err := d.view(s, func(tx Tx) error {
		var err error
		if old, err = tx.Credential(credentialID); err != nil {
			return err
		}
		if err := ownCredential(s, old); err != nil {
			return err
		}
		citizen, err = tx.Citizen(old.CodiceFiscale)
		return err
	})
	if err != nil {
		return Issued{}, wrap(err)
	}
	if err := old.Can(TransitionReplace, now); err != nil {
		return Issued{}, wrap(err)
	}
	citizen.Document, citizen.UpdatedAt = ver.Document, now
	if e, ok := citizenTextProblem(citizen); ok { // as validateIssue
		return Issued{}, FieldErrors{e}
	}
	var override []AuditEntry
	if old.Type != Telefonico { // IssueTelephonePIN applies no policy either
		dec, err := d.refusal(s, citizen.Request, &ver.Document, o == nil)
		switch {
		case err == nil:
		case o != nil && errors.Is(err, ErrNotEligible):
			override = []AuditEntry{o.entry(old.CodiceFiscale, dec.Key)}
		default:
			return Issued{}, err
		}
	}
	cred, pin, err := d.mint(s, old.CodiceFiscale, now)
	if err != nil {
		return Issued{}, wrap(err)
	}
	defer pin.Wipe()
	keepTelephone(&cred, old)
	var out Issued
	err = d.update(s, func(tx Tx) error {
		old, err := tx.Credential(credentialID) // read again: it may have changed
		if err != nil {
			return err
		}
		if err := ownCredential(s, old); err != nil {
			return err
		}
		if err := old.Can(TransitionReplace, now); err != nil {
			return err
		}
		old.revoke(now, s.Actor(), reason)
		if err := d.record(tx, s, now, old, ActionRevoked, EventRevoked, reason); err != nil {
			return err
		}
		cit, err := tx.Citizen(old.CodiceFiscale) // read again too
		if err != nil {
			return err
		}
		cit.Document, cit.UpdatedAt = ver.Document, now
		if err := tx.PutCitizen(cit); err != nil {
			return err
		}
		if ver.Scan != nil {
			if err := tx.PutScan(cred.ID, *ver.Scan); err != nil {
				return err
			}
		}
		doc := ver.Document
		detail := fmt.Sprintf("busta %s → %s, approvato da %s; documento %s n. %s (%s), scade il %s",
			old.SlipSerial, cred.SlipSerial, a.SupervisorID, doc.Type, doc.Number, doc.Country, doc.ExpiresOn.Italian())
		for i := range override {
			override[i].Credential = cred.ID
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), override...); err != nil {
			return err
		}
		if err := d.recordIssued(tx, s, now, cred, ActionSlipReplaced, detail, cit); err != nil {
			return err
		}
		if err := d.archiveMV35(tx, cred.ID, MV35Data{ // after the issue: its event follows the issue's
			Request: cit.Request, Document: ver.Document, Sede: s.Sede, Operator: s.Operator.Name, Date: now, Replaces: true,
		}); err != nil {
			return err
		}
		out = Issued{Credential: cred, Replaced: []Credential{old}}
		return startPrint(tx, cred, now, nil)
	})
	if err != nil {
		return Issued{}, wrap(err)
	}
	out.Pending = d.offline()
	out.Credential, err = d.printSlipPending(ctx, s, citizen.Request, cred, pin, out.Pending)
	d.notify() // the replacement, or the revocation of a slip not printed
	return out, err
}
