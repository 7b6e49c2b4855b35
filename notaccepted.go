package pinsede

import (
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// codice fiscale took its place: one issued later, at another sede or
	// at another desk of this one, whichever the central records got
	// first.
	VerdictSuperseded Verdict = "superseded"
	// VerdictRejected: not applied, for the reason given.
	VerdictRejected Verdict = "rejected"
)

// NotAccepted is an outbox event the central records answered with a
// verdict other than accepted or duplicate: the desk shows it to the
// operator.
type NotAccepted struct {
	Seq     uint64  `json:"seq"`
	Event   Event   `json:"event"`
	Verdict Verdict `json:"verdict"`
	// Reason is the reason the central records gave, as they wrote it;
	// Code splits it into a ReasonCode and a detail.
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// ReasonCode is why the central records did not accept an event, as a
// code the desk switches on. Its value is the text the central records
// write for it (sync/central's Reason... constants are these), which a
// detail may follow after ": " (ParseReason).
type ReasonCode string

// The reason codes the desk tells apart. A reason this version does not
// know has the code ReasonOther.
const (
	ReasonOther ReasonCode = ""
	// RefusedSuperseded: a newer credential took the event's place; the
	// detail is its slip serial.
	RefusedSuperseded          ReasonCode = "credential superseded by"
	RefusedOtherSede           ReasonCode = "event of another sede"
	RefusedUnknownKind         ReasonCode = "unknown event kind"
	RefusedBadEvent            ReasonCode = "invalid event"
	RefusedUnknownCred         ReasonCode = "unknown credential"
	RefusedCredExists          ReasonCode = "credential already issued"
	RefusedCredOtherSede       ReasonCode = "credential of another sede"
	RefusedFormTooLarge        ReasonCode = "form too large"
	RefusedNotConvertible      ReasonCode = "only an active PIN ordinario can be converted"
	RefusedUnknownDelegation   ReasonCode = "unknown delegation"
	RefusedDelegationExists    ReasonCode = "delegation already registered"
	RefusedDelegationOtherSede ReasonCode = "delegation of another sede"
	RefusedSameParty           ReasonCode = "rule: the delegante cannot be the delegato"
	RefusedNoCertificate       ReasonCode = "rule: a delegation on form AA09 needs the medical certificate"
	RefusedUntilBeforeFrom     ReasonCode = "rule: the last day comes before the first"
	RefusedDeleganteHasOne     ReasonCode = "rule: a delegante has at most one active delegation"
	RefusedDelegatoFull        ReasonCode = "rule: a delegato holds at most 3 active delegations (AA10 aside)"
	// RefusedAlreadyHandedOver: another desk recorded the handover of the
	// credential first; the detail says which desk and when.
	RefusedAlreadyHandedOver ReasonCode = "credential already handed over"
	// RefusedCredNotActive: another desk, or an operator of the central
	// records, revoked the credential first; the detail says who and
	// when.
	RefusedCredNotActive ReasonCode = "credential no longer active"
)

// reasonsWhole and reasonsWithDetail are the codes ParseReason knows:
// those that take no detail, and those a detail may follow.
var (
	reasonsWhole = []ReasonCode{
		RefusedOtherSede, RefusedUnknownKind, RefusedUnknownCred, RefusedCredExists, RefusedCredOtherSede,
	}
	reasonsWithDetail = []ReasonCode{
		RefusedSuperseded, RefusedBadEvent, RefusedFormTooLarge, RefusedNotConvertible,
		RefusedUnknownDelegation, RefusedDelegationExists, RefusedDelegationOtherSede, RefusedSameParty,
		RefusedNoCertificate, RefusedUntilBeforeFrom, RefusedDeleganteHasOne, RefusedDelegatoFull,
		RefusedAlreadyHandedOver, RefusedCredNotActive,
	}
)

// ParseReason splits a reason as the central records write it into its
// code and its free-text detail: "invalid event: pin hash" is
// RefusedBadEvent with the detail "pin hash". A reason of no known code is
// ReasonOther with the whole text as its detail.
func ParseReason(text string) (ReasonCode, string) {
	for _, c := range reasonsWhole {
		if text == string(c) {
			return c, ""
		}
	}
	for _, c := range reasonsWithDetail {
		if rest, ok := strings.CutPrefix(text, string(c)); ok {
			return c, strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		}
	}
	return ReasonOther, text
}

// Code returns the code of the reason the central records gave, and its
// detail (ParseReason).
func (n NotAccepted) Code() (ReasonCode, string) { return ParseReason(n.Reason) }

// Acknowledge removes from the outbox the events of seqs, which the
// central records answered, keeps those not accepted, and those taken as
// sent (SyncTx.AckOutbox: a centrale put back from a copy gets them
// again, FollowEpoch), in one transaction. A delegation whose registration was rejected ends here too
// (endRefusedDelegation).
//
// A form the central records took (an EventFormArchived of seqs not among
// refused: accepted, or a duplicate of one they accepted before, since
// they keep no rejected event) is kept there with the credential's
// record: the desk's copy of those very bytes goes, in the same
// transaction (releaseForms). A form refused, or never sent (a desk with
// no centrale, a conversion of another sede's PIN), stays at the desk,
// its only archive.
func (d *Desk) Acknowledge(seqs []uint64, refused []NotAccepted) error {
	refusedSeqs := make([]uint64, len(refused))
	for i, r := range refused {
		refusedSeqs[i] = r.Seq
	}
	taken := slices.DeleteFunc(slices.Clone(seqs), func(seq uint64) bool { return slices.Contains(refusedSeqs, seq) })
	err := d.Store.Update(func(tx Tx) error {
		if err := releaseForms(tx, taken); err != nil {
			return err
		}
		if err := tx.AckOutbox(taken, refusedSeqs); err != nil {
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

// releaseForms drops the desk's copy of each form that an event of taken
// carried, when the copy is still those bytes (DropDocument), before
// AckOutbox removes the events: a copy archived again since, for a
// conversion, stays until its own event is taken. The event keeps the
// form's bytes among the events sent (AckOutbox), until pruned.
func releaseForms(tx Tx, taken []uint64) error {
	for _, seq := range taken {
		id, f, ok, err := tx.OutboxForm(seq)
		if err != nil {
			return fmt.Errorf("outbox event %d: %w", seq, err)
		}
		if !ok {
			continue
		}
		if _, err := tx.DropDocument(id, f); err != nil {
			return fmt.Errorf("form of credential %s: %w", id, err)
		}
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
