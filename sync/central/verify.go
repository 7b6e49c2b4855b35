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

// ErrOverloaded is the error of a check that found no place to hash in its
// Gate: it was neither counted nor hashed, and may be sent again.
var ErrOverloaded = errors.New("too many PIN checks at once")

// A Gate bounds the PIN checks under way, and among them those hashing,
// for their memory and the cores. It returns, once the check has a
// place, its Pass, or false when there is none to be had (the caller's
// queue is full, its wait ran out or ctx ended). A check counts its
// attempt in its place, then waits for a place to hash: so that a place
// to hash freed finds a check already counted, instead of one that must
// first make its round trip to the store, and the store's round trips
// never leave the cores without a hash to make.
type Gate func(ctx context.Context) (Pass, bool)

// A Pass is a check's place in its Gate.
type Pass struct {
	// Hash waits for a place to hash. The wait is bounded by the Gate's
	// places, not by a context: the check is counted, so its PIN must be
	// checked.
	Hash func()
	// Leave gives back the check's place, and its place to hash if Hash
	// gave it one.
	Leave func()
}

// Verifier checks PINs against the central records, as the INPS portal's
// login does.
type Verifier struct {
	Store Store
	// Lock is the wrong-PIN lock policy (lock.go).
	Lock LockPolicy
	// Now is the clock expiries and locks are checked against.
	Now func() time.Time
	// Params are the argon2id costs of the stand-in hash checked for a
	// 16-character PIN when no credential's hash may be: they must be
	// those of the PIN hashes the sedi send (the default,
	// pinsede.DefaultPINParams, the only one centrale accepts by
	// default), so that every answer to a 16-character PIN costs the
	// same.
	Params pinsede.Argon2Params
	// ChosenParams are the costs of the hash of the 8-character PIN the
	// citizen chooses at the first login, made here, and of the stand-in
	// checked for an 8-character PIN when no such hash may be. Default
	// pinsede.DefaultChosenPINParams.
	ChosenParams pinsede.Argon2Params
	// Rand is the source of salts.
	Rand io.Reader
	// Hashed, when not nil, is called after each PIN check with the cost
	// of the hash checked: own is true when the PIN was checked against
	// the credential's hash, false for a stand-in. For tests and metrics;
	// it is called from every request's goroutine.
	Hashed func(own bool, cost pinsede.Argon2Params)
	// Locked, when not nil, is called when a check sets a wrong-PIN
	// lock (LockTemporary, LockPermanent) or finds its credential locked
	// (LockHeld). For metrics; it is called from every request's
	// goroutine.
	Locked func(LockEvent)

	dummyMu sync.Mutex
	dummies map[pinsede.Argon2Params]string // stand-in hashes, by cost
}

// NewVerifier returns a Verifier on store, with the clock now, with the
// default lock policy locking after lockAfter wrong PINs
// (DefaultLockAfter when lockAfter < 1).
func NewVerifier(store Store, lockAfter int, now func() time.Time) *Verifier {
	return &Verifier{Store: store, Lock: DefaultLockPolicy(lockAfter), Now: now,
		Params: pinsede.DefaultPINParams, ChosenParams: pinsede.DefaultChosenPINParams, Rand: rand.Reader}
}

// refused is the one answer to a PIN that opens nothing and proves
// nothing: a wrong PIN, a codice fiscale with no credential, and any PIN
// while the credential is locked.
var refused = wire.VerifyResponse{Outcome: wire.Wrong}

// dummyHash returns the stand-in hash of cost p, made on first use.
func (v *Verifier) dummyHash(p pinsede.Argon2Params) (string, error) {
	v.dummyMu.Lock()
	defer v.dummyMu.Unlock()
	if h, ok := v.dummies[p]; ok {
		return h, nil
	}
	h, err := pinsede.HashSecret([]byte("pinsede-stand-in-pin"), p, v.Rand)
	if err != nil {
		return "", fmt.Errorf("stand-in hash: %w", err)
	}
	if v.dummies == nil {
		v.dummies = map[pinsede.Argon2Params]string{}
	}
	v.dummies[p] = h
	return h, nil
}

// check checks pin against hash, and tells Hashed.
func (v *Verifier) check(hash, pin string, own bool) (bool, error) {
	ok, err := pinsede.VerifySecret(hash, []byte(pin))
	if v.Hashed != nil {
		cost, _ := pinsede.HashParams(hash) // read by VerifySecret already
		v.Hashed(own, cost)
	}
	return ok, err
}

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
// it: from then on only the 8-character PIN opens.
//
// Each check is counted before its hash is checked (Store.Attempt), so
// that checks sent at once for one codice fiscale reach the hash at most
// v.Lock.After times before the lock holds. A wrong PIN, a codice fiscale
// with no credential and any PIN while the credential is locked all get
// the same answer (Wrong, with no other field), after one hash whose cost
// depends only on the length of the PIN given: the credential's hash of
// that PIN (the desk's for 16 characters, the citizen's own for 8), or a
// stand-in of the same cost when there is none or it is locked. Revoked, Expired, ChangeRequired and Valid are told only to who
// gave the right PIN of an unlocked credential; so is the credential's
// Type.
//
// The check enters gate (when not nil) before it is counted, waits for
// its place to hash once counted, and leaves the gate as soon as its last
// hash is done: the store's record of the outcome and the answer are made
// outside it. ErrOverloaded when gate refuses.
//
// A request of Type telefonico checks the citizen's PIN telefonico instead
// (Slot): it is never replaced, so it answers Valid at once, and the answer
// says its type.
func (v *Verifier) Verify(ctx context.Context, req wire.VerifyRequest, gate Gate) (wire.VerifyResponse, error) {
	cf, err := pinsede.ParseCodiceFiscale(req.CodiceFiscale)
	if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("%w: codice_fiscale: %s", ErrBadRequest, CFReason(err))
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
	toHash, hashed := func() {}, func() {}
	if gate != nil {
		pass, ok := gate(ctx)
		if !ok {
			return wire.VerifyResponse{}, ErrOverloaded
		}
		toHash = pass.Hash
		var once sync.Once
		hashed = func() { once.Do(pass.Leave) }
		defer hashed()
	}
	now := v.Now()
	rec, open, err := v.Store.Attempt(ctx, cf, SlotOf(req.Type), v.Lock, now)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
	}
	toHash()
	if err == nil && v.Locked != nil {
		switch {
		case !open:
			v.Locked(LockHeld)
		case rec.Lock.Permanent:
			v.Locked(LockPermanent) // set now: it was not locked before
		case rec.Lock.Locked(now):
			v.Locked(LockTemporary)
		}
	}
	// The hash checked depends only on what the request shows: a
	// 16-character PIN is checked against the PIN the desk issued, an
	// 8-character one against the PIN the citizen chose. When the
	// credential has none of that kind (or none at all, or is locked), a
	// stand-in of the same cost takes its place.
	chosen := len(req.PIN) == pinsede.PINReplacementLength
	hash := rec.Credential.PINHash
	if chosen {
		hash = rec.NewPINHash
	} else if rec.NewPINHash != "" {
		hash = ""
	}
	if !open || hash == "" {
		p := v.Params
		if chosen {
			p = v.ChosenParams
		}
		dummy, err := v.dummyHash(p)
		if err != nil {
			return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
		}
		if _, err := v.check(dummy, req.PIN, false); err != nil {
			return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
		}
		return refused, nil // counted by Attempt
	}
	ok, err := v.check(hash, req.PIN, true)
	if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("verify credential %s: %w", rec.Credential.ID, err)
	}
	if !ok {
		return refused, nil // counted by Attempt
	}
	resp := wire.VerifyResponse{Type: rec.Credential.Type}
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
		if newHash, err = pinsede.HashSecret([]byte(req.NewPIN), v.ChosenParams, v.Rand); err != nil {
			return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
		}
	}
	hashed() // the last hash of a check
	if err := v.Store.Succeed(ctx, rec.Credential.ID, newHash); errors.Is(err, ErrAlreadyReplaced) {
		// Another login replaced the PIN meanwhile: this one's 16-character
		// PIN no longer opens, and its check stays counted.
		return refused, nil
	} else if err != nil {
		return wire.VerifyResponse{}, fmt.Errorf("verify: %w", err)
	}
	return resp, nil
}
