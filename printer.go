package pinsede

import (
	"context"
	"time"
)

// Slip is what the sealed-envelope PIN slip (busta chiusa) carries. It holds
// the plaintext PIN: it is handed to a SlipPrinter and dropped.
type Slip struct {
	Serial string
	Sede   Sede
	// Desk is the desk PC that printed it (Session.Desk): the slip
	// shows "Sportello 03" by the sede; "" shows none.
	Desk      string
	Operator  string
	Citizen   Request
	PIN       *PIN
	Type      CredentialType
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Pending is true when the central records have not yet activated the
	// PIN: the slip says "in attesa di attivazione" instead of "già attivo".
	Pending bool
	// Validity is the validity of a PIN telefonico; empty for the other
	// types.
	Validity TelephoneValidity
}

// SlipPrinter renders and prints a slip. It must not keep the PIN: no file
// that outlives the job, no log. It returns only when the printer has
// accepted the job, or with the reason it could not.
type SlipPrinter interface {
	PrintSlip(ctx context.Context, s Slip) error
}
