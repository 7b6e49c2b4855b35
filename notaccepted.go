package pinsede

import (
	"errors"
	"fmt"
	"time"
)

// Verdict is what the central records did with one pushed event.
type Verdict string

// The verdicts. Every verdict is final: the desk removes the event from
// its outbox whatever the verdict, and shows the operator those that are
// not Accepted or Duplicate.
const (
	// VerdictAccepted: applied now.
	VerdictAccepted Verdict = "accepted"
	// VerdictDuplicate: applied before; nothing changed.
	VerdictDuplicate Verdict = "duplicate"
	// VerdictSuperseded: recorded, but a newer credential for the same
	// codice fiscale, accepted later from another sede, took its place.
	VerdictSuperseded Verdict = "superseded"
	// VerdictRejected: not applied, for the reason given.
	VerdictRejected Verdict = "rejected"
)

// NotAccepted is an outbox event the central records answered with a
// verdict other than accepted or duplicate: the desk shows it to the
// operator.
type NotAccepted struct {
	Seq     uint64    `json:"seq"`
	Event   Event     `json:"event"`
	Verdict Verdict   `json:"verdict"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// Acknowledge removes from the outbox the events of seqs, which the
// central records answered, and keeps those not accepted, in one
// transaction. A delegation whose registration was rejected ends here too
// (endRefusedDelegation).
func (d *Desk) Acknowledge(seqs []uint64, refused []NotAccepted) error {
	err := d.Store.Update(func(tx Tx) error {
		if err := tx.AckOutbox(seqs); err != nil {
			return err
		}
		for _, r := range refused {
			if err := tx.PutNotAccepted(r); err != nil {
				return err
			}
			if err := endRefusedDelegation(tx, r); err != nil {
				return fmt.Errorf("event %s: %w", r.Event.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("acknowledge the outbox: %w", err)
	}
	return nil
}

// NotAcceptedEvents returns the events the central records did not
// accept, oldest first.
func (d *Desk) NotAcceptedEvents() ([]NotAccepted, error) {
	var out []NotAccepted
	err := d.Store.View(func(tx Tx) (err error) {
		out, err = tx.NotAccepted()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("events not accepted: %w", err)
	}
	return out, nil
}

// endRefusedDelegation ends, at the sede, a delegation whose registration
// the central records rejected (another sede registered one that breaks a
// rule first): it is revoked by ActorCentrale with the reason, and audited
// for each party, so that it no longer counts toward the limits nor shows
// as active. Other refusals change nothing here.
func endRefusedDelegation(tx Tx, r NotAccepted) error {
	if r.Verdict != VerdictRejected || r.Event.Kind != EventDelegationRegistered || r.Event.Delegation == nil {
		return nil
	}
	dl, err := tx.Delegation(r.Event.Delegation.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	case !dl.RevokedAt.IsZero():
		return nil
	}
	reason := ReasonRefusedAtCentrale(r.Reason)
	dl.RevokedAt, dl.RevokedBy, dl.RevokeReason = r.At, ActorCentrale, reason
	if err := tx.PutDelegation(dl); err != nil {
		return err
	}
	return appendAudit(tx, r.At, dl.Sede, ActorCentrale,
		AuditEntry{Action: ActionDelegationRevoked, Subject: dl.Delegante.CodiceFiscale, Detail: string(dl.Form) + ": " + reason},
		AuditEntry{Action: ActionDelegationRevoked, Subject: dl.Delegato.CodiceFiscale, Detail: string(dl.Form) + ": " + reason})
}
