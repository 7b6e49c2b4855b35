package pinsede

import "time"

// DelegationForm is the INPS form on which a delegation of the digital
// identity is registered (circolare INPS 127/2021).
type DelegationForm string

// The delegation forms.
const (
	// FormAA08: delegation by the delegante, present at the sede.
	FormAA08 DelegationForm = "AA08"
	// FormAA09: delegation for a person who cannot come to the sede,
	// with a medical certificate.
	FormAA09 DelegationForm = "AA09"
	// FormAA10: delegation by a tutor, curator or support administrator
	// (tutore, curatore, amministratore di sostegno).
	FormAA10 DelegationForm = "AA10"
)

// Party is one side of a delegation: who they are and the document seen.
type Party struct {
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	Cognome       string        `json:"cognome"`
	Nome          string        `json:"nome"`
	Document      Document      `json:"document"`
}

// Delegation lets the delegato act on INPS's online services for the
// delegante with the delegato's own digital identity.
type Delegation struct {
	ID        string         `json:"id"`
	Sede      string         `json:"sede"`
	Form      DelegationForm `json:"form"`
	Delegante Party          `json:"delegante"`
	Delegato  Party          `json:"delegato"`
	// MedicalCertificate describes the certificate of an AA09 (doctor,
	// date); empty for the other forms.
	MedicalCertificate string `json:"medical_certificate,omitempty"`
	// From is the first day; Until the last, zero when open-ended.
	From  Date `json:"from"`
	Until Date `json:"until,omitzero"`
	// RegisteredAt and RegisteredBy: when and by which operator.
	RegisteredAt time.Time `json:"registered_at"`
	RegisteredBy string    `json:"registered_by"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
}
