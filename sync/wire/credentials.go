package wire

import (
	"time"

	"github.com/pinsede/pinsede"
)

// CredentialStatus is where a credential is at the central records, as
// GET /v1/credentials tells it.
type CredentialStatus string

// The statuses a lookup answers.
const (
	StatusActive     CredentialStatus = "active"
	StatusRevoked    CredentialStatus = "revoked"
	StatusSuperseded CredentialStatus = "superseded"
)

// CredentialSummary is a credential as GET /v1/credentials answers it to a
// sede: what the desk needs to show and convert it, never a hash of the
// PIN nor of the PIN that replaced it.
type CredentialSummary struct {
	ID            string                 `json:"id"`
	CodiceFiscale pinsede.CodiceFiscale  `json:"codice_fiscale"`
	Type          pinsede.CredentialType `json:"type"`
	Status        CredentialStatus       `json:"status"`
	IssuedAt      time.Time              `json:"issued_at"`
	ExpiresAt     time.Time              `json:"expires_at"`
	// Sede is the sede (or channel, such as the online one) that issued
	// the credential.
	Sede string `json:"sede"`
	// RevokedAt and RevokeReason say when and why a revoked credential was
	// revoked.
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
	// ConvertedAt and ConvertedBy say when and by which operator a PIN
	// ordinario became dispositivo; zero when never converted.
	ConvertedAt time.Time `json:"converted_at,omitzero"`
	ConvertedBy string    `json:"converted_by,omitempty"`
}

// CredentialsResponse answers GET /v1/credentials?codice_fiscale=CF: every
// credential of the codice fiscale at the central records, newest first.
type CredentialsResponse struct {
	Credentials []CredentialSummary `json:"credentials"`
}
