package pinsede

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxAuditDetail is the longest Detail of an audit entry, in bytes, that
// the desk writes and centrale keeps. The desk's details are its own
// words and what it was given: the longest it composes of bounded inputs,
// a delegation's (the form, a party's name of two MV35 texts of 120
// characters, the period or the reason), or another desk's act pulled
// from centrale (a reason of at most 512 bytes, sync/central.MaxText),
// fit in a third of it. An entry's Detail longer than that (a reason of
// an operator's, which has no maximum) is cut to it (auditDetail).
const MaxAuditDetail = 4 << 10

// auditDetail returns detail as an audit entry keeps it: without NUL
// characters (PostgreSQL's JSON has none), and cut to MaxAuditDetail
// bytes at a character's boundary, "…" ending what was cut.
func auditDetail(detail string) string {
	detail = strings.ToValidUTF8(strings.ReplaceAll(detail, "\x00", ""), "\uFFFD")
	if len(detail) <= MaxAuditDetail {
		return detail
	}
	const more = "…"
	cut := MaxAuditDetail - len(more)
	for !utf8.RuneStart(detail[cut]) {
		cut--
	}
	return detail[:cut] + more
}

// AuditAction names what an audit entry records.
type AuditAction string

// The audited actions.
const (
	ActionSetup           AuditAction = "sede.setup"
	ActionOperatorAdded   AuditAction = "operator.added"
	ActionOperatorOff     AuditAction = "operator.disabled"
	ActionOperatorOn      AuditAction = "operator.enabled"
	ActionOperatorUnlock  AuditAction = "operator.unlocked"
	ActionOperatorLocked  AuditAction = "operator.locked"
	ActionPasswordReset   AuditAction = "operator.password_reset"
	ActionPasswordChanged AuditAction = "operator.password_changed"
	ActionLogin           AuditAction = "operator.login"
	ActionLoginFailed     AuditAction = "operator.login_failed"
	ActionIssued          AuditAction = "credential.issued"
	ActionPrinted         AuditAction = "credential.printed"
	ActionPrintFailed     AuditAction = "credential.print_failed"
	ActionHandedOver      AuditAction = "credential.handed_over"
	ActionRevoked         AuditAction = "credential.revoked"
	ActionSlipReplaced    AuditAction = "credential.slip_replaced"
	ActionMV35Printed     AuditAction = "mv35.printed"
	ActionSettingsChanged AuditAction = "settings.changed"
	ActionCitizenViewed   AuditAction = "citizen.viewed"
	ActionCitizenSearched AuditAction = "citizen.searched"
)

// AuditEntry is one link of the append-only audit chain. The store assigns
// Seq, Prev and Hash when it appends the entry.
type AuditEntry struct {
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Sede string    `json:"sede"`
	// Desk is the desk PC of the sede that acted: the one whose chain it
	// is (Desk.DeskID), or another desk of the sede whose act the chain
	// records from a pulled ChangeSedeEvent (sedeevent.go); "" for a
	// desk with no desk id, and in every entry of before desk ids, whose
	// hashes stay as they were.
	Desk string `json:"desk,omitempty"`
	// At is when another desk of the sede did the act an entry of a
	// pulled ChangeSedeEvent records (the event's time; Time is when this
	// desk applied it): the reconciliation of the sede counts the act on
	// its own day. Zero for this desk's own acts, and in the entries of
	// before it, whose hashes stay as they were.
	At         time.Time     `json:"at,omitzero"`
	Actor      string        `json:"actor"`
	Action     AuditAction   `json:"action"`
	Subject    CodiceFiscale `json:"subject,omitempty"`
	Credential string        `json:"credential,omitempty"`
	Detail     string        `json:"detail,omitempty"`
	Prev       []byte        `json:"prev"`
	Hash       []byte        `json:"hash,omitempty"`
}

// ChainHash returns the hash that links e to the chain: SHA-256 over the
// JSON encoding of e with Hash empty (Prev, the previous entry's hash, is
// part of it). Changing, removing or reordering an entry breaks the chain at
// that point.
func (e AuditEntry) ChainHash() []byte {
	e.Hash = nil
	b, err := json.Marshal(e)
	if err != nil {
		panic("audit entry not encodable: " + err.Error()) // only plain fields: cannot happen
	}
	h := sha256.Sum256(b)
	return h[:]
}

// OfDesk reports whether e, an entry of the chain of desk, records an
// act of that desk, and not one of another desk of the sede that the
// chain holds from a pulled ChangeSedeEvent (sedeevent.go: it names that
// desk, and the time of the act there). An entry of before desk ids
// (Desk "") is the chain's own. Centrale keeps, of the entries a desk
// sends, those of its own acts: each act once, from the desk that did it.
func (e AuditEntry) OfDesk(desk string) bool {
	return e.At.IsZero() && (e.Desk == "" || e.Desk == desk)
}

// ActedAt returns when the act e records was done: At for an act of
// another desk of the sede, pulled (this desk may have pulled it hours
// later, that desk being offline), otherwise Time.
func (e AuditEntry) ActedAt() time.Time {
	if !e.At.IsZero() {
		return e.At
	}
	return e.Time
}

// AuditHead is the end of a desk's hash-chained audit log: its last
// entry's Seq and Hash, and the Chain it belongs to, the Hash of its first
// entry, which tells apart the desks of one sede. A store with no entry
// has the zero head: Seq 0, no Chain and no Hash. Each push to the
// central records carries it (sync/wire).
type AuditHead struct {
	Chain []byte `json:"chain,omitempty"`
	Seq   uint64 `json:"seq"`
	Hash  []byte `json:"hash,omitempty"`
	// Desk is the desk PC whose chain it is: centrale sets it from the
	// client certificate (what a push says is replaced), and keeps and
	// admits chains per sede and desk. "" for a certificate of before
	// desk ids.
	Desk string `json:"desk,omitempty"`
}

// KeptHead is an audit head as the central records keep it: with when it
// was first received.
type KeptHead struct {
	AuditHead
	Received time.Time `json:"received"`
}
