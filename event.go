package pinsede

import (
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
)

// Event is a change that the central records must apply, waiting in the
// sede's outbox. Its ID is made at the sede, so the central records apply it
// at most once however often it is sent.
type Event struct {
	ID         string     `json:"id"`
	Kind       EventKind  `json:"kind"`
	Time       time.Time  `json:"time"`
	Sede       string     `json:"sede"`
	Credential Credential `json:"credential"`
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
