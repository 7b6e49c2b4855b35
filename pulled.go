package pinsede

import (
	"errors"
	"fmt"
	"time"
)

// ChangeKind names a change the central records tell a sede about.
type ChangeKind string

// The kinds of change (sync/wire carries them as they are).
const (
	// ChangeSuperseded: a credential of this sede was replaced by one
	// issued later for the same codice fiscale, at another sede or at
	// another desk of this one (IssuedAt says when).
	ChangeSuperseded ChangeKind = "credential.superseded"
	// ChangeLocked: a credential of this sede was locked for good after
	// too many wrong PINs. The central records no longer send it; kept
	// for the changes recorded before.
	ChangeLocked ChangeKind = "credential.locked"
	// ChangeRevoked: a credential of this sede was revoked at the central
	// records (by another sede's desk, or by an operator of centrale).
	ChangeRevoked ChangeKind = "credential.revoked"
	// ChangeConverted: a PIN ordinario of this sede was converted to
	// dispositivo at another sede's desk.
	ChangeConverted ChangeKind = "credential.converted"
	// ChangeTicket: a kiosk of this sede submitted a ticket with its
	// pre-filled request (Ticket carries it).
	ChangeTicket ChangeKind = "ticket.submitted"
	// ChangeTicketCalled: a desk of this sede called a ticket (Ticket
	// carries its code only), so the others drop it from their queue.
	ChangeTicketCalled ChangeKind = "ticket.called"
	// ChangeSedeEvent: the central records accepted an event of a desk
	// of this sede (Desk names it; Event carries the event as that desk
	// sent it, an issue with its Citizen): the sede's other desks apply
	// it (sedeevent.go). Sent only to a desk that asks for it.
	ChangeSedeEvent ChangeKind = "sede.event"
)

// Change is a record of the central records that concerns the sede,
// numbered in their order: Seq is the cursor to pull after.
type Change struct {
	Seq           uint64        `json:"seq"`
	Kind          ChangeKind    `json:"kind"`
	Time          time.Time     `json:"time"`
	Sede          string        `json:"sede"`
	CredentialID  string        `json:"credential_id"`
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	// BySede is the sede whose credential took the place of this one, for
	// ChangeSuperseded, and the converting sede for ChangeConverted.
	BySede string `json:"by_sede,omitempty"`
	// ByDesk is the desk of BySede that issued the credential that took
	// the place of this one, for ChangeSuperseded ("" for a desk with no
	// desk id, and in a change the central records made before they sent
	// it).
	ByDesk string `json:"by_desk,omitempty"`
	// IssuedAt is when the credential that took the place of this one was
	// issued, in the central records' clock, for ChangeSuperseded; zero in
	// a change the central records made before they sent it.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// Reason is why the credential was revoked, for ChangeRevoked.
	Reason string `json:"reason,omitempty"`
	// Ticket is the ticket of ChangeTicket and ChangeTicketCalled.
	Ticket *Ticket `json:"ticket,omitempty"`
	// Desk is the desk of the sede whose event a ChangeSedeEvent carries
	// ("" for a desk with no desk id).
	Desk string `json:"desk,omitempty"`
	// Event is the event of a ChangeSedeEvent.
	Event *Event `json:"event,omitempty"`
}

// Revocation is a credential of the sede that a change pulled from the
// central records revoked.
type Revocation struct {
	// Seq is the change's number at the central records.
	Seq           uint64
	Kind          ChangeKind
	CredentialID  string
	CodiceFiscale CodiceFiscale
	// Reason is the revocation reason written on the credential.
	Reason string
	// At is when the central records made the change.
	At time.Time
}

// LastPull is what a desk knows of its pulls from the central records,
// for the reconciliation of the sede: when the last one succeeded, and
// the time of the latest event it holds of each other desk of the sede.
// A desk pushes its events in order, so the sede's records here hold
// every act of that desk up to that time.
type LastPull struct {
	// At is when the last pull succeeded (ApplyPulled's now); zero
	// before the first.
	At time.Time `json:"at"`
	// Desks maps each other desk of the sede ("" for one with no desk
	// id) to the time of its latest event pulled (ChangeSedeEvent).
	Desks map[string]time.Time `json:"desks,omitempty"`
}

// ApplyPulled applies changes pulled from the central records and keeps
// the cursor after them, all in one transaction: a credential superseded
// at the central records by one issued later at another sede or desk,
// locked there after too many wrong
// PINs, or revoked there, becomes revoked here (when the state machine
// allows it) with the reason (ReasonSupersededBy, ReasonReplacedOn,
// ReasonLocked, ReasonRevokedAtCentrale) and an audit entry by ActorCentrale at now; a
// PIN ordinario converted at another sede becomes dispositivo. It returns
// the credentials it revoked. An envelope printed here whose PIN a change
// revoked is kept for the clerks to be told (revokedslip.go).
//
// The kiosk's tickets (ChangeTicket) join the tickets waiting, and a
// ticket another desk called (ChangeTicketCalled) leaves them. The events
// of the sede's other desks (ChangeSedeEvent) bring their records here:
// issues with the citizen's record, handovers, revocations, conversions
// and delegations (applySedeEvent).
//
// Each change is applied once: one at or below the cursor kept (the
// central records send the changes after it, and the cursor after a page
// is kept with it) is not applied again, nor one whose Seq came before in
// changes; the cursor kept never goes back. The changes themselves are
// not kept, their records are (until 2026-12 every change was kept too,
// for good, and nothing read it; local schema 9 dropped them). A credential already revoked stays as it is; a change
// about a credential the sede does not hold is ignored.
// No event goes to the outbox (the central records made the change) but
// a lock-out that pulled failed logins cause here, when they bring an
// operator account's count to MaxFailedLogins (applySedeOperator): the
// link is then asked to push it.
//
// It records the pull at now, and the latest event of each other desk
// of the sede among changes (LastPull), even when there are none.
func (d *Desk) ApplyPulled(cursor uint64, changes []Change, now time.Time) ([]Revocation, error) {
	return d.applyPulled(cursor, changes, now, false, false)
}

// RecoverOwn is ApplyPulled for a store restored from an older copy
// (SyncTx.RecoveringOwn), whose pull asked the central records for the
// desk's own events too, from the copy's cursor (wire.PullOwn): those
// the copy does not hold, what the desk did after the copy, come back as
// the sede's other desks' events do (applySedeEvent: its issues, with
// their citizens, handovers, revocations, delegations), their audit
// entries naming the desk, each once: an event the store holds (made
// before the copy, or got back before) changes nothing. done says the
// pull has come to the sede's newest change, or that the central
// records did not send the desk's own events (a centrale of before
// them): the store's mark is cleared in the same transaction, and later
// pulls leave the desk's own events out again.
func (d *Desk) RecoverOwn(cursor uint64, changes []Change, now time.Time, done bool) ([]Revocation, error) {
	return d.applyPulled(cursor, changes, now, true, done)
}

// applyPulled is ApplyPulled, applying the desk's own events too when
// own, and clearing the store's mark to get them back when done.
func (d *Desk) applyPulled(cursor uint64, changes []Change, now time.Time, own, done bool) ([]Revocation, error) {
	var (
		out []Revocation
		tx  *enqueueing
	)
	err := d.Store.Update(func(store Tx) error {
		out, tx = out[:0], &enqueueing{Tx: store}
		if done {
			if err := tx.SetRecoveringOwn(false); err != nil {
				return fmt.Errorf("end the recovery: %w", err)
			}
		}
		kept, err := tx.SyncCursor()
		if err != nil {
			return fmt.Errorf("sync cursor: %w", err)
		}
		next := max(cursor, kept)
		seen := make(map[uint64]bool, len(changes))
		for _, c := range changes {
			if c.Seq <= kept || seen[c.Seq] {
				continue // applied before
			}
			seen[c.Seq] = true
			r, ok, err := d.applyChange(tx, c, now, own)
			if err != nil {
				return fmt.Errorf("change %d: %w", c.Seq, err)
			}
			if ok {
				out = append(out, r)
			}
		}
		if err := d.recordPull(tx, changes, now); err != nil {
			return err
		}
		return tx.SetSyncCursor(next)
	})
	if err != nil {
		return nil, fmt.Errorf("apply pulled changes: %w", err)
	}
	if tx.sent {
		d.notify() // a lock-out to send at once
	}
	return out, nil
}

// enqueueing is a Tx that tells whether an event went to the outbox.
type enqueueing struct {
	Tx
	sent bool
}

// Enqueue puts ev in the outbox, and remembers it did.
func (t *enqueueing) Enqueue(ev Event) error {
	t.sent = true
	return t.Tx.Enqueue(ev)
}

// recordPull keeps, in tx, the pull of changes at now: its time and the
// latest event of each other desk of the sede among them (LastPull).
func (d *Desk) recordPull(tx Tx, changes []Change, now time.Time) error {
	lp, err := tx.LastPull()
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("last pull: %w", err)
	}
	lp.At = now
	for _, c := range changes {
		if c.Kind != ChangeSedeEvent || c.Event == nil || c.Desk == d.DeskID || c.Event.Sede != c.Sede {
			continue
		}
		if lp.Desks == nil {
			lp.Desks = map[string]time.Time{}
		}
		if at := c.Event.Time; at.After(lp.Desks[c.Desk]) {
			lp.Desks[c.Desk] = at
		}
	}
	return tx.PutLastPull(lp)
}

// applyChange applies one change in ApplyPulled's transaction, an event
// of the desk's own too when own (RecoverOwn); ok reports whether it
// revoked a credential.
func (d *Desk) applyChange(tx Tx, c Change, now time.Time, own bool) (r Revocation, ok bool, err error) {
	var reason string
	switch c.Kind {
	case ChangeSuperseded:
		reason = ReasonSupersededBy(c.BySede, c.ByDesk, c.newerIssue())
	case ChangeLocked:
		reason = ReasonLocked
	case ChangeRevoked:
		reason = ReasonRevokedAtCentrale(c.Reason)
	case ChangeTicket, ChangeTicketCalled:
		return r, false, applyTicketChange(tx, c, now) // ticket.go
	case ChangeConverted:
		return r, false, applyConverted(tx, c, now)
	case ChangeSedeEvent:
		return r, false, d.applySedeEvent(tx, c, now, own) // sedeevent.go
	default:
		return r, false, nil // a kind this version does not act on: kept only
	}
	at := c.Time
	if at.IsZero() {
		at = now
	}
	cred, ok, err := changedCredential(tx, c.about(), TransitionRevoke, at)
	if !ok || err != nil {
		return r, false, err
	}
	sede, err := tx.Sede()
	switch {
	case errors.Is(err, ErrNotFound):
		sede.Code = cred.Sede
	case err != nil:
		return r, false, err
	}
	if c.Kind == ChangeSuperseded && c.BySede == sede.Code { // by a newer PIN of this very sede
		reason = ReasonReplaced
		if !c.IssuedAt.IsZero() {
			reason = ReasonReplacedOn(c.ByDesk, c.IssuedAt)
		}
	}
	held := cred
	cred.revoke(at, ActorCentrale, reason)
	if err := tx.PutCredential(cred); err != nil {
		return r, false, err
	}
	if err := keepRevokedSlip(tx, held, RevokedSlip{Reason: reason, Actor: ActorCentrale, At: at}, reason == ReasonReplaced); err != nil {
		return r, false, err
	}
	if err := appendAudit(tx, now, sede.Code, ActorCentrale,
		AuditEntry{Action: ActionRevoked, Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: reason}); err != nil {
		return r, false, err
	}
	return Revocation{Seq: c.Seq, Kind: c.Kind, CredentialID: cred.ID, CodiceFiscale: cred.CodiceFiscale, Reason: reason, At: at}, true, nil
}

// newerIssue returns when the credential that took the place of the one
// a ChangeSuperseded names was issued: IssuedAt, or, in a change the
// central records made before they sent it, when they made the change.
func (c Change) newerIssue() time.Time {
	if c.IssuedAt.IsZero() {
		return c.Time
	}
	return c.IssuedAt
}

// about returns the credential a change is about, as the change names
// it: its ID, Sede and CodiceFiscale.
func (c Change) about() Credential {
	return Credential{ID: c.CredentialID, Sede: c.Sede, CodiceFiscale: c.CodiceFiscale}
}

// changedCredential returns the credential held that c names (by its ID,
// Sede and CodiceFiscale) when the state machine lets it take transition t
// at at; ok is false when the sede holds no such credential or it cannot
// take t.
//
// A revocation at the central records is recorded on the state stored: a
// credential still attivo in the store but past its expiry at at is
// judged at the last instant it was in force, so that it shows revoked
// as the central records have it.
func changedCredential(tx Tx, c Credential, t Transition, at time.Time) (cred Credential, ok bool, err error) {
	cred, err = tx.Credential(c.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return cred, false, nil
	case err != nil:
		return cred, false, err
	case cred.Sede != c.Sede || cred.CodiceFiscale != c.CodiceFiscale:
		return cred, false, nil
	}
	if t == TransitionRevoke && !at.Before(cred.ExpiresAt) {
		at = cred.ExpiresAt.Add(-time.Nanosecond)
	}
	return cred, cred.Can(t, at) == nil, nil
}

// applyConverted makes dispositivo the active PIN ordinario of the sede
// that another sede's desk converted (ChangeConverted), with an audit
// entry by ActorCentrale at now. The change names no operator: ConvertedBy
// is the converting sede. A credential the sede does not hold as an active
// ordinario is left as it is.
func applyConverted(tx Tx, c Change, now time.Time) error {
	at := c.Time
	if at.IsZero() {
		at = now
	}
	cred, ok, err := changedCredential(tx, c.about(), TransitionConvert, at)
	if !ok || err != nil {
		return err
	}
	cred.Type, cred.ConvertedAt, cred.ConvertedBy = Dispositivo, at, c.BySede
	if err := tx.PutCredential(cred); err != nil {
		return err
	}
	return appendAudit(tx, now, cred.Sede, ActorCentrale,
		AuditEntry{Action: ActionConverted, Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: "da ordinario a dispositivo alla sede " + c.BySede})
}
