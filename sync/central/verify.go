package central

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// ErrBadRequest wraps the problems of a verify request that is not a login
// attempt at all (an invalid codice fiscale, a PIN of the wrong form).
var ErrBadRequest = errors.New("invalid verify request")

// Verifier checks PINs against the central records, as the INPS portal's
// login does.
type Verifier struct {
	Store Store
	// LockAfter is how many wrong PINs in a row lock a credential.
	LockAfter int
	// Now is the clock expiries and locks are checked against.
	Now func() time.Time
	// Params are the argon2id costs of the replacement PIN's hash.
	Params pinsede.Argon2Params
	// Rand is the source of salts.
	Rand io.Reader
}

// NewVerifier returns a Verifier on store, with the clock now, that locks
// after lockAfter wrong PINs (DefaultLockAfter when lockAfter < 1).
func NewVerifier(store Store, lockAfter int, now func() time.Time) *Verifier {
	if lockAfter < 1 {
		lockAfter = DefaultLockAfter
	}
	return &Verifier{Store: store, LockAfter: lockAfter, Now: now, Params: pinsede.DefaultPINParams, Rand: rand.Reader}
}

// dummyHash is checked when there is no credential, so that an unknown
// codice fiscale takes as long as a wrong PIN.
var dummyHash = sync.OnceValue(func() string {
	h, _ := pinsede.HashSecret([]byte("pinsede-dummy-pin"), pinsede.DefaultPINParams, rand.Reader)
	return h
})

// validNewPIN reports whether s can be the 8-character PIN a citizen
// chooses: letters and digits only.
func validNewPIN(s string) bool {
	if len(s) != pinsede.PINReplacementLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Verify checks a login. A first login with the 16-character PIN answers
// ChangeRequired until it comes with a valid NewPIN, which then replaces
// it: from then on only the 8-character PIN opens. Wrong PINs count towards
// the lock. An unknown codice fiscale answers Wrong.
//
// A request of Type telefonico checks the citizen's PIN telefonico instead
// (Slot): it is never replaced, so it answers Valid at once, and the answer
// says its type.
func (v *Verifier) Verify(ctx context.Context, req wire.VerifyRequest) (wire.VerifyResponse, error) {
	cf, err := pinsede.ParseCodiceFiscale(req.CodiceFiscale)
	if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("%w: codice_fiscale: %v", ErrBadRequest, err)
	}
	if n := len(req.PIN); n != pinsede.PINLength && n != pinsede.PINReplacementLength {
		return wire.VerifyResponse{}, fmt.Errorf("%w: pin: %d or %d characters expected, got %d",
			ErrBadRequest, pinsede.PINReplacementLength, pinsede.PINLength, n)
	}
	if req.NewPIN != "" && !validNewPIN(req.NewPIN) {
		return wire.VerifyResponse{}, fmt.Errorf("%w: new_pin: %d letters or digits expected", ErrBadRequest, pinsede.PINReplacementLength)
	}
	switch req.Type {
	case "", pinsede.Ordinario, pinsede.Dispositivo, pinsede.Telefonico:
	default:
		return wire.VerifyResponse{}, fmt.Errorf("%w: type: unknown %q", ErrBadRequest, req.Type)
	}
	telephone := req.Type == pinsede.Telefonico
	rec, err := v.Store.Current(ctx, cf, SlotOf(req.Type))
	if errors.Is(err, ErrNotFound) {
		pinsede.VerifySecret(dummyHash(), []byte(req.PIN))
		return wire.VerifyResponse{Outcome: wire.Wrong, AttemptsLeft: v.LockAfter}, nil
	}
	if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
	}
	left := v.LockAfter - rec.Failures
	if left <= 0 {
		return wire.VerifyResponse{Outcome: wire.Locked}, nil
	}
	hash, want := rec.Credential.PINHash, pinsede.PINLength
	if rec.NewPINHash != "" {
		hash, want = rec.NewPINHash, pinsede.PINReplacementLength
	}
	ok, err := pinsede.VerifySecret(hash, []byte(req.PIN))
	if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("verify credential %s: %w", rec.Credential.ID, err)
	}
	now := v.Now()
	if !ok || len(req.PIN) != want {
		n, err := v.Store.Fail(ctx, rec.Credential.ID, v.LockAfter, now)
		if err != nil {
			return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
		}
		return wire.VerifyResponse{Outcome: wire.Wrong, AttemptsLeft: max(v.LockAfter-n, 0)}, nil
	}
	resp := wire.VerifyResponse{Type: rec.Credential.Type, AttemptsLeft: v.LockAfter}
	switch {
	case rec.Status != StatusActive:
		resp.Outcome = wire.Revoked
	case !rec.Credential.Active(now):
		resp.Outcome = wire.Expired
	case rec.NewPINHash == "" && req.NewPIN == "" && !telephone:
		resp.Outcome = wire.ChangeRequired
	default:
		resp.Outcome = wire.Valid
	}
	newHash := ""
	if resp.Outcome == wire.Valid && rec.NewPINHash == "" && !telephone {
		if newHash, err = pinsede.HashSecret([]byte(req.NewPIN), v.Params, v.Rand); err != nil {
			return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
		}
	}
	if err := v.Store.Succeed(ctx, rec.Credential.ID, newHash); errors.Is(err, ErrAlreadyReplaced) {
		// Another login replaced the PIN meanwhile: this one's 16-character
		// PIN no longer opens.
		return wire.VerifyResponse{Outcome: wire.Wrong, AttemptsLeft: left}, nil
	} else if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
	}
	return resp, nil
}
