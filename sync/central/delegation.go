package central

import (
	"errors"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// DelegationStatus is where a delegation is at the central records.
type DelegationStatus string

// The statuses of a delegation.
const (
	DelegationActive  DelegationStatus = "active"
	DelegationRevoked DelegationStatus = "revoked"
	// DelegationExpired: its last day (Until) has passed. A delegation
	// still marked active is marked expired when a rule finds it past.
	DelegationExpired DelegationStatus = "expired"
)

// MaxDelegationsPerDelegato is how many active delegations one person may
// hold as delegato, those of form AA10 (tutors) aside.
const MaxDelegationsPerDelegato = 3

// DelegationRecord is a delegation as the central records hold it.
type DelegationRecord struct {
	Delegation pinsede.Delegation `json:"delegation"`
	Status     DelegationStatus   `json:"status"`
	AcceptedAt time.Time          `json:"accepted_at"`
}

// Reasons of rejection of delegation events, the texts of pinsede's
// reason codes. The rules apply across every sede.
const (
	ReasonUnknownDelegation   = string(pinsede.RefusedUnknownDelegation)
	ReasonDelegationExists    = string(pinsede.RefusedDelegationExists)
	ReasonDelegationOtherSede = string(pinsede.RefusedDelegationOtherSede)
	ReasonSameParty           = string(pinsede.RefusedSameParty)
	ReasonNoCertificate       = string(pinsede.RefusedNoCertificate)
	ReasonUntilBeforeFrom     = string(pinsede.RefusedUntilBeforeFrom)
	ReasonDeleganteHasOne     = string(pinsede.RefusedDeleganteHasOne)
	ReasonDelegatoFull        = string(pinsede.RefusedDelegatoFull)
)

// checkDelegation checks the delegation a delegation.* event carries,
// without looking at stored records: an event of sede about a delegation
// of sede, and no credential.
func checkDelegation(ev pinsede.Event) string {
	d := ev.Delegation
	switch {
	case d == nil:
		return ReasonBadEvent + ": no delegation"
	case ev.Credential != (pinsede.Credential{}) || ev.Form != nil || ev.Ticket != "":
		return ReasonBadEvent + ": fields of another kind"
	case d.ID == "" || len(d.ID) > 64:
		return ReasonBadEvent + ": delegation id"
	}
	if ev.Kind == pinsede.EventDelegationRevoked {
		if d.RevokedAt.IsZero() || d.RevokedBy == "" {
			return ReasonBadEvent + ": a revocation carries revoked_at and revoked_by"
		}
		return ""
	}
	switch d.Form {
	case pinsede.FormAA08, pinsede.FormAA09, pinsede.FormAA10:
	default:
		return ReasonBadEvent + ": delegation form"
	}
	for _, p := range []pinsede.Party{d.Delegante, d.Delegato} {
		if cf, err := pinsede.ParseCodiceFiscale(string(p.CodiceFiscale)); err != nil || cf != p.CodiceFiscale {
			return ReasonBadEvent + ": codice fiscale of " + string(p.CodiceFiscale)
		}
	}
	switch {
	case d.Delegante.CodiceFiscale == d.Delegato.CodiceFiscale:
		return ReasonSameParty
	case d.Form == pinsede.FormAA09 && d.MedicalCertificate == "":
		return ReasonNoCertificate
	case d.Form != pinsede.FormAA09 && d.MedicalCertificate != "":
		return ReasonBadEvent + ": a medical certificate belongs to form AA09 only"
	case d.From.IsZero():
		return ReasonBadEvent + ": first day"
	case !d.Until.IsZero() && d.Until.Before(d.From):
		return ReasonUntilBeforeFrom
	case d.RegisteredAt.IsZero() || d.RegisteredBy == "":
		return ReasonBadEvent + ": registered_at and registered_by"
	case !d.RevokedAt.IsZero():
		return ReasonBadEvent + ": a delegation registered revoked"
	}
	return ""
}

// past reports whether a delegation's last day is before the day of at
// in Italy (Day), the day the sede wrote on the form, whatever at's
// location: centrale runs in UTC, whose day begins an hour or two later.
func past(d pinsede.Delegation, at time.Time) bool {
	return !d.Until.IsZero() && d.Until.Before(pinsede.DateOf(at.In(Italy)))
}

// applyDelegation applies a delegation.* event that Check passed. A
// registration is rejected when it breaks a rule across every sede: the
// delegante has an active delegation already, or the delegato holds
// MaxDelegationsPerDelegato active ones (AA10 delegations neither count
// nor are limited). Active delegations found past their last day are
// marked expired on the way, and count no more. A revocation's times,
// ev's own with the delegation's, are kept no earlier than its
// registration (actAfter).
func applyDelegation(tx Tx, sede string, ev *pinsede.Event, at time.Time) (wire.Verdict, string, error) {
	d := *ev.Delegation
	rec, err := tx.Delegation(d.ID)
	switch {
	case err != nil && !errors.Is(err, ErrNotFound):
		return "", "", err
	case ev.Kind == pinsede.EventDelegationRevoked && err != nil:
		return wire.Rejected, ReasonUnknownDelegation, nil
	case ev.Kind == pinsede.EventDelegationRevoked && rec.Delegation.Sede != sede:
		return wire.Rejected, ReasonDelegationOtherSede, nil
	case ev.Kind == pinsede.EventDelegationRevoked && rec.Status == DelegationRevoked:
		return wire.Accepted, "", nil // revoked before: the first revocation stands
	case ev.Kind == pinsede.EventDelegationRevoked:
		actAfter(rec.Delegation.RegisteredAt, &ev.Time, &d.RevokedAt)
		ev.Delegation = &d
		rec.Delegation.RevokedAt, rec.Delegation.RevokedBy, rec.Delegation.RevokeReason = d.RevokedAt, d.RevokedBy, d.RevokeReason
		rec.Status = DelegationRevoked
		return wire.Accepted, "", tx.PutDelegation(rec)
	case err == nil:
		return wire.Rejected, ReasonDelegationExists, nil
	}
	// ActiveDelegations holds each code: every transaction takes them in
	// the same order, the lesser first.
	first, second := d.Delegante.CodiceFiscale, d.Delegato.CodiceFiscale
	if second < first {
		first, second = second, first
	}
	held := map[string]DelegationRecord{}
	for _, cf := range []pinsede.CodiceFiscale{first, second} {
		recs, err := tx.ActiveDelegations(cf)
		if err != nil {
			return "", "", err
		}
		for _, r := range recs {
			held[r.Delegation.ID] = r
		}
	}
	counted := 0
	for _, r := range held {
		if past(r.Delegation, at) {
			r.Status = DelegationExpired
			if err := tx.PutDelegation(r); err != nil {
				return "", "", err
			}
			continue
		}
		switch {
		case r.Delegation.Delegante.CodiceFiscale == d.Delegante.CodiceFiscale:
			return wire.Rejected, fmt.Sprintf("%s (%s, sede %s)", ReasonDeleganteHasOne, r.Delegation.ID, r.Delegation.Sede), nil
		case r.Delegation.Delegato.CodiceFiscale == d.Delegato.CodiceFiscale && r.Delegation.Form != pinsede.FormAA10:
			counted++
		}
	}
	if d.Form != pinsede.FormAA10 && counted >= MaxDelegationsPerDelegato {
		return wire.Rejected, ReasonDelegatoFull, nil
	}
	st := DelegationActive
	if past(d, at) {
		st = DelegationExpired
	}
	return wire.Accepted, "", tx.PutDelegation(DelegationRecord{Delegation: d, Status: st, AcceptedAt: at})
}
