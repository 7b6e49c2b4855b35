// Package wire holds the types of the sync protocol between a sede and the
// central records (centrale): what travels as JSON over HTTP, and the strict
// decoder both sides use.
//
// # Basics
//
// A sede pushes a [PushRequest] of outbox events to POST /v1/events and gets
// one [Result] per event in a [PushResponse]; archived forms travel beside
// the JSON, as binary parts. It pulls the [Change] records
// that concern it from GET /v1/changes?after=CURSOR&limit=N, and looks a
// codice fiscale up at GET /v1/credentials ([CredentialsResponse]). Each
// push carries the desk's [AuditHead], and GET /v1/audit/heads answers the
// heads kept ([AuditHeadsResponse]); a desk sends its audit entries to
// POST /v1/audit/entries ([AuditEntriesRequest]) and searches its sede's
// at GET /v1/audit/search ([AuditQuery], [AuditSearchResponse]). The
// citizen-facing check is POST /v1/pin/verify with a [VerifyRequest]. Every
// error is a [Problem] (RFC 9457, application/problem+json).
//
// # Caveats
//
// Only argon2id hashes of PINs travel in events. A [VerifyRequest] does carry
// a PIN: it stands in for the INPS portal's login form and never comes from
// a sede.
package wire

import (
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
)

// Limits of the protocol.
const (
	// MaxBatch is the most events one push may carry.
	MaxBatch = 500
	// MaxPushBytes is the largest push body accepted.
	MaxPushBytes = 4 << 20
	// MaxVerifyBytes is the largest verify body accepted.
	MaxVerifyBytes = 4 << 10
	// MaxTicketBytes is the largest ticket body accepted.
	MaxTicketBytes = 16 << 10
	// MaxChanges is the most changes one pull returns.
	MaxChanges = 1000
)

// Content types.
const (
	ContentJSON    = "application/json"
	ContentProblem = "application/problem+json"
	// ContentMultipart is a push whose archived forms travel as binary
	// parts (PushRequest).
	ContentMultipart = "multipart/form-data"
	// ContentPDF is the type of a form's part.
	ContentPDF = "application/pdf"
)

// PartEvents is the name of the first part of a multipart push: the
// PushRequest, as JSON.
const PartEvents = "events"

// PushRequest is a batch of events from one sede, in outbox order.
//
// It travels as JSON (ContentJSON) when no event carries the bytes of an
// archived form. Otherwise the body is ContentMultipart: the part named
// PartEvents holds the PushRequest as JSON, each form.archived event names
// its PDF by pinsede.ArchivedForm SHA256 and Size, and the PDF follows in
// a part of type ContentPDF named by the event's id. The whole body is at
// most MaxPushBytes.
type PushRequest struct {
	Sede   string `json:"sede"`
	Events Events `json:"events"`
	// AuditHead is the end of the pushing desk's audit chain when the
	// push was made: centrale keeps it, and refuses the push when it goes
	// backwards or forks from the heads it kept (sync/central/audit.go).
	// Required.
	AuditHead *AuditHead `json:"audit_head,omitempty"`
}

// AuditHead is the end of the pushing desk's audit chain, as the domain
// has it: the JSON is pinsede.AuditHead's.
type AuditHead = pinsede.AuditHead

// KeptHead is an audit head as centrale keeps it, with when it was first
// received: the JSON is pinsede.KeptHead's.
type KeptHead = pinsede.KeptHead

// AuditHeadsResponse answers GET /v1/audit/heads: a page of the heads
// centrale keeps for the sede of the certificate, every chain, by chain
// and Seq, after the request's cursor (ParseHeadsQuery): at most
// central.MaxAuditHeads. More when more heads follow, and then Next, the
// cursor of the last head sent: the request with after=Next gives the
// heads that follow. A desk checks each head of its chain against its
// own log (pinctl audit verify).
type AuditHeadsResponse struct {
	Heads []KeptHead `json:"heads"`
	More  bool       `json:"more"`
	Next  string     `json:"next,omitempty"`
}

// Verdict is what the central records did with one pushed event: the
// domain's pinsede.Verdict, as it travels.
type Verdict = pinsede.Verdict

// The verdicts. Every verdict is final: the sede removes the event from its
// outbox whatever the verdict, and shows the operator those that are not
// Accepted or Duplicate.
const (
	Accepted   = pinsede.VerdictAccepted
	Duplicate  = pinsede.VerdictDuplicate
	Superseded = pinsede.VerdictSuperseded
	Rejected   = pinsede.VerdictRejected
)

// Result is the verdict on one event.
type Result struct {
	ID      string  `json:"id"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason,omitempty"`
}

// PushResponse answers a push: one result per event, in the order sent.
type PushResponse struct {
	Results []Result `json:"results"`
}

// ChangeKind names a change the central records tell a sede about: the
// domain's pinsede.ChangeKind, as it travels.
type ChangeKind = pinsede.ChangeKind

// The kinds of change (see pinsede.ChangeKind).
const (
	ChangeSuperseded   = pinsede.ChangeSuperseded
	ChangeLocked       = pinsede.ChangeLocked
	ChangeRevoked      = pinsede.ChangeRevoked
	ChangeConverted    = pinsede.ChangeConverted
	ChangeTicket       = pinsede.ChangeTicket
	ChangeTicketCalled = pinsede.ChangeTicketCalled
	ChangeSedeEvent    = pinsede.ChangeSedeEvent
)

// IncludeSedeEvents is the query of GET /v1/changes with which a desk asks
// for the ChangeSedeEvent changes of the sede's other desks too:
// include=sede.event. A desk of before them does not ask, and centrale
// leaves them out of its pull, as it leaves out a desk's own events
// (its cursor still moves past them).
const IncludeSedeEvents = "include=" + string(ChangeSedeEvent)

// PullOwn is the query of GET /v1/changes, with IncludeSedeEvents, with
// which a desk restored from an older copy asks for its own
// ChangeSedeEvent changes too (own=1), from the cursor the copy kept: it
// gets back what it did after the copy, which centrale holds. Centrale
// sends them only when asked, and says so (ChangesResponse.Own); a
// centrale of before it ignores the query and sends as ever.
const PullOwn = "own=1"

// Change is a record that concerns a sede, numbered in the central records'
// order (pinsede.Change): Seq is the cursor to pull after. GET /v1/changes
// answers them ([ChangesResponse]).
type Change = pinsede.Change

// Ticket is a kiosk's queue ticket with the request the citizen
// pre-filled (pinsede.Ticket), as it travels from the kiosk (POST
// /v1/tickets) to the desks of its sede (ChangeTicket). Centrale sets its
// Sede from the kiosk's certificate, and keeps it until the end of the day
// it was issued, then wipes it.
type Ticket = pinsede.Ticket

// TicketResponse answers POST /v1/tickets: Stored is false when the same
// code was stored before (a kiosk's retry), and nothing changed.
type TicketResponse struct {
	Code   string `json:"code"`
	Stored bool   `json:"stored"`
}

// MaxClockSkewHeader is the header of every answer of centrale that says,
// in whole seconds, how far ahead of its clock an event's time may be
// (its -max-clock-skew). With the answer's Date, which centrale writes
// from the same clock, a desk measures how far its own clock is from
// centrale's, and issues no PIN while it runs ahead by more: centrale
// keeps the PIN's times in its own clock (DeskClockHeader), but the slip
// and the desk's records would carry the PC's wrong ones.
const MaxClockSkewHeader = "Pinsede-Max-Clock-Skew"

// DeskClockHeader is the header of a push (POST /v1/events) that says
// what the desk's clock read when it sent the push, as an RFC 3339 time
// (time.RFC3339Nano). Centrale takes the difference from its own clock
// for the desk's offset, and moves the times of the push's events by it
// (central.Limits.Adjust) when it is more than the skew: a desk whose
// clock runs ahead or behind has its records kept in centrale's clock,
// and no push is held back for them. A push without it is of a desk of
// before it: its times are taken as they are, and only those ahead of
// centrale's clock are moved.
const DeskClockHeader = "Pinsede-Desk-Clock"

// PolicyResponse answers GET /v1/policy: the eligibility policy in force
// for every sede, versioned. A sede caches it and uses the newest version
// it has.
type PolicyResponse struct {
	Policy pinsede.Policy `json:"policy"`
}

// ChangesResponse answers a pull: the changes after the cursor sent, oldest
// first, and the cursor to send next time: the Seq of the last change
// centrale looked at, sent or left out (a desk's own events, or the
// sede's when it did not ask for them), or the cursor sent when there is
// nothing new. More says that there are changes after Cursor. Latest is the Seq of the sede's newest
// change when centrale answered (never below Cursor; 0 from a centrale of
// before it): a desk catching up shows how far it has come, from its
// cursor at the start to Latest. Own says that the changes include the
// desk's own events, as it asked (PullOwn); false from a centrale of
// before it.
type ChangesResponse struct {
	Changes []Change `json:"changes"`
	Cursor  uint64   `json:"cursor"`
	More    bool     `json:"more"`
	Latest  uint64   `json:"latest,omitempty"`
	Own     bool     `json:"own,omitempty"`
}

// VerifyRequest is a login at the INPS portal, for which the central
// records check the PIN. At the first use of a 16-character PIN, NewPIN is
// the 8-character PIN the citizen chooses to replace it.
type VerifyRequest struct {
	CodiceFiscale string `json:"codice_fiscale"`
	PIN           string `json:"pin"`
	NewPIN        string `json:"new_pin,omitempty"`
	// Type is "telefonico" when the Contact Center checks a PIN
	// telefonico; empty (or "ordinario", "dispositivo") checks the PIN of
	// the online services.
	Type pinsede.CredentialType `json:"type,omitempty"`
}

// Outcome is the answer to a PIN check.
type Outcome string

// The outcomes. Revoked, Expired, ChangeRequired and Valid are only told
// to who gave the right PIN of a credential that is not locked: a wrong
// PIN, a codice fiscale with no PIN and any PIN while the credential is
// locked all answer Wrong, so that the answer tells nobody who has a PIN
// or whether it is locked.
const (
	Valid   Outcome = "valid"
	Wrong   Outcome = "wrong"
	Expired Outcome = "expired"
	Revoked Outcome = "revoked"
	// Locked is no longer answered: a locked credential answers Wrong
	// (centrale checks no PIN against it, so it cannot tell the right one
	// without telling who guesses). Kept for portals that list it.
	Locked         Outcome = "locked"
	ChangeRequired Outcome = "change_required"
)

// VerifyResponse answers a PIN check. Type is set when the PIN was right.
// It says nothing of the wrong PINs left before the lock: that count
// would tell who has a PIN.
type VerifyResponse struct {
	Outcome Outcome                `json:"outcome"`
	Type    pinsede.CredentialType `json:"type,omitempty"`
}

// Health answers GET /v1/health. Status is "ok", or "degraded" when
// the revocation list in force has a problem, which CRL names, or an
// audit head was refused (AuditForks).
type Health struct {
	Status string `json:"status"`
	Store  string `json:"store"`
	// CRL is the state of the revocation list: "ok", "expired" (past its
	// next update), "older list refused" (the file holds a list older
	// than the one in force, which stands), "expired; older list
	// refused" (both), "unreadable" (the file cannot
	// be read; the list loaded before stands); empty when centrale checks
	// none.
	CRL string `json:"crl,omitempty"`
	// AuditForks counts the audit heads refused (a chain that went
	// backwards, forked, or is not admitted) and not yet resolved by an
	// operator (`centrale audit`); Status is "degraded" while any is.
	AuditForks int `json:"audit_forks,omitempty"`
	// CRLNumber is the number of the revocation list in force, in
	// decimal: replicas of centrale behind one load balancer must all
	// say the same (README, "Production layout").
	CRLNumber string `json:"crl_number,omitempty"`
	// ServerCert is the state of centrale's server certificate: "ok",
	// "expires soon" (within 30 days of its end), "expired", "new pair
	// refused" (its files hold a pair the desks would refuse: expired,
	// of another CA, or naming fewer hosts; the pair in force serves),
	// "unusable" (the pair read at start cannot be taken by the desks);
	// empty when centrale reports none. Status is "degraded" unless "ok".
	ServerCert string `json:"server_cert,omitempty"`
	// ClockOffset is how far this replica's clock is from its store's
	// (PostgreSQL's), in seconds, positive ahead, when beyond 2 s
	// (server.ClockWarnOffset); Status is then "degraded".
	ClockOffset float64 `json:"clock_offset,omitempty"`
	// Settings sums the settings this replica shares with the others on
	// its store (server.Settings.Fingerprint): the lock, the hash
	// policy, the rate limits, the bounds of pushed events. Every
	// replica must say the same.
	Settings string `json:"settings,omitempty"`
	// ReplicasDiffer names the other replicas on the store with other
	// settings, and the settings that differ, "; " between two; Status
	// is then "degraded".
	ReplicasDiffer string `json:"replicas_differ,omitempty"`
}

// Problem is an error answer (RFC 9457).
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Error returns the status, title and detail.
func (p *Problem) Error() string {
	if p.Detail == "" {
		return fmt.Sprintf("%d %s", p.Status, p.Title)
	}
	return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
}

// NotAccepted returns the event of seq that r, a verdict other than
// Accepted or Duplicate, answered at at, as the desk's domain keeps it.
func (r Result) NotAccepted(seq uint64, ev pinsede.Event, at time.Time) pinsede.NotAccepted {
	return pinsede.NotAccepted{Seq: seq, Event: ev, Verdict: pinsede.Verdict(r.Verdict), Reason: r.Reason, At: at}
}
