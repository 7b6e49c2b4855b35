package pinsede

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// EventKind names what an outbox event tells the central records.
type EventKind string

// The events a sede sends to the central records.
const (
	EventIssued     EventKind = "credential.issued"
	EventRevoked    EventKind = "credential.revoked"
	EventHandedOver EventKind = "credential.handed_over"
	// EventConverted: an ordinario PIN became dispositivo at the desk
	// (Credential carries the new Type, ConvertedAt and ConvertedBy).
	EventConverted EventKind = "credential.converted"
	// EventUnlocked: after an identity check at the desk, the wrong-PIN
	// lock of a credential of any sede is lifted at the central records
	// (Credential carries it: its ID and CodiceFiscale are what count).
	EventUnlocked EventKind = "credential.unlocked"
	// EventFormArchived: a signed form of a credential, archived at the
	// sede (Credential.ID names the credential; Form carries the PDF).
	EventFormArchived EventKind = "form.archived"
	// EventDelegationRegistered: a delegation of the digital identity was
	// registered (Delegation carries it).
	EventDelegationRegistered EventKind = "delegation.registered"
	// EventDelegationRevoked: a delegation was revoked (Delegation carries
	// its ID, RevokedAt, RevokedBy and RevokeReason).
	EventDelegationRevoked EventKind = "delegation.revoked"
	// EventTicketCalled: a desk called a kiosk ticket, so no other desk
	// calls it (Ticket is its code).
	EventTicketCalled EventKind = "ticket.called"
	// EventDigitalIdentityChosen: a citizen chose SPID, CIE or CNS instead
	// of a PIN (Outcome carries the codice fiscale and the choice).
	EventDigitalIdentityChosen EventKind = "citizen.digital_identity_chosen"
	// EventRefused: the eligibility policy refused a PIN at the desk
	// (Outcome carries the codice fiscale, the refusal's message key and
	// the policy's version).
	EventRefused EventKind = "request.refused"
	// The operator.* kinds: a supervisor (Actor) managed an operator
	// account of the sede at a desk or with pinctl, or an operator
	// changed their password or logged in (or failed to) at a desk.
	// Operator carries the account as the desk keeps it after the act
	// (Operator.Shared: the password hash, never the password, and none
	// of the desk's counts of failed logins),
	// for the sede's other desks (ChangeSedeEvent). The values are the
	// audit actions'.
	EventOperatorAdded           = EventKind(ActionOperatorAdded)
	EventOperatorDisabled        = EventKind(ActionOperatorOff)
	EventOperatorEnabled         = EventKind(ActionOperatorOn)
	EventOperatorUnlocked        = EventKind(ActionOperatorUnlock)
	EventOperatorPasswordReset   = EventKind(ActionPasswordReset)
	EventOperatorPasswordChanged = EventKind(ActionPasswordChanged)
	// EventOperatorLoginFailed: a wrong password was given for the
	// account at a desk (Actor is the operator; one failure an event,
	// and nothing of the password given): the sede's other desks count
	// it with their own (applySedeOperator).
	EventOperatorLoginFailed = EventKind(ActionLoginFailed)
	// EventOperatorLogin: the operator gave the right password at a desk
	// that counted failed logins of the account: the sede's other desks
	// stop counting those too. A login after none is no event.
	EventOperatorLogin = EventKind(ActionLogin)
	// EventOperatorLocked: failed logins locked the account (Actor is
	// the operator) until Until, at the desk where their count reached
	// MaxFailedLogins: the lock-out holds at the sede's other desks too,
	// from their next pull. Its ID is LockEventID of the failure that
	// locked.
	EventOperatorLocked = EventKind(ActionOperatorLocked)
	// EventSedeSetUp: the first desk of the sede set it up (SetUp carries
	// the sede's record; Actor is its first supervisor, whose account
	// travels as an EventOperatorAdded beside it), so that a later desk
	// joins the sede with a supervisor's login alone. Its ID is
	// SetUpEventID: a sede is set up once, and a set-up at a second desk
	// is a duplicate at the central records.
	EventSedeSetUp = EventKind(ActionSetup)
)

// SetUpEventID is the ID of a sede's EventSedeSetUp: one a sede.
const SetUpEventID = "sede.setup"

// SetUpOperatorEventID returns the ID of the EventOperatorAdded of the
// first supervisor, id, that a set-up enqueues beside EventSedeSetUp:
// fixed, as that one's, so that the same supervisor set up again at a
// second desk is a duplicate.
func SetUpOperatorEventID(id string) string { return SetUpEventID + ":" + id }

// OperatorEvent reports whether k is one of the operator.* kinds.
func OperatorEvent(k EventKind) bool {
	switch k {
	case EventOperatorAdded, EventOperatorDisabled, EventOperatorEnabled, EventOperatorUnlocked,
		EventOperatorPasswordReset, EventOperatorPasswordChanged, EventOperatorLocked,
		EventOperatorLoginFailed, EventOperatorLogin:
		return true
	}
	return false
}

// Event is a change that the central records must apply, waiting in the
// sede's outbox. Its ID is made at the sede, so the central records apply it
// at most once however often it is sent.
type Event struct {
	ID   string    `json:"id"`
	Kind EventKind `json:"kind"`
	Time time.Time `json:"time"`
	Sede string    `json:"sede"`
	// Desk is the desk PC of the sede that made the event (Sede.Desk);
	// "" for a desk with no desk id. Centrale records the desk of the
	// certificate that pushed it, whatever this says.
	Desk string `json:"desk,omitempty"`
	// Credential is the credential of the credential.* and form.* kinds;
	// zero for the others.
	Credential Credential `json:"credential,omitzero"`
	// Form is the archived form of EventFormArchived.
	Form *ArchivedForm `json:"form,omitempty"`
	// Delegation is the delegation of the delegation.* kinds.
	Delegation *Delegation `json:"delegation,omitempty"`
	// Ticket is the ticket code of EventTicketCalled.
	Ticket string `json:"ticket,omitempty"`
	// Outcome is the outcome of EventDigitalIdentityChosen and
	// EventRefused.
	Outcome *Outcome `json:"outcome,omitempty"`
	// Citizen is the record of the citizen an EventIssued issues to, as
	// the desk keeps it (the MV35 data and the document verified): the
	// sede's other desks get it with the event (ChangeSedeEvent) and open
	// the citizen's page. Nil for the other kinds, and in the events of
	// desks of before it.
	Citizen *Citizen `json:"citizen,omitempty"`
	// Operator is the account of the operator.* kinds.
	Operator *Operator `json:"operator,omitempty"`
	// Actor is the supervisor who acted, for the operator.* kinds (the
	// operator themself for EventOperatorPasswordChanged and the kinds
	// of logins: EventOperatorLoginFailed, EventOperatorLogin and
	// EventOperatorLocked), and the first supervisor for EventSedeSetUp.
	Actor string `json:"actor,omitempty"`
	// SetUp is the sede's record of EventSedeSetUp.
	SetUp *Sede `json:"set_up,omitempty"`
	// Until is the end of the lock-out of EventOperatorLocked.
	Until time.Time `json:"until,omitzero"`
}

// Outcome is what an EventDigitalIdentityChosen or an EventRefused tells
// the central records of a citizen's visit that created no credential. It
// keeps no personal data but the codice fiscale.
type Outcome struct {
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	// Choice is the digital identity chosen (one of Alternatives), for
	// EventDigitalIdentityChosen.
	Choice string `json:"choice,omitempty"`
	// Reason is the message key of the refusal, such as
	// KeyRefusedResidentItaly, for EventRefused.
	Reason string `json:"reason,omitempty"`
	// PolicyVersion is the version of the policy that refused, for
	// EventRefused.
	PolicyVersion int `json:"policy_version,omitempty"`
}

// ArchivedForm is a printed form kept with a credential's record, such as
// the MV35 the citizen signed (Kind DocumentMV35). In an event it travels
// out of the JSON: the event names the form by SHA256 and Size, and the
// bytes go beside it (the outbox keeps them apart; a push sends them as
// binary parts, sync/wire). PDF is left out of the JSON when nil.
type ArchivedForm struct {
	Kind string `json:"kind"`
	// SHA256 is the hex SHA-256 of the PDF.
	SHA256 string `json:"sha256,omitempty"`
	// Size is the length of the PDF in bytes.
	Size int `json:"size,omitempty"`
	// PDF is the form itself. Older desks sent it inside the JSON, in
	// base64, with no SHA256 nor Size.
	PDF []byte `json:"pdf,omitempty"`
}

// NewArchivedForm returns the form of kind with pdf, named by its SHA-256
// and size.
func NewArchivedForm(kind string, pdf []byte) *ArchivedForm {
	return &ArchivedForm{Kind: kind, SHA256: FormDigest(pdf), Size: len(pdf), PDF: pdf}
}

// FormDigest returns the hex SHA-256 of a form's bytes.
func FormDigest(pdf []byte) string {
	sum := sha256.Sum256(pdf)
	return hex.EncodeToString(sum[:])
}

// Matches reports whether PDF is the form that SHA256 and Size name.
func (f *ArchivedForm) Matches() bool {
	return len(f.PDF) == f.Size && FormDigest(f.PDF) == f.SHA256
}

// NewID returns 16 random bytes from r, hex encoded: ids of credentials,
// events and slips.
func NewID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// enqueueOperator enqueues, in tx, the outbox event of kind k, an
// operator.* kind, with the account op as the sede shares it, by the
// session's operator at now.
func (d *Desk) enqueueOperator(tx OutboxTx, s *Session, now time.Time, k EventKind, op Operator) error {
	id, err := NewID(d.Rand)
	if err != nil {
		return err
	}
	acc := op.Shared()
	return tx.Enqueue(Event{ID: id, Kind: k, Time: now, Sede: s.Sede.Code, Operator: &acc, Actor: s.Actor()})
}

// enqueueOutcome enqueues, in tx, the outbox event of kind k with outcome
// o, of the session's sede at now.
func (d *Desk) enqueueOutcome(tx OutboxTx, s *Session, now time.Time, k EventKind, o Outcome) error {
	id, err := NewID(d.Rand)
	if err != nil {
		return err
	}
	return tx.Enqueue(Event{ID: id, Kind: k, Time: now, Sede: s.Sede.Code, Outcome: &o})
}
