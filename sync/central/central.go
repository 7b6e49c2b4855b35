// Package central holds the central records' model: the Store interface that
// its back ends implement (sync/boltstore, sync/pgstore), the rules they all
// apply to pushed events, and the PIN check built on them.
//
// # Basics
//
// Apply takes a sede's batch of events and gives one verdict per event. An
// event is rejected, with a reason, when its form is wrong (Check) or when
// it is out of bounds (Limits, bounds.go): a PIN hash of a cost centrale
// does not accept, a date too far from centrale's clock, an expiry that is
// not the type's validity, a string too long or with control characters.
// An event id is applied at most once per sede: a replay is a Duplicate.
// Each sede makes its own ids, so the same id from another sede is another
// event. One credential
// per codice fiscale per Slot is active across every sede: an issue
// takes the place of the active one of its slot when it was issued no
// earlier (a PIN telefonico never supersedes a PIN dispositivo), which
// becomes superseded, and a ChangeSuperseded is recorded for the sede
// that issued it; an issue older than another of its slot, active or
// not, is kept superseded by the newest at once (apply1).
//
// A sede converts to dispositivo an active PIN ordinario, its own or one
// issued elsewhere (online, at another sede: a ChangeConverted tells the
// issuing sede, convert.go), archives the signed MV35 of a credential
// with the credential's record, and registers and revokes delegations of
// the digital identity, whose rules hold across every sede
// (applyDelegation). An operator of centrale revokes a
// credential with Store.Revoke, and its sede is told by a ChangeRevoked.
//
// A visit that creates no credential reaches the central records too: the
// citizen's choice of SPID, CIE or CNS (EventDigitalIdentityChosen) and a
// refusal by the eligibility policy (EventRefused) are kept as accepted
// events, with their outcome, and change no other record.
//
// The PIN check (Verifier, verify.go) counts each check before its hash,
// in one transaction of the store (Store.Attempt), and locks a credential
// after wrong PINs by a LockPolicy (lock.go): temporary locks that grow,
// then a permanent one, lifted by Store.Unlock or a sede's EventUnlocked
// (unlock.go). A lock is told to no sede.
//
// Each push carries the audit head of the desk that makes it, and the
// central records keep every head (AuditStore, audit.go): a head that goes
// backwards or forks from those kept, or of a chain not admitted, refuses
// the push and is kept as an AuditFork until an operator resets the
// sede's chain (ResetAudit), so that a desk's audit log rewritten with its
// key is found out against the heads kept. Each desk also sends its
// entries, which must agree with those heads, for the audit search of the
// whole sede (AuditEntryStore, auditentries.go).
//
// A sede's kiosk hands its tickets to the sede's desks through the central
// records (TicketStore, tickets.go): each is a ChangeTicket for the sede
// until a desk's EventTicketCalled records a ChangeTicketCalled, and
// nothing the citizen typed outlives the day.
//
// # Caveats
//
// Stores trust the sede they are given, and the desk each event names:
// the server checks that the sede is the authenticated one, and sets
// each event's Desk to the desk of the client certificate. Stores keep only argon2id hashes.
package central

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// Status is where a credential is at the central records.
type Status string

// The statuses.
const (
	StatusActive     Status = "active"
	StatusRevoked    Status = "revoked"
	StatusSuperseded Status = "superseded"
)

// Record is a credential as the central records hold it.
type Record struct {
	Credential pinsede.Credential `json:"credential"`
	Status     Status             `json:"status"`
	// SupersededBy is the id of the credential that took this one's place.
	SupersededBy string `json:"superseded_by,omitempty"`
	// Failures counts the PIN checks since the last right PIN, lock,
	// unlock or reset (ReserveAttempt): each counts as wrong from before
	// its hash is checked until a right PIN clears the count.
	Failures int `json:"failures"`
	// Lock is the wrong-PIN lock (lock.go).
	Lock Lock `json:"lock,omitzero"`
	// NewPINHash is the argon2id hash of the 8-character PIN that replaced
	// the 16-character one at first use; empty before.
	NewPINHash string    `json:"new_pin_hash,omitempty"`
	AcceptedAt time.Time `json:"accepted_at"`
	// Desk is the desk of its sede that issued it (the Desk of its issue's
	// event); "" for a desk with no desk id, and for a credential kept
	// before centrale kept the desk.
	Desk string `json:"desk,omitempty"`
}

// AppliedEvent is an event as the central records keep it: Event.Desk is
// the desk of the certificate that pushed it (the server sets it), and
// the PDF of an EventFormArchived is kept with the credential, not here.
type AppliedEvent struct {
	Event   pinsede.Event `json:"event"`
	Verdict wire.Verdict  `json:"verdict"`
	At      time.Time     `json:"at"`
}

// Store is the central records' storage. Implementations are safe for
// concurrent use, and every method is atomic.
type Store interface {
	// Apply applies sede's events in order, each at most once by sede and
	// id, and
	// returns one result per event. at is the time of acceptance, the
	// clock the events' dates are bounded by (Limits).
	Apply(ctx context.Context, sede string, events []pinsede.Event, at time.Time) ([]wire.Result, error)
	// Push judges h, the audit head a push of sede carries, as
	// PutAuditHead does and, unless it refuses it (a *ForkError, the
	// fork recorded and no event applied), applies the events as Apply
	// does, both in one transaction: a push that fails halfway (a
	// crash, an error) keeps neither its head nor its events.
	Push(ctx context.Context, sede string, h wire.AuditHead, events []pinsede.Event, at time.Time) ([]wire.Result, error)
	// SetLimits sets the bounds Apply holds pushed events to (Limits;
	// zero fields stand for their defaults). A store applies
	// DefaultLimits until it is called. Safe to call at any time.
	SetLimits(l Limits)
	// Changes looks at the first limit changes for sede with Seq > after,
	// and returns those f lets through (all of them when f is nil),
	// oldest first; a ChangeSedeEvent with its event as applied (Event).
	// A store keeps that event once, with the events, and reads it only
	// for a change it returns. It returns, read at the same time, next:
	// the Seq of the last change it looked at, returned or not (after
	// when none), the cursor to pull from next, so that no change is
	// looked at twice nor skipped; and latest: the Seq of the newest
	// change of sede, 0 for none (how far a desk catching up has to go),
	// never lower than the Seq of a change looked at.
	Changes(ctx context.Context, sede string, after uint64, limit int, f *ChangeFilter) (changes []wire.Change, next, latest uint64, err error)
	// Current returns the credential of cf in slot a login checks: the
	// active one, or else the one accepted last. ErrNotFound when none.
	Current(ctx context.Context, cf pinsede.CodiceFiscale, slot Slot) (Record, error)
	// Attempt reserves a PIN check on the credential of cf in slot that a
	// login checks (as Current), by the lock policy p at the time at, in
	// one transaction that holds the credential against every other
	// (ReserveAttempt): it returns the record as written, and whether the
	// check may go ahead (false, and nothing written, when the credential
	// is locked). ErrNotFound when cf has no credential in slot.
	Attempt(ctx context.Context, cf pinsede.CodiceFiscale, slot Slot, p LockPolicy, at time.Time) (Record, bool, error)
	// Succeed records a right PIN on a credential whose check Attempt let
	// go ahead (SucceedRecord): it clears the wrong PINs and the lock and,
	// when newPINHash is not empty, records it as the replacement PIN. It
	// returns ErrAlreadyReplaced, and changes nothing, if a replacement
	// was recorded before.
	Succeed(ctx context.Context, credentialID, newPINHash string) error
	// Unlock lifts the lock of every credential of cf, in every slot and
	// status, by who at the time at (UnlockRecord), and returns the
	// records it changed, as they were before. ErrNotFound when cf has no
	// credential.
	Unlock(ctx context.Context, cf pinsede.CodiceFiscale, by string, at time.Time) ([]Record, error)
	// Revoke revokes an active credential at the central records, by an
	// operator of centrale (by) for reason, and records a ChangeRevoked
	// for its sede. It returns the record revoked; ErrNotFound for an
	// unknown credential, ErrNotActive for one not active.
	Revoke(ctx context.Context, credentialID, by, reason string, at time.Time) (Record, error)
	// Form returns the archived form of kind of a credential; ErrNotFound
	// when none.
	Form(ctx context.Context, credentialID, kind string) (pinsede.ArchivedForm, error)
	// Delegation returns a delegation; ErrNotFound when unknown.
	Delegation(ctx context.Context, id string) (DelegationRecord, error)
	// Credentials returns every credential of cf, in every slot and
	// status, newest accepted first; none is no error.
	Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]Record, error)
	// Events counts the events held (for checks and benchmarks).
	Events(ctx context.Context) (int, error)
	// Event returns an event of sede as applied, with its desk, verdict
	// and time of acceptance; ErrNotFound when sede has no event of id
	// (a rejected event is not kept).
	Event(ctx context.Context, sede, id string) (AppliedEvent, error)
	// RaiseCRLNumber records n as the number of a revocation list
	// loaded, unless a higher one is recorded, and returns the highest
	// recorded: the floor every replica holds its list to (pki.CRL), so
	// that an older crl.pem put back on one replica is refused there
	// too.
	RaiseCRLNumber(ctx context.Context, n *big.Int) (*big.Int, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Kind names the back end, for /v1/health.
	Kind() string
	// Close releases the store.
	Close() error
	// TicketStore holds the kiosks' tickets (tickets.go).
	TicketStore
	// AuditStore keeps the sedi's audit heads (audit.go).
	AuditStore
	// OverviewStore gives the state of the sedi (overview.go).
	OverviewStore
	// EpochStore names the store's life since it was made or put back
	// from a copy (epoch.go).
	EpochStore
}

// Errors of the central records.
var (
	// ErrNotFound is returned for a credential or codice fiscale unknown.
	ErrNotFound = pinsede.ErrNotFound
	// ErrAlreadyReplaced is returned by Succeed when the 16-character PIN
	// was already replaced.
	ErrAlreadyReplaced = errors.New("PIN already replaced")
	// ErrNotActive is returned by Revoke for a credential not active.
	ErrNotActive = errors.New("credential not active")
	// ErrAuditFork is wrapped by the *ForkError of
	// AuditStore.PutAuditHead for an audit head refused.
	ErrAuditFork = errors.New("audit head refused")
	// ErrBadReset is returned by CheckReset for a reset of an audit
	// chain that cannot be recorded.
	ErrBadReset = errors.New("invalid audit reset")
	// ErrTicketsFull is returned by PutTicket for a ticket of a sede
	// that holds Limits.Tickets tickets already.
	ErrTicketsFull = errors.New("the sede holds as many kiosk tickets as it may in a day")
	// ErrUnavailable is wrapped by a store's error when its database
	// cannot be reached for now: it refuses connections or is
	// restarting, or ended the connection (an operator, a failover).
	// What was asked is not done, unless the connection was lost as its
	// commit went out: a push sent again is then answered duplicate for
	// what was stored. The server answers 503 with Retry-After.
	ErrUnavailable = errors.New("central store unavailable")
	// ErrRefused is wrapped by a store's error when its database refuses
	// centrale's connection string: the role or its password refused,
	// no such database. It will not pass by itself: an operator must put
	// the configuration or the database right. Nothing was done. The
	// server answers 503 without Retry-After, and logs an error.
	ErrRefused = errors.New("central store refuses centrale's credentials or database")
	// ErrBusy is wrapped by a store's error when it waited for records
	// another of its clients holds, longer than it waits (a push of the
	// same sede through another replica, frozen inside its
	// transaction): nothing was done. The server answers 503 with
	// Retry-After.
	ErrBusy = errors.New("central store busy")
)

// Reasons of rejection: those the desk tells apart are the texts of
// pinsede's reason codes (pinsede.ParseReason).
const (
	ReasonOtherSede      = string(pinsede.RefusedOtherSede)
	ReasonUnknownKind    = string(pinsede.RefusedUnknownKind)
	ReasonBadEvent       = string(pinsede.RefusedBadEvent)
	ReasonUnknownCred    = string(pinsede.RefusedUnknownCred)
	ReasonCredExists     = string(pinsede.RefusedCredExists)
	ReasonCredOtherSede  = string(pinsede.RefusedCredOtherSede)
	ReasonFormTooLarge   = string(pinsede.RefusedFormTooLarge)
	ReasonFormMissing    = "form bytes missing: send them in a part named by the event id"
	ReasonFormMismatch   = "form bytes do not match the form's SHA-256 and size"
	ReasonNotConvertible = string(pinsede.RefusedNotConvertible)
	// ReasonHandedOver and ReasonNotActive refuse the second of two acts
	// on one credential that cannot both be: a handover after another
	// (two desks of the sede recorded it), a handover or a revocation
	// after a revocation.
	ReasonHandedOver = string(pinsede.RefusedAlreadyHandedOver)
	ReasonNotActive  = string(pinsede.RefusedCredNotActive)
)

// Check validates an event of sede before it is applied: it returns the
// reason to reject it, or "". It does not look at stored records. The
// credential.* and form.* kinds carry a credential of sede; the
// delegation.* kinds a delegation of sede and no credential; the outcome
// kinds (EventDigitalIdentityChosen, EventRefused) an outcome and nothing
// else.
func Check(sede string, ev pinsede.Event) string {
	switch {
	case ev.Sede != sede || RecordSede(ev) != sede:
		return ReasonOtherSede
	case ev.ID == "" || len(ev.ID) > 64:
		return ReasonBadEvent + ": id"
	case ev.Time.IsZero():
		return ReasonBadEvent + ": time"
	}
	switch {
	case ev.Kind == pinsede.EventDigitalIdentityChosen || ev.Kind == pinsede.EventRefused:
		return checkOutcome(ev)
	case pinsede.OperatorEvent(ev.Kind):
		return checkOperator(ev)
	case ev.Kind == pinsede.EventSedeSetUp:
		return checkSetUp(sede, ev)
	}
	if ev.Outcome != nil || ev.Operator != nil || ev.Actor != "" || ev.SetUp != nil || !ev.Until.IsZero() || ev.Citizen != nil && ev.Kind != pinsede.EventIssued {
		return ReasonBadEvent + ": fields of another kind"
	}
	switch ev.Kind {
	case pinsede.EventIssued, pinsede.EventRevoked, pinsede.EventHandedOver, pinsede.EventConverted, pinsede.EventFormArchived,
		pinsede.EventUnlocked:
		if reason := checkCredential(ev); reason != "" {
			return reason
		}
	case pinsede.EventDelegationRegistered, pinsede.EventDelegationRevoked:
		return checkDelegation(ev)
	case pinsede.EventTicketCalled:
		return checkTicketCalled(ev)
	default:
		return ReasonUnknownKind
	}
	c := ev.Credential
	switch ev.Kind {
	case pinsede.EventIssued:
		if c.Type != pinsede.Dispositivo && c.Type != pinsede.Ordinario && c.Type != pinsede.Telefonico {
			return ReasonBadEvent + ": type"
		}
		if len(c.PINHash) > 256 || pinsede.CheckHashFormat(c.PINHash) != nil {
			return ReasonBadEvent + ": pin hash"
		}
		if !c.ExpiresAt.After(c.IssuedAt) {
			return ReasonBadEvent + ": expiry"
		}
		if ev.Citizen != nil && ev.Citizen.CF() != c.CodiceFiscale {
			return ReasonBadEvent + ": the citizen's codice fiscale is not the credential's"
		}
	case pinsede.EventConverted:
		if c.Type != pinsede.Dispositivo || c.ConvertedAt.IsZero() || c.ConvertedBy == "" {
			return ReasonBadEvent + ": a conversion carries type dispositivo, converted_at and converted_by"
		}
	case pinsede.EventFormArchived:
		if reason := checkForm(ev.Form); reason != "" {
			return reason
		}
	}
	if ev.Form != nil && ev.Kind != pinsede.EventFormArchived || ev.Delegation != nil || ev.Ticket != "" {
		return ReasonBadEvent + ": fields of another kind"
	}
	return ""
}

// RecordSede returns the sede of the record an event is about: the
// credential's, or the delegation's for the delegation.* kinds. A sede
// sends events about its own records only, but for a conversion: the act
// of the sede whose desk checked the citizen's identity, on a PIN
// ordinario of any sede (convert.go), and an unlock, after the identity
// check, of a credential of any sede (unlock.go).
func RecordSede(ev pinsede.Event) string {
	switch ev.Kind {
	case pinsede.EventDelegationRegistered, pinsede.EventDelegationRevoked:
		if ev.Delegation == nil {
			return ""
		}
		return ev.Delegation.Sede
	case pinsede.EventTicketCalled:
		return ev.Sede // a ticket of the event's sede: the change goes to it
	case pinsede.EventDigitalIdentityChosen, pinsede.EventRefused:
		return ev.Sede // the outcome of a visit at the event's sede
	case pinsede.EventConverted, pinsede.EventUnlocked:
		return ev.Sede
	}
	if pinsede.OperatorEvent(ev.Kind) || ev.Kind == pinsede.EventSedeSetUp {
		return ev.Sede // an account of the event's sede, or the sede itself
	}
	return ev.Credential.Sede
}

// checkCredential checks the credential an event of a credential.* or
// form.* kind carries: an id and a codice fiscale in canonical form.
func checkCredential(ev pinsede.Event) string {
	c := ev.Credential
	if c.ID == "" || len(c.ID) > 64 {
		return ReasonBadEvent + ": credential id"
	}
	if cf, err := pinsede.ParseCodiceFiscale(string(c.CodiceFiscale)); err != nil || cf != c.CodiceFiscale {
		return ReasonBadEvent + ": codice fiscale"
	}
	return ""
}

// MaxOutcomeReason is the longest Reason of an EventRefused's outcome, in
// bytes: a message key, such as pinsede.KeyRefusedResidentItaly.
const MaxOutcomeReason = 64

// checkOutcome checks an event of an outcome kind: an outcome with a
// codice fiscale in canonical form; for EventDigitalIdentityChosen a
// Choice among pinsede.Alternatives and no Reason or policy version; for
// EventRefused a Reason of 1 to MaxOutcomeReason bytes, a PolicyVersion
// of 1 or more and no Choice; and no credential or other kind's fields.
func checkOutcome(ev pinsede.Event) string {
	o := ev.Outcome
	switch {
	case o == nil:
		return ReasonBadEvent + ": no outcome"
	case !onlyOwnFields(ev):
		return ReasonBadEvent + ": fields of another kind"
	}
	if cf, err := pinsede.ParseCodiceFiscale(string(o.CodiceFiscale)); err != nil || cf != o.CodiceFiscale {
		return ReasonBadEvent + ": codice fiscale"
	}
	if ev.Kind == pinsede.EventDigitalIdentityChosen {
		if !slices.Contains(pinsede.Alternatives(), o.Choice) || o.Reason != "" || o.PolicyVersion != 0 {
			return ReasonBadEvent + ": a digital identity choice carries one of " + strings.Join(pinsede.Alternatives(), ", ") + " and no reason or policy version"
		}
		return ""
	}
	if o.Reason == "" || len(o.Reason) > MaxOutcomeReason || o.PolicyVersion < 1 || o.Choice != "" {
		return fmt.Sprintf("%s: a refusal carries a reason of 1 to %d bytes, a policy version and no choice", ReasonBadEvent, MaxOutcomeReason)
	}
	return ""
}

// onlyOwnFields reports whether ev, of an outcome or an operator.* kind,
// carries none of the fields of the other kinds: no credential, form,
// delegation, ticket or citizen, and only the outcome or the operator
// and actor of its kind.
func onlyOwnFields(ev pinsede.Event) bool {
	op := pinsede.OperatorEvent(ev.Kind)
	return ev.Credential == (pinsede.Credential{}) && ev.Form == nil && ev.Delegation == nil && ev.Ticket == "" && ev.Citizen == nil && ev.SetUp == nil &&
		(ev.Until.IsZero() || ev.Kind == pinsede.EventOperatorLocked) &&
		(op || ev.Operator == nil && ev.Actor == "") && (!op || ev.Outcome == nil)
}

// checkOperator checks an event of an operator.* kind: the account, with
// an id, a known role and an argon2id password hash (its cost is
// bounded by Limits), and none of a desk's own counts of logins; the
// supervisor who acted; and no fields of another kind.
func checkOperator(ev pinsede.Event) string {
	o := ev.Operator
	switch {
	case o == nil:
		return ReasonBadEvent + ": no operator"
	case !onlyOwnFields(ev):
		return ReasonBadEvent + ": fields of another kind"
	case o.ID == "" || ev.Actor == "":
		return ReasonBadEvent + ": an operator event names the operator and who acted"
	case !o.Role.Valid():
		return ReasonBadEvent + ": operator role"
	case len(o.PasswordHash) > 256 || pinsede.CheckHashFormat(o.PasswordHash) != nil:
		return ReasonBadEvent + ": password hash"
	case *o != o.Shared():
		return ReasonBadEvent + ": a desk's counts of failed logins stay at the desk"
	case ev.Kind == pinsede.EventOperatorLocked && (!ev.Until.After(ev.Time) || ev.Until.After(ev.Time.Add(pinsede.LockoutMax))):
		return fmt.Sprintf("%s: a lock-out ends after it starts, within %s", ReasonBadEvent, pinsede.LockoutMax)
	}
	return ""
}

// checkSetUp checks an EventSedeSetUp of sede: its one ID
// (pinsede.SetUpEventID), the sede's record, whole and of the sede, the
// first supervisor who set it up, and no fields of another kind.
func checkSetUp(sede string, ev pinsede.Event) string {
	s := ev.SetUp
	switch {
	case ev.ID != pinsede.SetUpEventID:
		return ReasonBadEvent + ": a sede's set-up has the id " + pinsede.SetUpEventID
	case s == nil:
		return ReasonBadEvent + ": no sede"
	case s.Code != sede:
		return ReasonOtherSede
	case len(s.Validate()) > 0:
		return ReasonBadEvent + ": a sede's set-up carries its code, name and address"
	case ev.Actor == "":
		return ReasonBadEvent + ": a sede's set-up names its first supervisor"
	case ev.Credential != (pinsede.Credential{}) || ev.Form != nil || ev.Delegation != nil || ev.Ticket != "" ||
		ev.Citizen != nil || ev.Outcome != nil || ev.Operator != nil || !ev.Until.IsZero():
		return ReasonBadEvent + ": fields of another kind"
	}
	return ""
}

// checkForm checks the form of an EventFormArchived: a kind, and a PDF of
// at most pinsede.MaxFormBytes, which matches the SHA-256 and size the
// event names it by. A form with no SHA-256 is of a desk that sent the PDF
// inside the JSON, before forms left it: its PDF is taken as it is.
func checkForm(f *pinsede.ArchivedForm) string {
	switch {
	case f == nil:
		return ReasonBadEvent + ": no form"
	case !validFormKind(f.Kind):
		return ReasonBadEvent + ": form kind"
	case max(len(f.PDF), f.Size) > pinsede.MaxFormBytes:
		return fmt.Sprintf("%s (%d bytes, at most %d)", ReasonFormTooLarge, max(len(f.PDF), f.Size), pinsede.MaxFormBytes)
	case f.SHA256 != "" && f.PDF == nil:
		return ReasonFormMissing
	case f.SHA256 != "" && !f.Matches():
		return fmt.Sprintf("%s (%d bytes came, with SHA-256 %s)", ReasonFormMismatch, len(f.PDF), pinsede.FormDigest(f.PDF))
	case f.SHA256 == "" && f.Size != 0:
		return ReasonBadEvent + ": a form's size comes with its SHA-256"
	case !bytes.HasPrefix(f.PDF, []byte("%PDF-")):
		return ReasonBadEvent + ": the form is not a PDF"
	}
	return ""
}

// validFormKind reports whether k can name a form: 1 to 32 lower-case
// letters, digits, '-' or '_'.
func validFormKind(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// RevokeRecord marks r, an active credential, revoked at the central
// records by an operator of centrale, and returns the ChangeRevoked to
// record for its sede. It returns ErrNotActive, and changes nothing, when
// r is not active. Stores call it in the transaction that reads and
// writes r.
func RevokeRecord(r *Record, by, reason string, at time.Time) (wire.Change, error) {
	if r.Status != StatusActive {
		return wire.Change{}, fmt.Errorf("%w: credential %s is %s", ErrNotActive, r.Credential.ID, r.Status)
	}
	r.Status = StatusRevoked
	c := &r.Credential
	c.State, c.RevokedAt, c.RevokedBy, c.RevokeReason = pinsede.StateRevocato, at, by, reason
	return wire.Change{
		Kind: wire.ChangeRevoked, Time: at, Sede: c.Sede, CredentialID: c.ID, CodiceFiscale: c.CodiceFiscale, Reason: reason,
	}, nil
}
