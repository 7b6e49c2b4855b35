package pinsede

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// applySedeEvent applies, in ApplyPulled's transaction, the event of
// another desk of the sede that the central records accepted
// (ChangeSedeEvent), so that every desk of the sede holds the sede's
// records:
//
//   - an issue (EventIssued) stores the credential, with its PIN hash,
//     and the citizen's record it carries, unless the desk holds a newer
//     one;
//   - a handover, a revocation or a conversion takes the credential held
//     through the same transition of the state machine ([Credential.Can])
//     the other desk took, with its time, operator and reason; a
//     conversion of another sede's PIN (ConvertCentral) stores the copy
//     the other desk stored, with no PIN hash;
//   - a delegation registered is stored, a delegation revoked is revoked;
//   - an operator account added, disabled, enabled, unlocked or given a
//     new password takes the state the other desk gave it, and a failed
//     login there counts here (applySedeOperator);
//   - the sede's set-up at its first desk (EventSedeSetUp) sets the sede
//     up here, when this desk joins it (applySedeSetUp).
//
// Each writes an audit entry by the other desk's operator, of the other
// desk (AuditEntry.Desk), at the time of the act there (AuditEntry.At),
// whose detail names the desk (deskDetail) and whose action is the one
// the other desk audited: ActionSlipReplaced for the issue of a slip
// that replaced a lost or spoiled one, ActionPrintFailed for the
// revocation of a PIN whose slip did not print. No outbox event: the
// central records have the event already (but for a lock-out that a
// failed login pulled causes here, applySedeOperator). The credential
// keeps no print of the other desk's (PrintedAt): the slip was printed
// there (the print is no event; the reconciliation of the sede counts
// each slip of the other desk's issues not voided as printed). The
// desk's own events (the
// change's Desk is Desk.DeskID) are skipped: they were applied when they
// were made; but when own, of a store restored from an older copy
// getting back what the desk did after the copy (RecoverOwn), they are
// applied as another desk's are, and those the copy holds change
// nothing, as an event applied before. An event applied before, or one the state machine refuses
// (a credential handed over or revoked here meanwhile), changes nothing,
// and neither does an event about a record of another sede.
func (d *Desk) applySedeEvent(tx Tx, c Change, now time.Time, own bool) error {
	ev := c.Event
	if ev == nil || c.Desk == d.DeskID && !own || ev.Sede != c.Sede {
		return nil
	}
	switch ev.Kind {
	case EventIssued:
		return applySedeIssue(tx, c, *ev, now)
	case EventHandedOver, EventRevoked, EventConverted:
		return applySedeTransition(tx, c, *ev, now)
	case EventDelegationRegistered, EventDelegationRevoked:
		return applySedeDelegation(tx, c, *ev, now)
	case EventSedeSetUp:
		return applySedeSetUp(tx, c, *ev, now)
	}
	if OperatorEvent(ev.Kind) {
		return applySedeOperator(tx, c, *ev, now)
	}
	return nil // a kind the desk keeps no record of
}

// applySedeSetUp sets up the sede as its first desk did, on a desk that
// joins it (NeedsSetup turns false), with the set-up's audit entry by
// the first supervisor. A desk set up already keeps its sede as it is.
func applySedeSetUp(tx Tx, c Change, ev Event, now time.Time) error {
	in := ev.SetUp
	if in == nil || in.Code != c.Sede || len(in.Validate()) > 0 {
		return nil
	}
	switch _, err := tx.Sede(); {
	case err == nil:
		return nil
	case !errors.Is(err, ErrNotFound):
		return err
	}
	if err := tx.SetSede(*in); err != nil {
		return err
	}
	return appendAudit(tx, now, c.Sede, ev.Actor, AuditEntry{Desk: c.Desk, Action: ActionSetup, Detail: deskDetail(c.Desk, in.Code+" "+in.Name)})
}

// deskDetail is the detail of an audit entry of an act of desk, another
// desk of the sede: "sportello 03: " and detail.
func deskDetail(desk, detail string) string {
	if desk == "" {
		desk = "senza numero"
	}
	return deskDetailPrefix + desk + ": " + detail
}

// deskDetailPrefix begins every detail deskDetail writes, and no detail
// of an issue of the desk's own (ActionIssued, ActionSlipReplaced: "busta
// …", "slip …").
const deskDetailPrefix = "sportello "

// sedeDetail reports whether detail is one deskDetail wrote: its entry
// records an act of another desk of the sede, pulled here. It tells
// apart the issues pulled before pulled entries kept their time there
// (AuditEntry.At) and, from a desk with no desk id, their desk: the
// store wrote this desk's id in those.
func sedeDetail(detail string) bool { return strings.HasPrefix(detail, deskDetailPrefix) }

// applySedeIssue stores the credential another desk of the sede issued,
// and the citizen's record the event carries, with the issue's audit
// entry.
func applySedeIssue(tx Tx, c Change, ev Event, now time.Time) error {
	cred := ev.Credential
	if cred.Sede != c.Sede {
		return nil
	}
	held, err := tx.Credential(cred.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if held.Can(TransitionIssue, cred.IssuedAt) != nil {
		return nil // held already: applied before
	}
	if cit := ev.Citizen; cit != nil && cit.CF() == cred.CodiceFiscale {
		switch mine, err := tx.Citizen(cred.CodiceFiscale); {
		case errors.Is(err, ErrNotFound) || err == nil && !mine.UpdatedAt.After(cit.UpdatedAt):
			if err := tx.PutCitizen(*cit); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	action, err := sedeIssueAction(tx, cred)
	if err != nil {
		return err
	}
	if err := tx.PutCredential(cred); err != nil {
		return err
	}
	return appendAudit(tx, now, c.Sede, cred.IssuedBy, AuditEntry{
		Desk: c.Desk, At: ev.Time, Action: action, Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: deskDetail(c.Desk, "busta "+cred.SlipSerial),
	})
}

// sedeIssueAction returns the action the desk that issued cred audited:
// ActionSlipReplaced when, in the same act (ReplaceSlip), the same
// operator revoked the citizen's slip as lost or spoiled (that desk sends
// the revocation first), else ActionIssued.
func sedeIssueAction(tx Tx, cred Credential) (AuditAction, error) {
	olds, err := tx.Credentials(cred.CodiceFiscale)
	if err != nil {
		return "", err
	}
	for _, o := range olds {
		if (o.RevokeReason == ReasonSlipLost || o.RevokeReason == ReasonSlipSpoiled) &&
			o.RevokedAt.Equal(cred.IssuedAt) && o.RevokedBy == cred.IssuedBy && o.ID != cred.ID {
			return ActionSlipReplaced, nil
		}
	}
	return ActionIssued, nil
}

// applySedeTransition takes the credential held through the handover,
// revocation or conversion that ev, of another desk of the sede,
// records, with its audit entry. A conversion of a credential the desk
// does not hold, of another sede, stores the copy the other desk stored.
// A revocation of an envelope printed here, before it was handed over,
// is kept for the clerks to be told (keepRevokedSlip).
func applySedeTransition(tx Tx, c Change, ev Event, now time.Time) error {
	in := ev.Credential
	var (
		t      Transition
		at     time.Time
		actor  string
		action AuditAction
		detail string
	)
	switch ev.Kind {
	case EventHandedOver:
		t, at, actor, action, detail = TransitionHandOver, in.HandedOverAt, in.HandedOverBy, ActionHandedOver, "busta "+in.SlipSerial
	case EventRevoked:
		t, at, actor, action, detail = TransitionRevoke, in.RevokedAt, in.RevokedBy, ActionRevoked, in.RevokeReason
		if in.RevokeReason == ReasonPrintFailed {
			action = ActionPrintFailed // the slip did not print: voided
		}
	default:
		t, at, actor, action, detail = TransitionConvert, in.ConvertedAt, in.ConvertedBy, ActionConverted, "da ordinario a dispositivo"
	}
	if at.IsZero() {
		at = ev.Time
	}
	cred, ok, err := changedCredential(tx, in, t, at)
	switch {
	case err != nil:
		return err
	case !ok && t == TransitionConvert && in.Sede != c.Sede && in.PINHash == "":
		if _, err := tx.Credential(in.ID); !errors.Is(err, ErrNotFound) {
			return err // held (nil: already converted here) or unreadable
		}
		cred = in // the copy of another sede's PIN, converted at the other desk
	case !ok:
		return nil
	default:
		switch t {
		case TransitionHandOver:
			cred.HandedOverAt, cred.HandedOverBy = in.HandedOverAt, in.HandedOverBy
		case TransitionRevoke:
			r := RevokedSlip{Reason: in.RevokeReason, Desk: c.Desk, Actor: in.RevokedBy, At: at}
			if err := keepRevokedSlip(tx, cred, r, true); err != nil {
				return err
			}
			cred.revoke(in.RevokedAt, in.RevokedBy, in.RevokeReason)
		case TransitionConvert:
			cred.Type, cred.ConvertedAt, cred.ConvertedBy = Dispositivo, in.ConvertedAt, in.ConvertedBy
		}
	}
	if err := tx.PutCredential(cred); err != nil {
		return err
	}
	return appendAudit(tx, now, c.Sede, actor, AuditEntry{
		Desk: c.Desk, At: ev.Time, Action: action, Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: deskDetail(c.Desk, detail),
	})
}

// applySedeDelegation stores a delegation another desk of the sede
// registered, or revokes the one it revoked, with an audit entry about
// each party.
func applySedeDelegation(tx Tx, c Change, ev Event, now time.Time) error {
	in := ev.Delegation
	if in == nil || in.Sede != c.Sede {
		return nil
	}
	held, err := tx.Delegation(in.ID)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	dl, actor, action, detail := *in, in.RegisteredBy, ActionDelegationRegistered, delegationPeriod(*in)
	if ev.Kind == EventDelegationRevoked {
		if !found || !held.RevokedAt.IsZero() {
			return nil // unknown here, or revoked already
		}
		dl = held
		dl.RevokedAt, dl.RevokedBy, dl.RevokeReason = in.RevokedAt, in.RevokedBy, in.RevokeReason
		actor, action, detail = in.RevokedBy, ActionDelegationRevoked, in.RevokeReason
	} else if found {
		return nil // registered before
	}
	if err := tx.PutDelegation(dl); err != nil {
		return err
	}
	es := delegationEntries(dl, action, deskDetail(c.Desk, detail))
	for i := range es {
		es[i].Desk, es[i].At = c.Desk, ev.Time
	}
	return appendAudit(tx, now, c.Sede, actor, es...)
}

// applySedeOperator gives the operator account an operator.* event of
// another desk of the sede carries the state that desk gave it, with the
// audit entry of the act: added (or, for an account of the same id here,
// replaced: the sede has one account of an id), disabled, enabled, a new
// password (reset, which lifts the lock-out here too, or changed),
// unlocked (the lock-out here lifted), or locked by failed logins
// counted at the other desk (locked here until the same time, unless for
// longer). An account this desk does not hold is added by any of them.
//
// A failed login at the other desk (EventOperatorLoginFailed) counts here
// as one of the desk's own, in the order the desk learns of them; one
// that brings the count to the lock-out locks the account from the
// failure's time, and, when that lock-out is still in force at now, sends
// it to the sede's desks (EventOperatorLocked of LockEventID: the same
// event any desk that the same failure locks sends). A right password at
// the other desk after failures (EventOperatorLogin) clears the count
// here; a lock-out in force stays until it ends. An event that changes
// nothing, applied before, writes nothing.
func applySedeOperator(tx Tx, c Change, ev Event, now time.Time) error {
	in := ev.Operator
	if in == nil || in.ID == "" || !in.Role.Valid() {
		return nil
	}
	held, err := tx.Operator(in.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	op := held
	if errors.Is(err, ErrNotFound) {
		op = in.Shared()
	}
	lock := false
	switch ev.Kind {
	case EventOperatorAdded:
		op.Name, op.Role, op.PasswordHash, op.Disabled, op.MustChangePassword = in.Name, in.Role, in.PasswordHash, in.Disabled, in.MustChangePassword
	case EventOperatorDisabled, EventOperatorEnabled:
		op.Disabled = in.Disabled
	case EventOperatorPasswordReset:
		op.PasswordHash, op.MustChangePassword = in.PasswordHash, in.MustChangePassword
		op.FailedLogins, op.LockedUntil = 0, time.Time{}
	case EventOperatorPasswordChanged:
		op.PasswordHash, op.MustChangePassword = in.PasswordHash, in.MustChangePassword
	case EventOperatorUnlocked:
		op.FailedLogins, op.LockedUntil = 0, time.Time{}
	case EventOperatorLocked:
		if ev.Until.After(op.LockedUntil) {
			op.LockedUntil = ev.Until
		}
	case EventOperatorLoginFailed:
		lock = op.failed(ev.Time) && op.Locked(now)
	case EventOperatorLogin:
		op.FailedLogins = 0
	}
	op.countEnded(held) // though a later change of the pull undoes it
	if op == held {
		return nil
	}
	if err := tx.PutOperator(op); err != nil {
		return err
	}
	detail := op.ID
	switch ev.Kind {
	case EventOperatorAdded:
		detail += " " + string(op.Role)
	case EventOperatorLoginFailed:
		detail += ", " + failedDetail(op, now)
	case EventOperatorLogin:
		if held.FailedLogins == 1 {
			detail += ", 1 tentativo azzerato"
		} else {
			detail += fmt.Sprintf(", %d tentativi azzerati", held.FailedLogins)
		}
	}
	if err := appendAudit(tx, now, c.Sede, ev.Actor, AuditEntry{Desk: c.Desk, At: ev.Time, Action: AuditAction(ev.Kind), Detail: deskDetail(c.Desk, detail)}); err != nil {
		return err
	}
	if !lock {
		return nil
	}
	return enqueueLogin(tx, LockEventID(ev.ID), EventOperatorLocked, c.Sede, ev.Time, op, op.LockedUntil)
}
