package pinsede

import "time"

// SyncStatus is the state of the link to the central records (the sync
// client's).
type SyncStatus int

// The statuses.
const (
	// SyncConnecting: no sync has finished yet.
	SyncConnecting SyncStatus = iota
	// SyncOnline: the last sync reached centrale.
	SyncOnline
	// SyncOffline: the last sync failed; the client retries.
	SyncOffline
)

// String returns the status in English, for logs.
func (s SyncStatus) String() string {
	switch s {
	case SyncOnline:
		return "online"
	case SyncOffline:
		return "offline"
	}
	return "connecting"
}

// SyncState is what the desk shows of the sync with the central records;
// the sync client (sync/client) keeps it.
type SyncState struct {
	Status SyncStatus
	// OfflineSince is when the link went down; zero when online.
	OfflineSince time.Time
	// Pending counts the events waiting in the outbox.
	Pending int
	// LastError is why the last attempt failed, in technical terms, for
	// the log; empty when it did not.
	LastError string
	// Fault is the kind of the last failure, for the desk to tell in plain
	// words (sync/client's Classify); FaultTitle the title of centrale's
	// answer, if any.
	Fault      SyncFault
	FaultTitle string
	// LastSync is when centrale last answered.
	LastSync time.Time
	// PushHeldUntil and PullHeldUntil are when centrale said this desk's
	// pushes, and its pulls, may be sent again (its Retry-After, on the
	// sync client's clock), as of the last sync; zero when nothing holds
	// them back. The desk is online meanwhile (Fault FaultLimited or
	// FaultBusy; FaultStoreRefused too, without a time): its events wait
	// in the outbox.
	PushHeldUntil, PullHeldUntil time.Time
	// NotAccepted are the last events of this session that centrale did
	// not accept, at most 100 (Desk.NotAcceptedEvents has them all).
	NotAccepted []NotAccepted
	// Changes counts the changes pulled in this session.
	Changes int
	// Revoked are the last credentials of the sede that pulled changes
	// revoked in this session (superseded by another sede's newer PIN,
	// locked or revoked at centrale), at most 100: the desk reloads a
	// citizen's page that shows one. It tells, until a clerk
	// acknowledges them, those of envelopes printed here, and another
	// desk's revocations before the handover here (Desk.RevokedSlips).
	Revoked []Revocation
	// NotRecovered says that the desk, restored from an older copy,
	// asked centrale for its own events newer than the copy and
	// centrale, of a version before it, did not send them: what the
	// desk did after the copy is at centrale only, for the session.
	NotRecovered bool
	// CentraleRestored is what the desk did when it last found
	// centrale's store put back from a copy (Desk.FollowEpoch), for the
	// session; nil when it did not.
	CentraleRestored *CentraleRestore
	// PolicyVersion is the version of the eligibility policy cached from
	// centrale; 0 before the first.
	PolicyVersion int
	// Clock is how far this PC's clock was from centrale's at its latest
	// answer; zero before the first, and after a sync that did not reach
	// centrale (the PC's clock may have been put right meanwhile).
	Clock ClockReading
}

// ClockReading is how far this PC's clock was from centrale's at one of
// its answers: the answer's Date, written from centrale's clock, against
// the midpoint of the exchange on this PC's clock.
type ClockReading struct {
	// Offset is this PC's clock minus centrale's: positive when this PC's
	// runs ahead.
	Offset time.Duration
	// Error bounds the measure: the true offset lies within Offset±Error
	// (half the exchange, and half the second the Date is written to).
	Error time.Duration
	// At is when it was measured, on this PC's clock; zero: never.
	At time.Time
	// MaxSkew is how far ahead of centrale's clock it takes an event's
	// time (its -max-clock-skew, as it said in its answer).
	MaxSkew time.Duration
}

// Ahead returns how far this PC's clock runs ahead of centrale's when it
// surely does by more than MaxSkew: centrale would keep the events made
// now in its own clock (it moves a push's times by the desk's offset),
// but a PIN issued now would carry the wrong date and time on its slip
// and in the desk's records. It returns 0 when the clock is within the
// skew, behind, or the reading is unknown.
func (r ClockReading) Ahead() time.Duration {
	if r.At.IsZero() || r.MaxSkew <= 0 || r.Offset-r.Error <= r.MaxSkew {
		return 0
	}
	return r.Offset
}

// Behind returns how far this PC's clock runs behind centrale's when it
// surely does by more than MaxSkew, and 0 otherwise. Centrale moves the
// times of a push from a clock behind into its own (up to its
// -max-event-age; further behind, it refuses the push), but a PIN issued
// now would carry the wrong date and time on its slip and in the desk's
// records, as with Ahead.
func (r ClockReading) Behind() time.Duration {
	if r.At.IsZero() || r.MaxSkew <= 0 || -r.Offset-r.Error <= r.MaxSkew {
		return 0
	}
	return -r.Offset
}

// CatchUp is how far a pull from the central records has come, page by
// page: from the cursor it started at (From) to the newest change of the
// sede when centrale last answered (Latest), through Cursor, with
// Applied changes kept so far. The changes are numbered across the
// sedi, so the fraction is of the numbers, not of the changes.
type CatchUp struct {
	From, Cursor, Latest uint64
	Applied              int
}

// Fraction returns how far the pull has come, from 0 to 1: 1 when there
// was nothing to pull, or centrale did not tell its newest change.
func (c CatchUp) Fraction() float64 {
	if c.Latest <= c.From || c.Cursor >= c.Latest {
		return 1
	}
	if c.Cursor <= c.From {
		return 0
	}
	return float64(c.Cursor-c.From) / float64(c.Latest-c.From)
}

// SyncFault is the kind of failure the last sync met, for the desk to
// explain in plain words; SyncState.LastError keeps the technical detail,
// for the log.
type SyncFault int

// The faults.
const (
	// FaultNone: the last sync did not fail.
	FaultNone SyncFault = iota
	// FaultUnreachable: centrale could not be reached (no network, name
	// unknown, connection refused or cut).
	FaultUnreachable
	// FaultTimeout: centrale did not answer in time.
	FaultTimeout
	// FaultCertificate: centrale refused the sede's certificate (revoked,
	// expired on its clock, of another role, none): the sede's to put
	// right.
	FaultCertificate
	// FaultServer: centrale answered with an error; SyncState.FaultTitle is
	// the title of its problem.
	FaultServer
	// FaultOther: any other failure, such as of the local store.
	FaultOther
	// FaultBusy: centrale has taken in as much as it can at once and said
	// to come back (503 busy or overloaded): nothing is wrong, the next
	// sync sends the same events again.
	FaultBusy
	// FaultClock: centrale refused a push because this PC's clock runs
	// more than a day ahead of its own, or behind by more than an event
	// may be old (the date, the time or the time zone set wrong):
	// nothing was stored, the events stay in the outbox and go at the
	// first sync after the PC's clock is put right.
	FaultClock
	// FaultLimited: centrale refused a push because this desk has sent
	// more events than it takes of one desk in a day (429 push-volume):
	// nothing was stored, the events stay in the outbox and go once
	// centrale takes them again; a desk that did not issue that many
	// has something wrong, for the supervisor to look at.
	FaultLimited
	// FaultCentraleCertificate: this desk does not trust the certificate
	// centrale showed (expired or not yet valid on this PC's clock,
	// signed by another authority, made for another host name): centrale's
	// operators' to put right, not the sede's; the desk's own certificate
	// and settings are fine. The events stay in the outbox meanwhile.
	FaultCentraleCertificate
	// FaultAuditFork: centrale refused a push because this desk's audit
	// chain no longer continues the one it holds of the desk (409
	// audit-fork): the store was restored from a copy older than what
	// centrale holds, or rewritten. Centrale holds back the desk's new
	// events until its operator confirms the restore (centrale audit
	// reset); meanwhile the PINs issued here do not work at the portal.
	// The sync's other steps go on: the desk still pulls.
	FaultAuditFork
	// FaultStoreRefused: centrale answered that its own database refuses
	// its credentials or the database it names (503 store-down without
	// Retry-After): centrale's operators' to put right, it does not pass
	// by itself; the desk's settings are fine. The desk stays online,
	// issues PINs, pending activation, and its events wait in the
	// outbox.
	FaultStoreRefused
)

// String names the fault in English, for logs.
func (f SyncFault) String() string {
	switch f {
	case FaultNone:
		return "none"
	case FaultUnreachable:
		return "unreachable"
	case FaultTimeout:
		return "timeout"
	case FaultCertificate:
		return "certificate"
	case FaultServer:
		return "server"
	case FaultBusy:
		return "busy"
	case FaultClock:
		return "clock"
	case FaultLimited:
		return "limited"
	case FaultCentraleCertificate:
		return "centrale_certificate"
	case FaultAuditFork:
		return "audit_fork"
	case FaultStoreRefused:
		return "store_refused"
	}
	return "other"
}
