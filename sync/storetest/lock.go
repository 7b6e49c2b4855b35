package storetest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// The PINs of the lock tests: the right one, and wrong ones of the same
// form.
const (
	lockPIN   = "ACEFHJKMNPRTUVWX"
	wrongPIN  = "ACEFHJKMNPRTUVWY"
	wrongPIN8 = "Roma2027"
)

// hashes counts a Verifier's PIN checks, through its Hashed hook, and
// keeps the cost of the last.
type hashes struct {
	own, standIn atomic.Int64
	mu           sync.Mutex
	last         pinsede.Argon2Params
}

// lastCost returns the cost of the last hash checked.
func (h *hashes) lastCost() pinsede.Argon2Params {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// total returns every hash checked.
func (h *hashes) total() int64 { return h.own.Load() + h.standIn.Load() }

// cheapChosen is the suite's cost of a chosen PIN's hash: cheap, and
// other than CheapArgon2, the desks' in the suite, so that the suite sees
// which one a check pays.
var cheapChosen = pinsede.Argon2Params{Time: 2, MemoryKiB: 64, Threads: 1}

// lockVerifier returns a Verifier on s with the policy p, the clock now
// and the suite's cheap hashes, and the count of its hashes.
func lockVerifier(s central.Store, p central.LockPolicy, now func() time.Time) (*central.Verifier, *hashes) {
	v := central.NewVerifier(s, p.After, now)
	v.Lock, v.Params, v.ChosenParams = p, CheapArgon2, cheapChosen
	h := &hashes{}
	v.Hashed = func(own bool, cost pinsede.Argon2Params) {
		if own {
			h.own.Add(1)
		} else {
			h.standIn.Add(1)
		}
		h.mu.Lock()
		h.last = cost
		h.mu.Unlock()
	}
	return v, h
}

// together sends reqs to v at once: each from its own goroutine, all
// waiting on one channel that is closed when every one is ready.
func together(t *testing.T, v *central.Verifier, reqs []wire.VerifyRequest) []wire.VerifyResponse {
	t.Helper()
	out := make([]wire.VerifyResponse, len(reqs))
	errs := make([]error, len(reqs))
	Together(len(reqs), func(i int) { out[i], errs[i] = v.Verify(ctx, reqs[i], nil) })
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return out
}

// guesses returns n requests for cf with a wrong PIN.
func guesses(cf pinsede.CodiceFiscale, n int) []wire.VerifyRequest {
	reqs := make([]wire.VerifyRequest, n)
	for i := range reqs {
		reqs[i] = wire.VerifyRequest{CodiceFiscale: string(cf), PIN: wrongPIN}
	}
	return reqs
}

// body returns the JSON of an answer, as the server writes it.
func body(t *testing.T, r wire.VerifyResponse) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// verifyOnce checks one PIN and returns the answer's JSON.
func verifyOnce(t *testing.T, v *central.Verifier, cf pinsede.CodiceFiscale, pin string) string {
	t.Helper()
	got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pin}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return body(t, got)
}

// refusedBody is the one answer to a PIN that opens nothing.
const refusedBody = `{"outcome":"wrong"}`

// Ensure that 40 wrong PINs for one codice fiscale, released together,
// reach the credential's hash at most LockAfter times, each of the others
// costing a stand-in hash instead, and all answered alike; and that the
// lock they set then refuses the right PIN without checking it.
func testLockConcurrent(t *testing.T, s central.Store) {
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a1", "ca", Hash(t, lockPIN)))
	p := central.DefaultLockPolicy(central.DefaultLockAfter)
	v, n := lockVerifier(s, p, func() time.Time { return T0 })
	const sent = 40
	for i, got := range together(t, v, guesses(CF(1), sent)) {
		if b := body(t, got); b != refusedBody {
			t.Errorf("guess %d answered %s, want %s", i, b, refusedBody)
		}
	}
	own := n.own.Load()
	t.Logf("%s: %d of %d wrong PINs sent together reached the credential's hash (lock after %d)", s.Kind(), own, sent, p.After)
	if own > int64(p.After) || own < 1 {
		t.Errorf("%d wrong PINs reached the credential's hash, want 1 to %d", own, p.After)
	}
	if n.total() != sent {
		t.Errorf("%d hashes for %d guesses, want one each", n.total(), sent)
	}
	r := current(t, s, CF(1))
	if r.Lock.Temporary != 1 || !r.Lock.Until.Equal(T0.Add(p.For)) || r.Lock.Permanent {
		t.Errorf("lock after the burst = %+v, want the first temporary lock until %s", r.Lock, T0.Add(p.For))
	}
	if b := verifyOnce(t, v, CF(1), lockPIN); b != refusedBody || n.own.Load() != own {
		t.Errorf("the right PIN while locked: %s, %d checks of the credential's hash; want %s and none", b, n.own.Load()-own, refusedBody)
	}
}

// Ensure that the right PIN sent among 39 wrong ones is not accepted once
// the lock is set, nor checked; and that, sent together to a credential
// not yet locked, it is accepted only as one of the checks the lock lets
// through.
func testLockRightAmongWrong(t *testing.T, s central.Store) {
	h := Hash(t, lockPIN)
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a1", "ca", h), Issued("ROMA01", CF(2), "a2", "cb", h))
	p := central.DefaultLockPolicy(central.DefaultLockAfter)
	v, n := lockVerifier(s, p, func() time.Time { return T0 })
	mixed := func(cf pinsede.CodiceFiscale) []wire.VerifyRequest {
		return slices.Insert(guesses(cf, 39), 20, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: lockPIN})
	}

	// Locked first: nothing of the 40 reaches the hash.
	for range p.After {
		verifyOnce(t, v, CF(1), wrongPIN)
	}
	own := n.own.Load()
	for i, got := range together(t, v, mixed(CF(1))) {
		if b := body(t, got); b != refusedBody {
			t.Errorf("request %d to the locked credential answered %s", i, b)
		}
	}
	if d := n.own.Load() - own; d != 0 {
		t.Errorf("%d requests to the locked credential reached its hash", d)
	}

	// Not locked yet: the right PIN opens only if it is among the checks
	// let through; its success forgets the wrong PINs counted before it,
	// so at most LockAfter more follow it.
	own = n.own.Load()
	accepted := 0
	for _, got := range together(t, v, mixed(CF(2))) {
		switch got.Outcome {
		case wire.Wrong:
		case wire.ChangeRequired:
			accepted++
		default:
			t.Errorf("answer %+v", got)
		}
	}
	d := n.own.Load() - own
	t.Logf("%s: right PIN among 39 wrong sent together: accepted %d, %d reached the credential's hash", s.Kind(), accepted, d)
	if limit := int64(p.After * (1 + accepted)); d > limit || accepted > 1 {
		t.Errorf("%d checks of the credential's hash with the right PIN accepted %d times, want at most %d", d, accepted, limit)
	}
}

// Ensure that a temporary lock ends with the clock, that each lasts twice
// the one before, that the lock after the last temporary one is
// permanent, and that no PIN is checked while one holds.
func testLockBackoff(t *testing.T, s central.Store) {
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a1", "ca", Hash(t, lockPIN)))
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 3, ResetAfter: 24 * time.Hour}
	now := T0
	v, n := lockVerifier(s, p, func() time.Time { return now })
	lockNow := func() {
		t.Helper()
		for range p.After {
			if b := verifyOnce(t, v, CF(1), wrongPIN); b != refusedBody {
				t.Fatalf("wrong PIN at %s answered %s", now.Sub(T0), b)
			}
		}
	}
	lockedAt := func(what string) {
		t.Helper()
		own := n.own.Load()
		if b := verifyOnce(t, v, CF(1), lockPIN); b != refusedBody || n.own.Load() != own {
			t.Errorf("%s: the right PIN answered %s and reached the hash %d times; want %s, not checked", what, b, n.own.Load()-own, refusedBody)
		}
	}
	for i, want := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour} {
		lockNow()
		r := current(t, s, CF(1))
		if r.Lock.Temporary != i+1 || !r.Lock.Until.Equal(now.Add(want)) || r.Lock.Permanent {
			t.Fatalf("lock %d = %+v, want temporary until %s", i+1, r.Lock, now.Add(want))
		}
		now = now.Add(want - time.Second)
		lockedAt(fmt.Sprintf("lock %d, one second before its end", i+1))
		now = now.Add(time.Second)
	}
	lockNow()
	if r := current(t, s, CF(1)); !r.Lock.Permanent {
		t.Fatalf("after %d temporary locks: %+v, want permanent", p.MaxTemporary, r.Lock)
	}
	now = now.AddDate(1, 0, 0)
	lockedAt("a year into the permanent lock")

	// A right PIN forgets the temporary locks: the next lock is the
	// first again.
	apply(t, s, "ROMA01", Issued("ROMA01", CF(2), "a2", "cb", Hash(t, lockPIN)))
	now = T0
	for range p.After {
		verifyOnce(t, v, CF(2), wrongPIN)
	}
	now = T0.Add(p.For)
	if got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(CF(2)), PIN: lockPIN}, nil); err != nil || got.Outcome != wire.ChangeRequired {
		t.Fatalf("right PIN after the lock ended: %+v, %v", got, err)
	}
	if r := current(t, s, CF(2)); r.Failures != 0 || r.Lock != (central.Lock{}) {
		t.Errorf("after a right PIN: failures %d, lock %+v; want none", r.Failures, r.Lock)
	}
	for range p.After {
		verifyOnce(t, v, CF(2), wrongPIN)
	}
	if r := current(t, s, CF(2)); r.Lock.Temporary != 1 || !r.Lock.Until.Equal(now.Add(p.For)) {
		t.Errorf("lock after a right PIN = %+v, want the first again", r.Lock)
	}
}

// Ensure that wrong PINs and temporary locks are forgotten after
// ResetAfter with no wrong PIN, counted from the later of the last wrong
// PIN and the end of the last lock.
func testLockReset(t *testing.T, s central.Store) {
	h := Hash(t, lockPIN)
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "a1", "ca", h), Issued("ROMA01", CF(2), "a2", "cb", h))
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 3, ResetAfter: 24 * time.Hour}
	now := T0
	v, _ := lockVerifier(s, p, func() time.Time { return now })

	for range p.After - 1 {
		verifyOnce(t, v, CF(1), wrongPIN)
	}
	now = now.Add(p.ResetAfter)
	verifyOnce(t, v, CF(1), wrongPIN) // the first of a new count: no lock
	if r := current(t, s, CF(1)); r.Failures != 1 || r.Lock.Until != (time.Time{}) {
		t.Errorf("after %s quiet and a wrong PIN: failures %d, lock %+v; want 1, none", p.ResetAfter, r.Failures, r.Lock)
	}

	now = T0
	for range p.After {
		verifyOnce(t, v, CF(2), wrongPIN)
	}
	now = T0.Add(p.For + p.ResetAfter - time.Second) // the lock ended, but not a day ago
	for range p.After {
		verifyOnce(t, v, CF(2), wrongPIN)
	}
	if r := current(t, s, CF(2)); r.Lock.Temporary != 2 {
		t.Errorf("second lock within a day of the first's end = %+v, want the second", r.Lock)
	}
	now = now.Add(2*p.For + p.ResetAfter)
	for range p.After {
		verifyOnce(t, v, CF(2), wrongPIN)
	}
	if r := current(t, s, CF(2)); r.Lock.Temporary != 1 || !r.Lock.Until.Equal(now.Add(p.For)) {
		t.Errorf("lock a day after the last one ended = %+v, want the first again", r.Lock)
	}
}

// sameLock reports whether two locks are equal, their times as instants
// (a store may answer them in another zone).
func sameLock(a, b central.Lock) bool {
	return a.Temporary == b.Temporary && a.Until.Equal(b.Until) && a.Permanent == b.Permanent &&
		a.LastAttempt.Equal(b.LastAttempt) && a.UnlockedAt.Equal(b.UnlockedAt) && a.UnlockedBy == b.UnlockedBy
}

// Ensure that whoever knows a codice fiscale cannot tell from the answer
// whether it has a PIN, or whether the PIN is locked: no credential, a
// wrong PIN, a temporary and a permanent lock (even with the right PIN),
// a wrong PIN of a revoked credential, and a PIN of the other length than
// the credential's current one all answer the same body, each after
// exactly one hash whose cost depends only on the PIN's length: the
// desks' for 16 characters, the chosen PIN's for 8.
func testNoEnumeration(t *testing.T, s central.Store) {
	h := Hash(t, lockPIN)
	rev := Issued("ROMA01", CF(5), "a5", "c5", h)
	apply(t, s, "ROMA01",
		Issued("ROMA01", CF(1), "a1", "c1", h), Issued("ROMA01", CF(3), "a3", "c3", h),
		Issued("ROMA01", CF(4), "a4", "c4", h), rev, Follow(rev, "a6", pinsede.EventRevoked),
		Issued("ROMA01", CF(6), "a7", "c7", h))
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 1, ResetAfter: 24 * time.Hour}
	now := T0
	v, n := lockVerifier(s, p, func() time.Time { return now })
	for range p.After {
		verifyOnce(t, v, CF(3), wrongPIN)
	}
	for range 2 * p.After {
		verifyOnce(t, v, CF(4), wrongPIN) // a first lock, and at its end the permanent one
		if r := current(t, s, CF(4)); !r.Lock.Until.IsZero() {
			now = r.Lock.Until
		}
	}
	if r := current(t, s, CF(4)); !r.Lock.Permanent {
		t.Fatalf("CF(4) = %+v, want locked for good", r.Lock)
	}
	if got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(CF(6)), PIN: lockPIN, NewPIN: "Roma2026"}, nil); err != nil || got.Outcome != wire.Valid {
		t.Fatalf("first login of CF(6): %+v, %v", got, err)
	}
	now = T0.Add(time.Minute)
	for _, tc := range []struct {
		name string
		cf   pinsede.CodiceFiscale
		pin  string
		typ  pinsede.CredentialType
	}{
		{"no credential", CF(2), wrongPIN, ""},
		{"no credential, 8 characters", CF(2), wrongPIN8, ""},
		{"no PIN telefonico", CF(1), wrongPIN, pinsede.Telefonico},
		{"wrong PIN", CF(1), wrongPIN, ""},
		{"wrong PIN, 8 characters", CF(1), wrongPIN8, ""},
		{"locked, wrong PIN", CF(3), wrongPIN, ""},
		{"locked, right PIN", CF(3), lockPIN, ""},
		{"locked for good, right PIN", CF(4), lockPIN, ""},
		{"revoked, wrong PIN", CF(5), wrongPIN, ""},
		{"chosen PIN, 16 characters", CF(6), lockPIN, ""},
		{"chosen PIN, wrong", CF(6), wrongPIN8, ""},
	} {
		before := n.total()
		got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(tc.cf), PIN: tc.pin, Type: tc.typ}, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if b := body(t, got); b != refusedBody {
			t.Errorf("%s: answered %s, want %s", tc.name, b, refusedBody)
		}
		if d := n.total() - before; d != 1 {
			t.Errorf("%s: %d hashes, want 1", tc.name, d)
		}
		want := CheapArgon2
		if len(tc.pin) == pinsede.PINReplacementLength {
			want = cheapChosen
		}
		if got := n.lastCost(); got != want {
			t.Errorf("%s: a hash of cost %s, want %s", tc.name, got, want)
		}
	}
}

// Together runs f(0) to f(n-1), each on its own goroutine, released at
// once: every goroutine waits on one channel, closed when all are ready.
// It returns when every f has. The concurrency tests of centrale use it.
func Together(n int, f func(i int)) {
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// gateStore is a Store that tells, at each count and each record of a
// login, whether the check is inside its gate, and hashing.
type gateStore struct {
	central.Store
	t        *testing.T
	placed   *atomic.Int32 // checks inside the gate
	in       *atomic.Int32 // checks in their place to hash
	attempts atomic.Int32
}

func (s *gateStore) Attempt(ctx context.Context, cf pinsede.CodiceFiscale, slot central.Slot, p central.LockPolicy, at time.Time) (central.Record, bool, error) {
	s.attempts.Add(1)
	if n, h := s.placed.Load(), s.in.Load(); n != 1 || h != 0 {
		s.t.Errorf("check counted with %d checks inside the gate, %d hashing; want 1 (its own), none hashing", n, h)
	}
	return s.Store.Attempt(ctx, cf, slot, p, at)
}

func (s *gateStore) Succeed(ctx context.Context, id, newPINHash string) error {
	if n := s.placed.Load(); n != 0 {
		s.t.Errorf("login recorded inside the gate (%d inside), want after the check left it", n)
	}
	return s.Store.Succeed(ctx, id, newPINHash)
}

// gateReader is a source of salts that tells whether the hash it salts is
// made in its place to hash.
type gateReader struct {
	t  *testing.T
	in *atomic.Int32
}

func (r gateReader) Read(p []byte) (int, error) {
	if n := r.in.Load(); n != 1 {
		r.t.Errorf("new PIN hashed with %d checks in their place to hash, want 1", n)
	}
	return rand.Read(p)
}

// testVerifyGate: a check enters its gate before it is counted, takes its
// place to hash once counted, hashes there (the PIN checked, and the new
// PIN's hash of a first login), and leaves the gate once, before the
// login is recorded, so that the gate bounds the hashes and not the
// store's commits; a check the gate refuses is neither counted nor hashed
// (ErrOverloaded).
func testVerifyGate(t *testing.T, s central.Store) {
	apply(t, s, "ROMA01", Issued("ROMA01", CF(1), "g1", "cg1", Hash(t, lockPIN)))
	var placed, in atomic.Int32
	gs := &gateStore{Store: s, t: t, placed: &placed, in: &in}
	v, n := lockVerifier(gs, central.DefaultLockPolicy(central.DefaultLockAfter), func() time.Time { return T0 })
	counted := v.Hashed
	v.Hashed = func(own bool, cost pinsede.Argon2Params) {
		if k := in.Load(); k != 1 {
			t.Errorf("PIN checked with %d checks in their place to hash, want 1", k)
		}
		counted(own, cost)
	}
	v.Rand = gateReader{t, &in}
	var entered, left atomic.Int32
	gate := func(context.Context) (central.Pass, bool) {
		entered.Add(1)
		placed.Add(1)
		hashing := false
		return central.Pass{
			Hash: func() {
				if hashing || gs.attempts.Load() == 0 {
					t.Errorf("place to hash taken twice (%v) or before the check was counted", hashing)
				}
				hashing = true
				in.Add(1)
			},
			Leave: func() {
				if hashing {
					in.Add(-1)
				}
				placed.Add(-1)
				left.Add(1)
			},
		}, true
	}
	for _, tc := range []struct {
		req  wire.VerifyRequest
		want wire.Outcome
	}{
		{wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: wrongPIN}, wire.Wrong},
		{wire.VerifyRequest{CodiceFiscale: string(CF(9)), PIN: wrongPIN}, wire.Wrong}, // no credential: a stand-in
		{wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: lockPIN}, wire.ChangeRequired},
		{wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: lockPIN, NewPIN: "Roma2026"}, wire.Valid},
		{wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: "Roma2026"}, wire.Valid},
	} {
		before := entered.Load()
		got, err := v.Verify(ctx, tc.req, gate)
		if err != nil || got.Outcome != tc.want {
			t.Fatalf("%+v: %+v, %v; want %s", tc.req, got, err, tc.want)
		}
		if entered.Load() != before+1 || left.Load() != entered.Load() || placed.Load() != 0 || in.Load() != 0 {
			t.Errorf("%+v: gate entered %d times, left %d times in all", tc.req, entered.Load(), left.Load())
		}
	}

	attempts, hashed := gs.attempts.Load(), n.total()
	full := func(context.Context) (central.Pass, bool) { return central.Pass{}, false }
	if _, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: wrongPIN}, full); !errors.Is(err, central.ErrOverloaded) {
		t.Fatalf("check refused by its gate: %v, want ErrOverloaded", err)
	}
	if gs.attempts.Load() != attempts || n.total() != hashed {
		t.Errorf("check refused by its gate was counted (%d) or hashed (%d)", gs.attempts.Load()-attempts, n.total()-hashed)
	}
}
