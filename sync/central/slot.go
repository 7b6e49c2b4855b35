package central

import "github.com/pinsede/pinsede"

// Slot is the place a credential takes among a citizen's: at most one
// credential per codice fiscale per slot is active across every sede. The
// PIN ordinario and the PIN dispositivo share SlotPIN, so a new one
// supersedes the other; the PIN telefonico has its own slot, so it lives
// alongside them and supersedes only a PIN telefonico.
type Slot string

// The slots.
const (
	SlotPIN        Slot = ""
	SlotTelefonico Slot = "telefonico"
)

// SlotOf returns the slot of a type of credential.
func SlotOf(t pinsede.CredentialType) Slot {
	if t == pinsede.Telefonico {
		return SlotTelefonico
	}
	return SlotPIN
}

// Key returns the key a store indexes cf's credential in slot s by: cf
// itself for SlotPIN, so that records written before slots keep their
// keys, and cf + "/" + s otherwise.
func (s Slot) Key(cf pinsede.CodiceFiscale) string {
	if s == SlotPIN {
		return string(cf)
	}
	return string(cf) + "/" + string(s)
}
