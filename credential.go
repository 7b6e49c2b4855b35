package pinsede

import "time"

// CredentialType is the kind of PIN.
type CredentialType string

// The kinds of PIN.
const (
	// Ordinario opens the reserved area read-only.
	Ordinario CredentialType = "ordinario"
	// Dispositivo also files applications for benefits. The desk issues
	// only this kind.
	Dispositivo CredentialType = "dispositivo"
	// Telefonico is a temporary PIN, valid one day to three months
	// ([TelephoneValidity]), that serves only to be helped by the
	// Contact Center. It lives alongside the PIN dispositivo.
	Telefonico CredentialType = "telefonico"
)

// CredentialState is where a credential is in its life.
type CredentialState string

// The states of a credential. Scaduto is not stored: it follows from the
// expiry date ([Credential.StateAt]).
const (
	StateAttivo   CredentialState = "attivo"
	StateRevocato CredentialState = "revocato"
	StateScaduto  CredentialState = "scaduto"
)

// Validity is how long a PIN is valid from its issue, in months
// (AddMonths).
const ValidityMonths = 6

// Expiry returns when a PIN other than a PIN telefonico (see
// [TelephoneValidity.Expiry]), issued at issued, stops being valid:
// ValidityMonths later, by AddMonths.
func Expiry(issued time.Time) time.Time { return AddMonths(issued, ValidityMonths) }

// Revocation reasons recorded by the desk itself.
const (
	ReasonReplaced    = "sostituito da un nuovo PIN"
	ReasonPrintFailed = "stampa della busta non riuscita"
)

// Credential is a PIN as the sede keeps it: its argon2id hash, never the PIN.
type Credential struct {
	ID            string          `json:"id"`
	CodiceFiscale CodiceFiscale   `json:"codice_fiscale"`
	Type          CredentialType  `json:"type"`
	State         CredentialState `json:"state"`
	PINHash       string          `json:"pin_hash"`
	IssuedAt      time.Time       `json:"issued_at"`
	ExpiresAt     time.Time       `json:"expires_at"`
	IssuedBy      string          `json:"issued_by"`
	Sede          string          `json:"sede"`
	SlipSerial    string          `json:"slip_serial"`
	PrintedAt     time.Time       `json:"printed_at,omitzero"`
	HandedOverAt  time.Time       `json:"handed_over_at,omitzero"`
	HandedOverBy  string          `json:"handed_over_by,omitempty"`
	RevokedAt     time.Time       `json:"revoked_at,omitzero"`
	RevokedBy     string          `json:"revoked_by,omitempty"`
	RevokeReason  string          `json:"revoke_reason,omitempty"`
	// Validity is the validity chosen for a PIN telefonico; empty for
	// the other types.
	Validity TelephoneValidity `json:"validity,omitempty"`
	// ConvertedAt is when an ordinario PIN became dispositivo at the desk,
	// by the operator ConvertedBy; zero when never converted.
	ConvertedAt time.Time `json:"converted_at,omitzero"`
	ConvertedBy string    `json:"converted_by,omitempty"`
}

// StateAt returns the state at now: an active credential past its expiry is
// Scaduto.
func (c Credential) StateAt(now time.Time) CredentialState {
	if c.State == StateAttivo && !now.Before(c.ExpiresAt) {
		return StateScaduto
	}
	return c.State
}

// Active reports whether the credential opens the services at now.
func (c Credential) Active(now time.Time) bool { return c.StateAt(now) == StateAttivo }

// revoke marks the credential revoked at now by actor for reason.
func (c *Credential) revoke(now time.Time, actor, reason string) {
	c.State = StateRevocato
	c.RevokedAt = now
	c.RevokedBy = actor
	c.RevokeReason = reason
}

// Citizen is a person the sede has served: the data of their latest MV35
// and of the document last verified.
type Citizen struct {
	Request   Request   `json:"request"`
	Document  Document  `json:"document"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CF returns the citizen's codice fiscale, the key of the record.
func (c Citizen) CF() CodiceFiscale { return c.Request.CodiceFiscale }

// SearchQuery finds citizens by codice fiscale, or by surname and name and,
// optionally, birth date. Names match whole, ignoring case, accents and
// spaces.
type SearchQuery struct {
	CodiceFiscale CodiceFiscale
	Cognome       string
	Nome          string
	DataNascita   Date
}
