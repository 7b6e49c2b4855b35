package central

import (
	"fmt"
	"time"
)

// The defaults of the wrong-PIN lock (LockPolicy).
const (
	// DefaultLockAfter is how many wrong PINs in a row lock a credential.
	DefaultLockAfter = 5
	// DefaultLockFor is how long the first temporary lock lasts; each
	// further one lasts twice as long as the one before.
	DefaultLockFor = 15 * time.Minute
	// DefaultMaxTemporaryLocks is how many temporary locks come before
	// the permanent one: with the other defaults, 15 min, 30 min, 1 h,
	// 2 h and 4 h, then permanent at the 30th wrong PIN.
	DefaultMaxTemporaryLocks = 5
	// DefaultLockReset is how long a credential must see no wrong PIN,
	// after the last one and after the end of its last lock, for its
	// wrong PINs and temporary locks to be forgotten.
	DefaultLockReset = 24 * time.Hour
)

// maxLockFor bounds a temporary lock however the policy is set.
const maxLockFor = 30 * 24 * time.Hour

// LockPolicy says when wrong PINs lock a credential, for how long, and
// when the lock becomes permanent, after Keycloak's brute-force detection
// and privacyIDEA's fail counter:
//
//   - After wrong PINs in a row lock the credential for For; the n-th
//     temporary lock lasts For·2^(n-1) (at most 30 days).
//   - After MaxTemporary temporary locks, the next lock is permanent: only
//     an unlock (UnlockRecord: `centrale unlock`, or a sede's
//     EventUnlocked after an identity check) lifts it.
//   - A right PIN, an unlock, or ResetAfter with no wrong PIN (counted from
//     the last wrong PIN or the end of the last lock, whichever is later)
//     forgets the wrong PINs and the temporary locks.
//
// While a credential is locked no PIN is checked against it: a right PIN
// opens nothing, and tells nothing.
type LockPolicy struct {
	// After is how many wrong PINs in a row lock the credential.
	After int
	// For is how long the first temporary lock lasts.
	For time.Duration
	// MaxTemporary is how many temporary locks come before the permanent
	// one.
	MaxTemporary int
	// ResetAfter is how long with no wrong PIN forgets the wrong PINs and
	// the temporary locks.
	ResetAfter time.Duration
}

// DefaultLockPolicy returns the default policy, locking after lockAfter
// wrong PINs (DefaultLockAfter when lockAfter < 1).
func DefaultLockPolicy(lockAfter int) LockPolicy {
	if lockAfter < 1 {
		lockAfter = DefaultLockAfter
	}
	return LockPolicy{After: lockAfter, For: DefaultLockFor, MaxTemporary: DefaultMaxTemporaryLocks, ResetAfter: DefaultLockReset}
}

// Validate reports what is wrong with p, or nil.
func (p LockPolicy) Validate() error {
	switch {
	case p.After < 1:
		return fmt.Errorf("lock policy: %d wrong PINs lock, at least 1 expected", p.After)
	case p.For <= 0:
		return fmt.Errorf("lock policy: a temporary lock of %s, more than 0 expected", p.For)
	case p.MaxTemporary < 0:
		return fmt.Errorf("lock policy: %d temporary locks, at least 0 expected", p.MaxTemporary)
	case p.ResetAfter <= 0:
		return fmt.Errorf("lock policy: forgets after %s, more than 0 expected", p.ResetAfter)
	}
	return nil
}

// Duration returns how long the n-th temporary lock lasts (n from 1):
// For, doubled at each further lock, at most 30 days.
func (p LockPolicy) Duration(n int) time.Duration {
	d := p.For
	for i := 1; i < n && d < maxLockFor; i++ {
		d *= 2
	}
	return min(d, maxLockFor)
}

// LockEvent is what a PIN check did about the wrong-PIN lock
// (Verifier.Locked).
type LockEvent string

// The lock events.
const (
	// LockTemporary: the check set a temporary lock.
	LockTemporary LockEvent = "temporary"
	// LockPermanent: the check set the permanent lock.
	LockPermanent LockEvent = "permanent"
	// LockHeld: the credential was locked; no hash of it was checked.
	LockHeld LockEvent = "held"
)

// Lock is the wrong-PIN lock of a credential at the central records
// (LockPolicy).
type Lock struct {
	// Temporary counts the temporary locks since the last right PIN,
	// unlock or reset.
	Temporary int `json:"temporary,omitempty"`
	// Until is the end of the last temporary lock: the credential is
	// locked before it.
	Until time.Time `json:"until,omitzero"`
	// Permanent is set by the lock that follows the last temporary one:
	// the credential stays locked until an unlock.
	Permanent bool `json:"permanent,omitempty"`
	// LastAttempt is when the last PIN check was counted; zero after a
	// right PIN, an unlock or a reset.
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// UnlockedAt and UnlockedBy say when and by whom the last unlock
	// lifted a lock or cleared wrong PINs.
	UnlockedAt time.Time `json:"unlocked_at,omitzero"`
	UnlockedBy string    `json:"unlocked_by,omitempty"`
}

// Locked reports whether the lock holds at t.
func (l Lock) Locked(t time.Time) bool { return l.Permanent || t.Before(l.Until) }

// String says the lock's state in a few words, for operators.
func (l Lock) String() string {
	switch {
	case l.Permanent:
		return "locked permanently"
	case !l.Until.IsZero():
		return fmt.Sprintf("temporary lock %d until %s", l.Temporary, l.Until.UTC().Format(time.RFC3339))
	}
	return "not locked"
}

// ReserveAttempt counts a PIN check on r at the time at, before its hash
// is checked, and reports whether the check may go ahead: false, with r
// unchanged, when r is locked at at. Every check counts as a wrong PIN
// until SucceedRecord says it was right, so that checks running at once
// are bounded by the lock: of any number sent together, at most p.After
// reach the hash. The check that reaches p.After sets the next lock, and
// starts the count again.
//
// Stores call it in one transaction that reads r, holding it against
// every other, and writes it back when it reports true.
func ReserveAttempt(r *Record, p LockPolicy, at time.Time) bool {
	l := &r.Lock
	if l.Locked(at) {
		return false
	}
	if quiet := later(l.LastAttempt, l.Until); !quiet.IsZero() && at.Sub(quiet) >= p.ResetAfter {
		r.Failures, l.Temporary, l.Until, l.LastAttempt = 0, 0, time.Time{}, time.Time{}
	}
	r.Failures++
	l.LastAttempt = at
	if r.Failures < p.After {
		return true
	}
	r.Failures = 0
	if l.Temporary >= p.MaxTemporary {
		l.Permanent = true
		return true
	}
	l.Temporary++
	l.Until = at.Add(p.Duration(l.Temporary))
	return true
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// SucceedRecord records a right PIN on r, whose check ReserveAttempt
// counted: the wrong PINs and the temporary locks are forgotten, and a
// lock set meanwhile by a check running at the same time is lifted (the
// citizen proved to know the PIN). When newPINHash is not empty it is
// recorded as the replacement PIN; ErrAlreadyReplaced, and r unchanged,
// when one was recorded before.
func SucceedRecord(r *Record, newPINHash string) error {
	if newPINHash != "" {
		if r.NewPINHash != "" {
			return ErrAlreadyReplaced
		}
		r.NewPINHash = newPINHash
	}
	r.Failures = 0
	r.Lock = Lock{UnlockedAt: r.Lock.UnlockedAt, UnlockedBy: r.Lock.UnlockedBy}
	return nil
}

// UnlockRecord lifts the lock of r, temporary or permanent, and forgets
// its wrong PINs and temporary locks, by who (an operator of centrale, or
// a sede after an identity check) at the time at. It reports whether there
// was anything to lift or forget; when there was not, r is unchanged.
func UnlockRecord(r *Record, by string, at time.Time) bool {
	if r.Failures == 0 && r.Lock.Temporary == 0 && !r.Lock.Permanent && r.Lock.Until.IsZero() {
		return false
	}
	r.Failures = 0
	r.Lock = Lock{UnlockedAt: at, UnlockedBy: by}
	return true
}
