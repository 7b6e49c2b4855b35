// Package central holds the central records' model: the Store interface that
// its back ends implement (sync/boltstore, sync/pgstore), the rules they all
// apply to pushed events, and the PIN check built on them.
//
// # Basics
//
// Apply takes a sede's batch of events and gives one verdict per event. An
// event id is applied at most once: a replay is a Duplicate. One credential
// per codice fiscale per Slot is active across every sede: an issue
// accepted later takes the place of the active one of its slot (a PIN
// telefonico never supersedes a PIN dispositivo), which becomes superseded, and a
// ChangeSuperseded is recorded for the sede that issued it.
//
// # Caveats
//
// Stores trust the sede they are given: the server checks that it is the
// authenticated one. Stores keep only argon2id hashes.
package central

import (
	"context"
	"errors"
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
	// Failures counts the wrong PINs since the last right one.
	Failures int `json:"failures"`
	// NewPINHash is the argon2id hash of the 8-character PIN that replaced
	// the 16-character one at first use; empty before.
	NewPINHash string    `json:"new_pin_hash,omitempty"`
	AcceptedAt time.Time `json:"accepted_at"`
}

// Store is the central records' storage. Implementations are safe for
// concurrent use, and every method is atomic.
type Store interface {
	// Apply applies sede's events in order, each at most once by id, and
	// returns one result per event. at is the time of acceptance.
	Apply(ctx context.Context, sede string, events []pinsede.Event, at time.Time) ([]wire.Result, error)
	// Changes returns at most limit changes for sede with Seq > after,
	// oldest first.
	Changes(ctx context.Context, sede string, after uint64, limit int) ([]wire.Change, error)
	// Current returns the credential of cf in slot a login checks: the
	// active one, or else the one accepted last. ErrNotFound when none.
	Current(ctx context.Context, cf pinsede.CodiceFiscale, slot Slot) (Record, error)
	// Fail counts a wrong PIN for a credential and returns the new count.
	// When the count reaches lockAt, a ChangeLocked is recorded for its
	// sede.
	Fail(ctx context.Context, credentialID string, lockAt int, at time.Time) (int, error)
	// Succeed clears a credential's wrong-PIN count and, when newPINHash is
	// not empty, records it as the replacement PIN. It returns
	// ErrAlreadyReplaced if a replacement was recorded before.
	Succeed(ctx context.Context, credentialID, newPINHash string) error
	// Events counts the events held (for checks and benchmarks).
	Events(ctx context.Context) (int, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Kind names the back end, for /v1/health.
	Kind() string
	// Close releases the store.
	Close() error
}

// Errors of the central records.
var (
	// ErrNotFound is returned for a credential or codice fiscale unknown.
	ErrNotFound = pinsede.ErrNotFound
	// ErrAlreadyReplaced is returned by Succeed when the 16-character PIN
	// was already replaced.
	ErrAlreadyReplaced = errors.New("PIN already replaced")
)

// Reasons of rejection.
const (
	ReasonOtherSede     = "event of another sede"
	ReasonUnknownKind   = "unknown event kind"
	ReasonBadEvent      = "invalid event"
	ReasonUnknownCred   = "unknown credential"
	ReasonCredExists    = "credential already issued"
	ReasonCredOtherSede = "credential of another sede"
)

// Check validates an event of sede before it is applied: it returns the
// reason to reject it, or "". It does not look at stored records.
func Check(sede string, ev pinsede.Event) string {
	c := ev.Credential
	switch {
	case ev.Sede != sede || c.Sede != sede:
		return ReasonOtherSede
	case ev.ID == "" || len(ev.ID) > 64:
		return ReasonBadEvent + ": id"
	case c.ID == "" || len(c.ID) > 64:
		return ReasonBadEvent + ": credential id"
	case ev.Time.IsZero():
		return ReasonBadEvent + ": time"
	}
	if cf, err := pinsede.ParseCodiceFiscale(string(c.CodiceFiscale)); err != nil || cf != c.CodiceFiscale {
		return ReasonBadEvent + ": codice fiscale"
	}
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
	case pinsede.EventRevoked, pinsede.EventHandedOver:
	default:
		return ReasonUnknownKind
	}
	return ""
}
