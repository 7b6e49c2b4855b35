package pinsede

import (
	"errors"
	"fmt"
	"io"
)

// PINLength is the length of the PIN issued at the desk. The citizen replaces
// it with a PIN of [PINReplacementLength] at the first login.
const (
	PINLength            = 16
	PINReplacementLength = 8
)

// PINAlphabet holds the characters of a PIN: upper-case letters and digits
// without the pairs that are misread on paper (0/O/Q/D, 1/I/L, 2/Z, 5/S,
// 8/B, 6/G). 21 symbols: a 16-character PIN carries 70 bits.
const PINAlphabet = "ACEFHJKMNPRTUVWXY3479"

// PIN is a plaintext PIN. It lives in memory only, between GeneratePIN and
// the printer. It has no String that prints it; fmt shows it redacted, and
// it refuses to be marshalled. Call Wipe when the slip is printed.
type PIN struct {
	b [PINLength]byte
}

// errPINMarshal is returned by every attempt to serialise a PIN.
var errPINMarshal = errors.New("a PIN is never serialised")

// GeneratePIN draws a PIN from r, which must be a cryptographic source
// (crypto/rand.Reader). Rejection sampling keeps every symbol equally likely.
func GeneratePIN(r io.Reader) (*PIN, error) {
	const n = len(PINAlphabet)
	const limit = 256 - 256%n // bytes at or above limit would bias the draw
	p := new(PIN)
	var buf [32]byte
	for i := 0; i < PINLength; {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("generate pin: %w", err)
		}
		for _, c := range buf {
			if int(c) >= limit || i == PINLength {
				continue
			}
			p.b[i] = PINAlphabet[int(c)%n]
			i++
		}
		clear(buf[:])
	}
	return p, nil
}

// Groups returns the PIN as the two groups of eight characters printed on
// the slip. Only a printer calls it.
func (p *PIN) Groups() (first, second string) {
	return string(p.b[:8]), string(p.b[8:])
}

// Bytes returns a copy of the PIN's characters, for hashing. Clear the copy
// when done.
func (p *PIN) Bytes() []byte {
	b := make([]byte, PINLength)
	copy(b, p.b[:])
	return b
}

// Wipe overwrites the PIN in memory.
func (p *PIN) Wipe() {
	if p != nil {
		clear(p.b[:])
	}
}

// String returns a redaction, never the PIN.
func (p *PIN) String() string { return "[PIN]" }

// GoString returns a redaction, never the PIN.
func (p *PIN) GoString() string { return "[PIN]" }

// Format prints a redaction for every verb, never the PIN.
func (p *PIN) Format(f fmt.State, _ rune) { io.WriteString(f, "[PIN]") }

// MarshalText refuses: a PIN is never serialised.
func (p *PIN) MarshalText() ([]byte, error) { return nil, errPINMarshal }

// MarshalJSON refuses: a PIN is never serialised.
func (p *PIN) MarshalJSON() ([]byte, error) { return nil, errPINMarshal }

// ValidPINSyntax reports whether s could be a PIN of the given length: the
// right length and only characters of PINAlphabet.
func ValidPINSyntax(s []byte, length int) bool {
	if len(s) != length {
		return false
	}
	for _, c := range s {
		ok := false
		for i := 0; i < len(PINAlphabet); i++ {
			if PINAlphabet[i] == c {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
