package central

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// Tx is what Apply needs of a store's write transaction. Back ends
// implement it; Apply holds the rules, so that every back end applies
// them alike.
type Tx interface {
	// Seen returns the verdict an event id of sede was applied with,
	// before or earlier in the push; "" when it was not. Event ids are made
	// at each sede: another sede's event of the same id is another event.
	Seen(sede, eventID string) (wire.Verdict, error)
	// PutEvent records an applied event with its verdict, under its sede
	// and id.
	PutEvent(ev pinsede.Event, v wire.Verdict, at time.Time) error
	// Record returns a credential; ErrNotFound when unknown.
	Record(credentialID string) (Record, error)
	// Active returns the active credential of cf in slot; ErrNotFound
	// when none. It holds cf against other transactions until this one
	// ends.
	Active(cf pinsede.CodiceFiscale, slot Slot) (Record, error)
	// Newest returns the credential of cf in slot issued last (IssuedLater),
	// whatever its status; ErrNotFound when none.
	Newest(cf pinsede.CodiceFiscale, slot Slot) (Record, error)
	// PutRecord inserts or replaces a credential.
	PutRecord(r Record) error
	// AddChange records a change for c.Sede, numbering it. The event of
	// a ChangeSedeEvent is kept by reference: it is the event PutEvent
	// recorded under c.Sede and c.Event.ID, which Store.Changes gives
	// back with it.
	AddChange(c wire.Change) error
	// PutForm keeps an archived form of a credential, in the place of one
	// of the same kind kept before.
	PutForm(credentialID string, f pinsede.ArchivedForm, at time.Time) error
	// Delegation returns a delegation; ErrNotFound when unknown.
	Delegation(id string) (DelegationRecord, error)
	// ActiveDelegations returns the delegations with status active in
	// which cf is the delegante or the delegato. It holds cf against other
	// transactions until this one ends.
	ActiveDelegations(cf pinsede.CodiceFiscale) ([]DelegationRecord, error)
	// PutDelegation inserts or replaces a delegation.
	PutDelegation(r DelegationRecord) error
	// CallTicket marks a ticket of sede called at the time given; a code
	// it does not hold is no error.
	CallTicket(sede, code string, at time.Time) error
}

// Apply applies sede's events in order inside tx, and returns one result
// per event. reasons are ScreenAll's for the events: an event with a
// reason (its form refused by Check, or out of the Limits' bounds) is
// rejected for it. The store screens the events once, before it reads for
// them, and passes the reasons on: a form's SHA-256 is the largest part
// of a push's screening. Rejected events are not recorded, so a replay of
// one is rejected again, for the same reason.
func Apply(tx Tx, sede string, events []pinsede.Event, reasons []string, at time.Time) ([]wire.Result, error) {
	if len(reasons) != len(events) {
		return nil, fmt.Errorf("apply: %d reasons for %d events", len(reasons), len(events))
	}
	out := make([]wire.Result, 0, len(events))
	for i, ev := range events {
		r := wire.Result{ID: ev.ID, Verdict: wire.Rejected, Reason: reasons[i]}
		if r.Reason == "" {
			var err error
			if r.Verdict, r.Reason, err = apply1(tx, sede, ev, at); err != nil {
				return nil, fmt.Errorf("apply event %s: %w", ev.ID, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Screen returns the reason Apply rejects an event of sede with, at at,
// before it looks at stored records: its form (Check), then its bounds
// (lim.Check). It returns "" for an event Apply goes on to apply.
func Screen(lim Limits, sede string, ev pinsede.Event, at time.Time) string {
	if reason := Check(sede, ev); reason != "" {
		return reason
	}
	return lim.Check(ev, at)
}

// ScreenAll returns Screen's reason for each of events, in order, for
// Apply: a store may leave out of its reads the events with one. A push
// of more than screenChunk events is screened on up to GOMAXPROCS
// goroutines, screenChunk events at a time: a drain's push waits for its
// forms' SHA-256 before its transaction, with the database idle, and one
// core would hash them all.
func ScreenAll(lim Limits, sede string, events []pinsede.Event, at time.Time) []string {
	reasons := make([]string, len(events))
	screen := func(from int) {
		for i := from; i < min(from+screenChunk, len(events)); i++ {
			reasons[i] = Screen(lim, sede, events[i], at)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(events)+screenChunk-1)/screenChunk)
	if workers <= 1 {
		screen(0)
		return reasons
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for from := int(next.Add(screenChunk)) - screenChunk; from < len(events); from = int(next.Add(screenChunk)) - screenChunk {
				screen(from)
			}
		})
	}
	wg.Wait()
	return reasons
}

// screenChunk is how many events of a push one goroutine of ScreenAll
// screens at a time: about 16 forms of 18 KB, some 100 µs of hashing.
const screenChunk = 32

// apply1 applies one event that Screen let through.
//
// An issue takes the place of the active credential of its slot when it
// was issued no earlier than every credential of the slot: the newer
// credential wins, whatever order the desks push in. Issue times are
// centrale's, as Limits.Adjust corrected them; at the same instant, the
// issue applied later wins. An issue made before another of the slot (at
// a desk offline meanwhile), active or not, is kept as superseded by the
// newest at once, answered Superseded, and told to its sede's desks as an
// issue (ChangeSedeEvent) and then a ChangeSuperseded that names the
// newer one's sede, desk and issue time: its envelope is void. A newer
// PIN revoked (its envelope lost) or superseded does not bring the older
// one back: the citizen's last envelope was the newer one's. So an issue
// pushed revoked (revoked at its desk before its push) supersedes the
// older active one all the same.
func apply1(tx Tx, sede string, ev pinsede.Event, at time.Time) (wire.Verdict, string, error) {
	if seen, err := tx.Seen(sede, ev.ID); err != nil {
		return "", "", err
	} else if seen != "" {
		return replayed(tx, ev, seen)
	}
	c := ev.Credential
	verdict, reason := wire.Accepted, ""
	var lost *wire.Change // the ChangeSuperseded of an issue older than another of its slot
	switch ev.Kind {
	case pinsede.EventDigitalIdentityChosen, pinsede.EventRefused,
		pinsede.EventOperatorAdded, pinsede.EventOperatorDisabled, pinsede.EventOperatorEnabled,
		pinsede.EventOperatorUnlocked, pinsede.EventOperatorPasswordReset, pinsede.EventOperatorPasswordChanged,
		pinsede.EventOperatorLocked, pinsede.EventOperatorLoginFailed, pinsede.EventOperatorLogin, pinsede.EventSedeSetUp:
		// The outcome of a visit that created no credential, an act on
		// an operator account of the sede, or the sede's set-up: the
		// event itself is the record (the sede's desks get those of the
		// accounts and the set-up, SedeEvent).
	case pinsede.EventTicketCalled:
		if err := applyTicketCalled(tx, sede, ev, at); err != nil {
			return "", "", err
		}
	case pinsede.EventDelegationRegistered, pinsede.EventDelegationRevoked:
		var err error
		if verdict, reason, err = applyDelegation(tx, sede, &ev, at); err != nil || verdict == wire.Rejected {
			return verdict, reason, err
		}
	case pinsede.EventUnlocked:
		var err error
		if verdict, reason, err = applyUnlocked(tx, sede, ev, at); err != nil || verdict == wire.Rejected {
			return verdict, reason, err
		}
	case pinsede.EventConverted, pinsede.EventFormArchived:
		rec, err := tx.Record(c.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			return wire.Rejected, ReasonUnknownCred, nil
		case err != nil:
			return "", "", err
		case rec.Credential.Sede != c.Sede: // the sede's own; for a conversion, the issuing sede it names (convert.go)
			return wire.Rejected, ReasonCredOtherSede, nil
		}
		if f := ev.Form; ev.Kind == pinsede.EventFormArchived {
			if err := tx.PutForm(c.ID, *f, at); err != nil {
				return "", "", err
			}
			// The PDF is kept once, with the credential: the event keeps
			// the form's kind, SHA-256 and size.
			ev.Form = &pinsede.ArchivedForm{Kind: ev.Form.Kind, SHA256: ev.Form.SHA256, Size: ev.Form.Size}
			if ev.Form.SHA256 == "" { // a desk's from before forms left the JSON
				ev.Form.SHA256, ev.Form.Size = pinsede.FormDigest(f.PDF), len(f.PDF)
			}
			break
		}
		if rec.Status != StatusActive || rec.Credential.State != pinsede.StateAttivo ||
			rec.Credential.Type != pinsede.Ordinario || !rec.Credential.Active(at) {
			return wire.Rejected, fmt.Sprintf("%s (this one is %s, %s)", ReasonNotConvertible, rec.Credential.Type, rec.Status), nil
		}
		actAfterIssue(&ev, rec.Credential.IssuedAt)
		c = ev.Credential
		rec.Credential.Type, rec.Credential.ConvertedAt, rec.Credential.ConvertedBy = pinsede.Dispositivo, c.ConvertedAt, c.ConvertedBy
		if err := putConverted(tx, sede, rec, at); err != nil {
			return "", "", err
		}
	case pinsede.EventIssued:
		if _, err := tx.Record(c.ID); err == nil {
			return wire.Rejected, ReasonCredExists, nil
		} else if !errors.Is(err, ErrNotFound) {
			return "", "", err
		}
		st := StatusActive
		if c.State != pinsede.StateAttivo {
			st = StatusRevoked
		}
		rec := Record{Credential: c, Status: st, AcceptedAt: at, Desk: ev.Desk}
		newest, err := tx.Newest(c.CodiceFiscale, SlotOf(c.Type))
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", "", err
		}
		// A desk pushes its acts in the order it made them: its issue is
		// newer than one it pushed before, whatever times Adjust gave them
		// (an issue stamped on a clock ahead and pushed alone is put at its
		// push's arrival, after the desk's next acts: a slip replaced).
		ownDesk := ev.Desk != "" && newest.Desk == ev.Desk && newest.Credential.Sede == sede
		older := err == nil && c.IssuedAt.Before(newest.Credential.IssuedAt) && !ownDesk
		old, err := tx.Active(c.CodiceFiscale, SlotOf(c.Type))
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", "", err
		}
		switch {
		case older && st != StatusActive: // revoked at its desk already: kept so
		case older:
			// Issued before another of its slot, offline: the newer stays.
			rec.Status, rec.SupersededBy = StatusSuperseded, newest.Credential.ID
			verdict, reason = wire.Superseded, string(pinsede.RefusedSuperseded)+" "+newest.Credential.ID
			lost = &wire.Change{
				Kind: wire.ChangeSuperseded, Time: at, Sede: c.Sede, CredentialID: c.ID, CodiceFiscale: c.CodiceFiscale,
				BySede: newest.Credential.Sede, ByDesk: newest.Desk, IssuedAt: newest.Credential.IssuedAt,
			}
		case err == nil:
			old.Status, old.SupersededBy = StatusSuperseded, c.ID
			if err := tx.PutRecord(old); err != nil {
				return "", "", err
			}
			if err := tx.AddChange(wire.Change{
				Kind: wire.ChangeSuperseded, Time: at, Sede: old.Credential.Sede,
				CredentialID: old.Credential.ID, CodiceFiscale: old.Credential.CodiceFiscale, BySede: sede, ByDesk: ev.Desk, IssuedAt: c.IssuedAt,
			}); err != nil {
				return "", "", err
			}
		}
		if err := tx.PutRecord(rec); err != nil {
			return "", "", err
		}
	case pinsede.EventRevoked, pinsede.EventHandedOver:
		rec, err := tx.Record(c.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			return wire.Rejected, ReasonUnknownCred, nil
		case err != nil:
			return "", "", err
		case rec.Credential.Sede != sede:
			return wire.Rejected, ReasonCredOtherSede, nil
		}
		actAfterIssue(&ev, rec.Credential.IssuedAt)
		c = ev.Credential
		if rec.Status != StatusSuperseded {
			if reason := conflict(rec, ev.Kind); reason != "" {
				return wire.Rejected, reason, nil
			}
		}
		if ev.Kind == pinsede.EventRevoked {
			rec.Credential.State = pinsede.StateRevocato
			rec.Credential.RevokedAt, rec.Credential.RevokedBy, rec.Credential.RevokeReason = c.RevokedAt, c.RevokedBy, c.RevokeReason
		} else {
			rec.Credential.HandedOverAt, rec.Credential.HandedOverBy = c.HandedOverAt, c.HandedOverBy
		}
		rec.Credential.PrintedAt = c.PrintedAt
		switch rec.Status {
		case StatusSuperseded:
			verdict, reason = wire.Superseded, string(pinsede.RefusedSuperseded)+" "+rec.SupersededBy
		case StatusActive:
			if ev.Kind == pinsede.EventRevoked {
				rec.Status = StatusRevoked
			}
		}
		if err := tx.PutRecord(rec); err != nil {
			return "", "", err
		}
	}
	if err := tx.PutEvent(ev, verdict, at); err != nil {
		return "", "", err
	}
	if verdict == wire.Accepted && SedeEvent(ev.Kind) || lost != nil {
		if err := tx.AddChange(sedeChange(sede, ev, at)); err != nil {
			return "", "", err
		}
	}
	if lost != nil { // after the issue, for the sede's desks that hold it from it
		if err := tx.AddChange(*lost); err != nil {
			return "", "", err
		}
	}
	return verdict, reason, nil
}

// IssuedLater reports whether a was issued after b: by their issue times,
// then, at the same instant, accepted later; the same record and two
// accepted together are told apart by id, for an order that does not
// change.
func IssuedLater(a, b Record) bool {
	return cmp.Or(a.Credential.IssuedAt.Compare(b.Credential.IssuedAt), a.AcceptedAt.Compare(b.AcceptedAt),
		cmp.Compare(a.Credential.ID, b.Credential.ID)) > 0
}

// replayed answers an event applied before with verdict: Duplicate for
// one accepted, and for one kept as superseded the same verdict and
// reason again. The desk takes a duplicate as accepted: told so of a
// handover or revocation centrale kept as superseded, whose first answer
// it lost, it would never list it among the events not accepted.
func replayed(tx Tx, ev pinsede.Event, verdict wire.Verdict) (wire.Verdict, string, error) {
	if verdict != wire.Superseded {
		return wire.Duplicate, "", nil
	}
	rec, err := tx.Record(ev.Credential.ID)
	if err != nil {
		return "", "", fmt.Errorf("credential %s of event %s applied before: %w", ev.Credential.ID, ev.ID, err)
	}
	return wire.Superseded, string(pinsede.RefusedSuperseded) + " " + rec.SupersededBy, nil
}

// actAfterIssue puts the times of ev, a handover, a revocation or a
// conversion of a credential centrale keeps as issued at issued, no
// earlier than that (actAfter).
func actAfterIssue(ev *pinsede.Event, issued time.Time) {
	c := &ev.Credential
	actAfter(issued, &ev.Time, &c.PrintedAt, &c.HandedOverAt, &c.RevokedAt, &c.ConvertedAt)
}

// actAfter moves the times ts of an act on a record, each unless zero,
// to since, the time centrale keeps the record from, when they come
// before it. A record stamped on a desk's clock ahead and pushed with the
// clock put right was put at the push's arrival (Limits.Adjust), which
// can come after an act on it the desk did before that push and sent in
// the next (a batch's end): Adjust sees no push but its own.
func actAfter(since time.Time, ts ...*time.Time) {
	for _, t := range ts {
		if !t.IsZero() && t.Before(since) {
			*t = since
		}
	}
}

// conflict returns the reason to refuse a handover or a revocation (k) of
// rec, a credential not superseded, that the same act took first: a
// handover after a handover, a revocation after a revocation. Two desks
// of a sede may act on one credential at once; the central records apply
// the first to come, and the other desk is told why its act was refused.
// A handover after a revocation is taken: the envelope was handed over
// before the desk knew.
func conflict(rec Record, k pinsede.EventKind) string {
	c := rec.Credential
	switch {
	case k == pinsede.EventRevoked && (rec.Status == StatusRevoked || c.State == pinsede.StateRevocato):
		return fmt.Sprintf("%s: revoked on %s by %s (%s)", ReasonNotActive, c.RevokedAt.UTC().Format(time.RFC3339), c.RevokedBy, c.RevokeReason)
	case k == pinsede.EventHandedOver && !c.HandedOverAt.IsZero():
		return fmt.Sprintf("%s: on %s by %s", ReasonHandedOver, c.HandedOverAt.UTC().Format(time.RFC3339), c.HandedOverBy)
	}
	return ""
}

// SedeEvent reports whether an accepted event of kind k goes to the
// sede's other desks as a ChangeSedeEvent: the acts that make or change
// the sede's records of credentials and delegations, its operator
// accounts, and its set-up (for a desk that joins the sede).
func SedeEvent(k pinsede.EventKind) bool {
	switch k {
	case pinsede.EventIssued, pinsede.EventHandedOver, pinsede.EventRevoked, pinsede.EventConverted,
		pinsede.EventDelegationRegistered, pinsede.EventDelegationRevoked, pinsede.EventSedeSetUp:
		return true
	}
	return pinsede.OperatorEvent(k)
}

// sedeChange returns the ChangeSedeEvent of ev, an event of a desk of
// sede accepted at at, for the sede's desks: it names the desk and the
// credential, and carries ev as applied (Tx.AddChange keeps it by
// reference to the event).
func sedeChange(sede string, ev pinsede.Event, at time.Time) wire.Change {
	c := wire.Change{Kind: wire.ChangeSedeEvent, Time: at, Sede: sede, Desk: ev.Desk, Event: &ev}
	if ev.Credential != (pinsede.Credential{}) {
		c.CredentialID, c.CodiceFiscale = ev.Credential.ID, ev.Credential.CodiceFiscale
	}
	return c
}
