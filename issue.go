package pinsede

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Issued is the outcome of an issue: the credential as stored. The PIN is
// not in it: it went to the printer.
type Issued struct {
	Credential Credential
	// Replaced are the credentials the new one revoked.
	Replaced []Credential
	// Pending is true when the central records could not be reached at
	// print time: the PIN activates when the link returns, and the slip
	// says so.
	Pending bool
}

// Issue issues a PIN dispositivo to the citizen of req after the identity
// check ver: it validates both, generates the PIN, commits the credential,
// its MV35 (when Forms is set), its audit entry and its outbox event in one
// transaction, and prints the
// sealed-envelope slip. A previous active PIN of the same codice fiscale is
// revoked in the same transaction; a PIN telefonico is not, and stays
// valid beside it (see IssueTelephonePIN).
//
// Invalid input returns FieldErrors and writes nothing. A citizen the
// eligibility policy (Policy) refuses gets no PIN: the error is a *Problem
// whose Key says why, wrapping ErrNotEligible, and only the refusal is
// recorded (ActionRefused, and an EventRefused for centrale); see
// IssueWithOverride. If the slip cannot be
// printed, the new credential is revoked (nobody can know its PIN) and the
// error wraps ErrPrint: the clerk issues again.
func (d *Desk) Issue(ctx context.Context, s *Session, req Request, ver Verification) (Issued, error) {
	if d.Printer == nil {
		return Issued{}, ErrNoPrinter
	}
	if err := d.clockOff(); err != nil { // before the dates are checked on it
		return Issued{}, fmt.Errorf("issue: %w", err)
	}
	if es := validateIssue(&req, &ver, DateOf(d.Now())); len(es) > 0 {
		return Issued{}, es
	}
	if _, err := d.refusal(s, req, &ver.Document, true); err != nil {
		return Issued{}, err
	}
	return d.issue(ctx, s, req, ver)
}

// validateIssue validates the request and the verification of an issue as
// of today, normalising them in place, and then the citizen's record they
// make together (citizenTextProblem): every problem, in the order of the
// forms.
func validateIssue(req *Request, ver *Verification, today Date) FieldErrors {
	es := req.Validate(today)
	es = append(es, ver.Validate(today)...)
	if len(es) == 0 {
		if e, ok := citizenTextProblem(Citizen{Request: *req, Document: ver.Document}); ok {
			es = append(es, e)
		}
	}
	return es
}

// issue issues a PIN to a request and a verification already validated
// and allowed, committing the extra audit entries with the credential.
func (d *Desk) issue(ctx context.Context, s *Session, req Request, ver Verification, extra ...AuditEntry) (Issued, error) {
	return d.issueAs(ctx, s, req, ver, "", extra...)
}

// issueAs is issue for a PIN dispositivo when tv is empty, or for a PIN
// telefonico valid for tv: it revokes only the active credentials of the
// same family (see sameFamily).
func (d *Desk) issueAs(ctx context.Context, s *Session, req Request, ver Verification, tv TelephoneValidity, extra ...AuditEntry) (Issued, error) {
	now := d.Now()
	cred, pin, err := d.mint(s, req.CodiceFiscale, now)
	if err != nil {
		return Issued{}, fmt.Errorf("issue: %w", err)
	}
	if tv != "" {
		cred.Type, cred.Validity, cred.ExpiresAt = Telefonico, tv, tv.Expiry(now)
	}
	defer pin.Wipe()
	var out Issued
	err = d.update(s, func(tx Tx) error {
		out = Issued{}
		olds, err := tx.Credentials(req.CodiceFiscale)
		if err != nil {
			return err
		}
		for _, old := range olds {
			if old.Can(TransitionReplace, now) != nil || !sameFamily(old.Type, cred.Type) {
				continue
			}
			old.revoke(now, s.Actor(), ReasonReplaced)
			if err := d.recordReplaced(tx, s, now, old); err != nil { // replace.go
				return err
			}
			out.Replaced = append(out.Replaced, old)
		}
		cit := Citizen{Request: req, Document: ver.Document, UpdatedAt: now}
		if err := tx.PutCitizen(cit); err != nil {
			return err
		}
		if ver.Scan != nil {
			if err := tx.PutScan(cred.ID, *ver.Scan); err != nil {
				return err
			}
		}
		out.Credential = cred
		for i := range extra {
			extra[i].Credential = cred.ID
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), extra...); err != nil {
			return err
		}
		if err := d.recordIssued(tx, s, now, cred, ActionIssued, "busta "+cred.SlipSerial, cit); err != nil {
			return err
		}
		var draft *Draft // kept again if the print is cut short (printing.go)
		switch dr, err := tx.Draft(s.Actor()); {
		case err == nil:
			draft = &dr
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if err := tx.DeleteDraft(s.Actor()); err != nil { // draft.go: the request is done
			return err
		}
		if err := startPrint(tx, cred, now, draft); err != nil {
			return err
		}
		if cred.Type == Telefonico {
			return nil
		}
		return d.archiveMV35(tx, cred.ID, MV35Data{ // after the issue: its event follows the issue's
			Request: req, Document: ver.Document, Sede: s.Sede, Operator: s.Operator.Name, Date: now, Replaces: len(out.Replaced) > 0,
		})
	})
	if err != nil {
		return Issued{}, fmt.Errorf("issue: %w", err)
	}

	out.Pending = d.offline()
	out.Credential, err = d.printSlipPending(ctx, s, req, cred, pin, out.Pending)
	d.notify() // the issue, or the revocation of a slip not printed
	return out, err
}

// mint generates a PIN and the active credential it opens, issued now by
// the session's operator to cf. The caller wipes the PIN. It refuses
// while this PC's clock is off the central records' (clockOff): every new
// PIN, of an issue or a replaced slip, comes through it.
func (d *Desk) mint(s *Session, cf CodiceFiscale, now time.Time) (Credential, *PIN, error) {
	if err := d.clockOff(); err != nil { // link.go
		return Credential{}, nil, err
	}
	pin, err := GeneratePIN(d.Rand)
	if err != nil {
		return Credential{}, nil, err
	}
	secret := pin.Bytes()
	hash, err := HashSecret(secret, d.PINParams, d.Rand)
	clear(secret)
	if err != nil {
		pin.Wipe()
		return Credential{}, nil, err
	}
	cred := Credential{
		CodiceFiscale: cf,
		Type:          Dispositivo,
		State:         StateAttivo,
		PINHash:       hash,
		IssuedAt:      now,
		ExpiresAt:     Expiry(now),
		IssuedBy:      s.Actor(),
		Sede:          s.Sede.Code,
	}
	if cred.ID, err = NewID(d.Rand); err != nil {
		pin.Wipe()
		return Credential{}, nil, err
	}
	cred.SlipSerial = slipSerial(s.Sede.Code, now, cred.ID)
	return cred, pin, nil
}

// printSlipPending prints the slip of a credential just committed, saying
// "in attesa di attivazione" when pending, and records the print. If the
// slip cannot be printed, or the printer panics, the credential is revoked
// (nobody can know its PIN) and the error wraps ErrPrint. If the slip
// printed but its print could not be recorded (the store failing), the
// envelope exists and is voided the same way: its credential revoked if
// the store takes it, else left to the next start (RecoverPrints), and
// the error wraps ErrPrint and ErrPrintNotRecorded, for the clerk not to
// hand it over. Either removes the slip kept as printing (startPrint). It
// returns the credential as stored; but one that RecoverPrints took
// meanwhile (a desk started again in the same process) is left to it,
// and the error wraps ErrPrint (and ErrPrintNotRecorded if it printed).
// A slip that printed while a pull revoked its PIN is void too: the
// error wraps ErrPrint and ErrRevokedWhilePrinting.
// The print is recorded even if the session ended meanwhile
// (ErrSessionEnded): its credential is committed.
func (d *Desk) printSlipPending(ctx context.Context, s *Session, req Request, cred Credential, pin *PIN, pending bool) (Credential, error) {
	slip := Slip{
		Serial: cred.SlipSerial, Sede: s.Sede, Desk: s.Desk, Operator: s.Operator.Name, Citizen: req, PIN: pin,
		Type: cred.Type, IssuedAt: cred.IssuedAt, ExpiresAt: cred.ExpiresAt, Pending: pending,
		Validity: cred.Validity,
	}
	key, perr := KeyPrintFailed, d.printSlip(ctx, slip)
	if perr == nil {
		printed, taken, err := d.recordPrint(s, cred)
		switch {
		case taken: // printed after its PIN was revoked: the slip opens nothing
			return d.asStored(cred), &Problem{Key: KeyPrintNotRecorded, Err: fmt.Errorf("%w: %w: %s printed after its print was taken as cut short", ErrPrint, ErrPrintNotRecorded, cred.SlipSerial)}
		case err == nil && printed.State != StateAttivo: // a revocation pulled while it printed
			return printed, &Problem{Key: KeyPrintFailed, Err: fmt.Errorf("%w: %w: %s (%s)", ErrPrint, ErrRevokedWhilePrinting, cred.SlipSerial, printed.RevokeReason)}
		case err == nil:
			return printed, nil
		}
		key, perr = KeyPrintNotRecorded, fmt.Errorf("%w: record print of %s: %w", ErrPrintNotRecorded, cred.SlipSerial, err)
	}
	var revoked Credential
	var taken bool // by RecoverPrints
	err := d.Store.Update(func(tx Tx) error {
		ok, err := endPrint(tx, cred.ID)
		if !ok || err != nil {
			taken = err == nil
			return err
		}
		// As stored: a revocation pulled from centrale while it printed
		// stays as it is, with its reason, and makes no event.
		if revoked, err = tx.Credential(cred.ID); err != nil {
			return err
		}
		now := d.Now()
		if revoked.Can(TransitionRevoke, now) != nil {
			return nil
		}
		revoked.revoke(now, s.Actor(), ReasonPrintFailed)
		return d.record(tx, s, now, revoked, ActionPrintFailed, EventRevoked, perr.Error())
	})
	switch {
	case taken:
		return cred, &Problem{Key: key, Err: errors.Join(ErrPrint, perr)}
	case err != nil: // still active, its slip kept as printing: the next start revokes it
		return cred, &Problem{Key: key, Err: errors.Join(ErrPrint, perr, err)}
	}
	return revoked, &Problem{Key: key, Err: errors.Join(ErrPrint, perr)}
}

// asStored returns cred as the store has it now, or as it is when the
// store cannot say.
func (d *Desk) asStored(cred Credential) Credential {
	var c Credential
	if err := d.Store.View(func(tx Tx) error {
		var err error
		c, err = tx.Credential(cred.ID)
		return err
	}); err != nil {
		return cred
	}
	return c
}

// recordPrint records that the slip of cred printed: its PrintedAt, and
// the audit entry ActionPrinted. It reports taken, and records nothing,
// when RecoverPrints took the slip meanwhile.
func (d *Desk) recordPrint(s *Session, cred Credential) (_ Credential, taken bool, _ error) {
	at := d.Now()
	var printed Credential
	err := d.Store.Update(func(tx Tx) error {
		ok, err := endPrint(tx, cred.ID)
		if !ok || err != nil {
			taken = err == nil
			return err
		}
		// As stored: what a pull changed while it printed (a revocation
		// at centrale) stays.
		if printed, err = tx.Credential(cred.ID); err != nil {
			return err
		}
		printed.PrintedAt = at
		if err := tx.PutCredential(printed); err != nil {
			return err
		}
		return appendAudit(tx, at, s.Sede.Code, s.Actor(), AuditEntry{
			Action: ActionPrinted, Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: "busta " + cred.SlipSerial,
		})
	})
	if err != nil || taken {
		return cred, taken, err
	}
	// cred as issued, its times in the zone they were made in (the
	// store's copy has them in a fixed offset, and months added to it
	// would cross the clocks' change otherwise), with its print and the
	// state a pull gave it meanwhile.
	cred.PrintedAt = at
	cred.State, cred.RevokedAt, cred.RevokedBy, cred.RevokeReason = printed.State, printed.RevokedAt, printed.RevokedBy, printed.RevokeReason
	return cred, false, nil
}

// record stores a credential with its audit entry and its outbox event.
func (d *Desk) record(tx Tx, s *Session, now time.Time, c Credential, a AuditAction, k EventKind, detail string) error {
	return d.recordEvent(tx, s, now, c, a, detail, Event{Kind: k})
}

// recordIssued is record for the EventIssued of c, issued to the citizen
// cit: the event carries the citizen's record, for the sede's other
// desks (ChangeSedeEvent).
func (d *Desk) recordIssued(tx Tx, s *Session, now time.Time, c Credential, a AuditAction, detail string, cit Citizen) error {
	return d.recordEvent(tx, s, now, c, a, detail, Event{Kind: EventIssued, Citizen: &cit})
}

// recordEvent is record with ev, the outbox event of its kind, to which
// it gives an id, the time now, the session's sede and c.
func (d *Desk) recordEvent(tx Tx, s *Session, now time.Time, c Credential, a AuditAction, detail string, ev Event) error {
	if err := tx.PutCredential(c); err != nil {
		return err
	}
	if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{
		Action: a, Subject: c.CodiceFiscale, Credential: c.ID, Detail: detail,
	}); err != nil {
		return err
	}
	id, err := NewID(d.Rand)
	if err != nil {
		return err
	}
	ev.ID, ev.Time, ev.Sede, ev.Credential = id, now, s.Sede.Code, c
	return tx.Enqueue(ev)
}

// slipSerial makes the slip's serial number: sede, date and the first
// characters of the credential id, e.g. ROMA01-20261123-3F9A2C. It carries
// no personal data.
func slipSerial(sede string, t time.Time, id string) string {
	return fmt.Sprintf("%s-%s-%s", strings.ToUpper(sede), t.Format("20060102"), strings.ToUpper(id[:6]))
}
