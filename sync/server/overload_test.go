package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

const floodPIN = "ACEFHJKMNPRTUVWX"

// floodEnv starts centrale on the clock *now with n credentials, of
// storetest.CF(0) to CF(n-1), whose PIN is floodPIN, and limits l.
func floodEnv(t *testing.T, n int, l server.VerifyLimits, now *atomic.Pointer[time.Time]) *testenv.Env {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	start := testclock.Now()
	now.Store(&start)
	env := testenv.NewAt(t, s, func() time.Time { return *now.Load() })
	env.Server.SetVerifyLimits(l)
	h := storetest.Hash(t, floodPIN)
	var evs []pinsede.Event
	for i := range n {
		evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h))
	}
	if _, err := s.Apply(t.Context(), "ROMA01", evs, storetest.T0); err != nil {
		t.Fatal(err)
	}
	return env
}

// answer is what a verify request got.
type answer struct {
	status     int
	retryAfter string
	problem    wire.Problem
	err        error
}

// verifyAs posts a check of cf's PIN with c, recording the exchange for
// TestOpenAPI; safe from any goroutine.
func verifyAs(c *http.Client, url string, cf pinsede.CodiceFiscale) answer {
	body, _ := json.Marshal(wire.VerifyRequest{CodiceFiscale: string(cf), PIN: floodPIN})
	resp, err := c.Post(url+"/v1/pin/verify", wire.ContentJSON, bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{err: err}
	}
	seenMu.Lock()
	seen = append(seen, exchange{"POST", "/v1/pin/verify", resp.StatusCode, resp.Header.Get("Content-Type"), b})
	seenMu.Unlock()
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if resp.StatusCode != 200 {
		a.err = json.Unmarshal(b, &a.problem)
	}
	return a
}

// flood sends one check for each of cfs at once, released together, and
// returns the answers in the order of cfs.
func flood(c *http.Client, url string, cfs []pinsede.CodiceFiscale) []answer {
	out := make([]answer, len(cfs))
	storetest.Together(len(cfs), func(i int) { out[i] = verifyAs(c, url, cfs[i]) })
	return out
}

// concurrency counts the checks started, those running, and the most at
// once.
type concurrency struct {
	started, running, most atomic.Int64
}

func (c *concurrency) hook(delta int) {
	if delta > 0 {
		c.started.Add(1)
	}
	n := c.running.Add(int64(delta))
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
}

// checkThrottled checks that a is a 429 or 503 problem of its type with a
// Retry-After of at least one second.
func checkThrottled(t *testing.T, i int, a answer) {
	t.Helper()
	want := map[int]string{429: "urn:pinsede:problem:rate-limited", 503: "urn:pinsede:problem:overloaded"}[a.status]
	if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 || a.err != nil || a.problem.Type != want || a.problem.Detail == "" {
		t.Errorf("request %d: %d with Retry-After %q, problem %+v (%v)", i, a.status, a.retryAfter, a.problem, a.err)
	}
}

// Ensure that a flood of checks released together, some for the same
// codice fiscale, gets only answers, 429 and 503, these with Retry-After,
// never another error nor a hang; that the checks running at once never
// pass the slots; and that each codice fiscale's second check is 429.
func TestVerifyFlood(t *testing.T) {
	var now atomic.Pointer[time.Time]
	l := server.VerifyLimits{Slots: 2, Queue: 4, Wait: 20 * time.Millisecond, CFBurst: 1}
	env := floodEnv(t, 32, l, &now)
	var cc concurrency
	env.Server.SetCheckHook(cc.hook)
	var cfs []pinsede.CodiceFiscale
	for i := range 64 {
		cfs = append(cfs, storetest.CF(i%32))
	}
	got := map[int]int{}
	for i, a := range flood(env.Client(t, pki.RolePortal, "PORTALE"), env.URL, cfs) {
		got[a.status]++
		switch {
		case a.status == 200 && a.err == nil:
		case a.status == 429 || a.status == 503:
			checkThrottled(t, i, a)
		default:
			t.Errorf("request %d: %d %+v, %v", i, a.status, a.problem, a.err)
		}
	}
	if m := cc.most.Load(); m < 1 || m > int64(l.Slots) {
		t.Errorf("%d checks ran at once, want 1 to %d", m, l.Slots)
	}
	if cc.running.Load() != 0 {
		t.Errorf("%d checks still running", cc.running.Load())
	}
	if got[429] != 32 || got[200] < 1 || got[200]+got[503] != 32 {
		t.Errorf("answers %v: want 32 of 429 (each codice fiscale's second), the rest 200 or 503, at least one 200", got)
	}
	t.Logf("answers: %v; at most %d checks at once", got, cc.most.Load())
}

// holder blocks the checks that start until released, and tells each
// start.
type holder struct {
	concurrency
	started chan struct{}
	release chan struct{}
}

func newHolder() *holder {
	return &holder{started: make(chan struct{}, 64), release: make(chan struct{})}
}

func (h *holder) hook(delta int) {
	h.concurrency.hook(delta)
	if delta > 0 {
		h.started <- struct{}{}
		<-h.release
	}
}

// Ensure that checks beyond the slots and those ahead of them wait in a
// queue of bounded length, and are checked when slots free; the rest are
// answered 503 at once. Synchronised on events: the slots held until
// every other answer is in.
func TestVerifyQueue(t *testing.T) {
	var now atomic.Pointer[time.Time]
	l := server.VerifyLimits{Slots: 2, Ahead: 1, Queue: 3, Wait: time.Minute}
	env := floodEnv(t, 16, l, &now)
	h := newHolder()
	env.Server.SetCheckHook(h.hook)
	queued := make(chan struct{})
	env.Server.SetWaitHook(func(n int) {
		if n == l.Queue {
			close(queued)
		}
	})
	hc := env.Client(t, pki.RolePortal, "PORTALE")
	answers := make(chan answer, 16)
	for i := range 16 {
		go func() { answers <- verifyAs(hc, env.URL, storetest.CF(i)) }()
	}
	<-h.started
	<-h.started
	<-queued
	got := map[int]int{}
	for range 16 - l.Slots - l.Ahead - l.Queue {
		a := <-answers
		got[a.status]++
		if a.status != 503 {
			t.Errorf("with the slots held and the queue full: %d %+v", a.status, a.problem)
		}
		checkThrottled(t, 0, a)
	}
	close(h.release)
	for range l.Slots + l.Ahead + l.Queue {
		a := <-answers
		got[a.status]++
		if a.status != 200 {
			t.Errorf("a check held or queued: %d %+v, %v", a.status, a.problem, a.err)
		}
	}
	if m := h.most.Load(); m != int64(l.Slots) {
		t.Errorf("%d checks ran at once, want %d", m, l.Slots)
	}
	t.Logf("answers: %v", got)
}

// Ensure that a request that waits for a place longer than Wait is
// answered 503, and the checks holding the slot and the place ahead of it
// still answer.
func TestVerifyWaitRunsOut(t *testing.T) {
	var now atomic.Pointer[time.Time]
	l := server.VerifyLimits{Slots: 1, Ahead: 1, Queue: 8, Wait: 10 * time.Millisecond}
	env := floodEnv(t, 6, l, &now)
	h := newHolder()
	env.Server.SetCheckHook(h.hook)
	hc := env.Client(t, pki.RolePortal, "PORTALE")
	held := make(chan answer, 1)
	go func() { held <- verifyAs(hc, env.URL, storetest.CF(0)) }()
	<-h.started
	// Of the next five, the first in takes the place ahead and waits for
	// the slot; the other four wait for a place and are sent away.
	answers := make(chan answer, 5)
	for i := 1; i < 6; i++ {
		go func() { answers <- verifyAs(hc, env.URL, storetest.CF(i)) }()
	}
	for i := range 4 {
		a := <-answers
		if a.status != 503 {
			t.Errorf("waiting behind a held slot and a check ahead: %d %+v", a.status, a.problem)
		}
		checkThrottled(t, i, a)
	}
	close(h.release)
	for _, c := range []chan answer{held, answers} {
		if a := <-c; a.status != 200 {
			t.Errorf("the held check, or the one ahead: %d %+v, %v", a.status, a.problem, a.err)
		}
	}
}

// attemptSignal is a central.Store that sends on counted each time it
// counts a PIN check.
type attemptSignal struct {
	central.Store
	counted chan pinsede.CodiceFiscale
}

func (s attemptSignal) Attempt(ctx context.Context, cf pinsede.CodiceFiscale, slot central.Slot, p central.LockPolicy, at time.Time) (central.Record, bool, error) {
	s.counted <- cf
	return s.Store.Attempt(ctx, cf, slot, p, at)
}

// Ensure that while the slots hash, the checks ahead of them count their
// attempt at the store, and take a slot freed already counted: the
// store's round trip is made while the slots hash, not in a slot; and a
// check that finds no place is not counted.
func TestVerifyAhead(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Apply(t.Context(), "ROMA01", []pinsede.Event{
		storetest.Issued("ROMA01", storetest.CF(0), "e0", "c0", storetest.Hash(t, floodPIN)),
		storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, floodPIN)),
		storetest.Issued("ROMA01", storetest.CF(2), "e2", "c2", storetest.Hash(t, floodPIN)),
	}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	counted := make(chan pinsede.CodiceFiscale, 3)
	env := testenv.New(t, attemptSignal{s, counted})
	env.Server.SetVerifyLimits(server.VerifyLimits{Slots: 1, Ahead: 1, Queue: 1, Wait: time.Minute})
	h := newHolder()
	env.Server.SetCheckHook(h.hook)
	queued := make(chan struct{})
	env.Server.SetWaitHook(func(int) { close(queued) })
	hc := env.Client(t, pki.RolePortal, "PORTALE")
	answers := make(chan answer, 3)
	send := func(i int) { go func() { answers <- verifyAs(hc, env.URL, storetest.CF(i)) }() }

	send(0)
	if cf := <-counted; cf != storetest.CF(0) {
		t.Fatalf("counted %s first, want CF(0)", cf)
	}
	<-h.started // CF(0) hashes, held
	send(1)
	if cf := <-counted; cf != storetest.CF(1) {
		t.Fatalf("counted %s while the slot hashes, want CF(1), ahead", cf)
	}
	send(2)
	<-queued
	select {
	case cf := <-counted:
		t.Fatalf("%s counted while it waits for a place", cf)
	default:
	}
	close(h.release)
	for range 3 {
		if a := <-answers; a.status != 200 {
			t.Errorf("%d %+v, %v", a.status, a.problem, a.err)
		}
	}
	if cf := <-counted; cf != storetest.CF(2) {
		t.Errorf("counted %s last, want CF(2)", cf)
	}
	if m := h.most.Load(); m != 1 {
		t.Errorf("%d checks hashed at once, want 1", m)
	}
}

// Ensure that each certificate and each codice fiscale has its bucket:
// past its burst a check is answered 429 with the wait until the next
// token, before anything is hashed; the bucket refills on the server's
// clock; and the buckets kept are bounded.
func TestVerifyRateLimits(t *testing.T) {
	var now atomic.Pointer[time.Time]
	l := server.VerifyLimits{CFRate: 1.0 / 6, CFBurst: 2, CertRate: 1, CertBurst: 5, Buckets: 4}
	env := floodEnv(t, 12, l, &now)
	var cc concurrency
	env.Server.SetCheckHook(cc.hook)
	advance := func(d time.Duration) { t := now.Load().Add(d); now.Store(&t) }
	a := env.Client(t, pki.RolePortal, "PORTALE")
	b := env.Client(t, pki.RolePortal, "CONTACT")

	// A codice fiscale: two checks, then 429 for 6 s, from any certificate.
	for i, want := range []int{200, 200, 429} {
		if got := verifyAs(a, env.URL, storetest.CF(0)); got.status != want {
			t.Errorf("check %d of CF(0): %d %+v, want %d", i, got.status, got.problem, want)
		} else if want == 429 {
			checkThrottled(t, i, got)
			if got.retryAfter != "6" {
				t.Errorf("Retry-After %s, want 6", got.retryAfter)
			}
		}
	}
	if got := verifyAs(b, env.URL, storetest.CF(0)); got.status != 429 {
		t.Errorf("CF(0) from another certificate: %d, want 429", got.status)
	}
	if n := cc.started.Load(); n != 2 {
		t.Errorf("%d checks for 2 answers and 2 refusals, want 2: a 429 checks nothing", n)
	}
	advance(6 * time.Second)
	if got := verifyAs(b, env.URL, storetest.CF(0)); got.status != 200 {
		t.Errorf("CF(0) 6 s later: %d %+v, want 200", got.status, got.problem)
	}

	// A certificate: its burst of 5 (refilled in the 6 s), then 429 for
	// 1 s, whatever the codice fiscale; the other certificate is not held
	// back.
	for i := 1; i <= 5; i++ {
		if got := verifyAs(a, env.URL, storetest.CF(i)); got.status != 200 {
			t.Errorf("CF(%d) from PORTALE: %d %+v, want 200", i, got.status, got.problem)
		}
	}
	got := verifyAs(a, env.URL, storetest.CF(6))
	if got.status != 429 || got.retryAfter != "1" {
		t.Errorf("PORTALE past its burst: %d, Retry-After %q; want 429, 1", got.status, got.retryAfter)
	}
	checkThrottled(t, 0, got)
	if got := verifyAs(b, env.URL, storetest.CF(7)); got.status != 200 {
		t.Errorf("CONTACT meanwhile: %d %+v, want 200", got.status, got.problem)
	}
	advance(time.Second)
	if got := verifyAs(a, env.URL, storetest.CF(6)); got.status != 200 {
		t.Errorf("PORTALE 1 s later: %d %+v, want 200", got.status, got.problem)
	}
	if n := env.Server.CFBuckets(); n != l.Buckets {
		t.Errorf("%d buckets of codici fiscali kept after 8 codici fiscali, want %d", n, l.Buckets)
	}
}

// Ensure that the slots are the memory budget over a check's memory,
// at most two per core and at least one.
func TestVerifySlots(t *testing.T) {
	const mib = 1 << 10 // KiB
	for _, tc := range []struct {
		budget int64
		check  uint32
		procs  int
		want   int
	}{
		{1 << 30, 64 * mib, 2, 4},
		{1 << 30, 64 * mib, 64, 16},
		{1 << 30, 4 << 20, 8, 1},
		{256 << 20, 64 * mib, 8, 4},
		{0, 64 * mib, 8, 1},
	} {
		if got := server.VerifySlots(tc.budget, tc.check, tc.procs); got != tc.want {
			t.Errorf("VerifySlots(%d, %d KiB, %d) = %d, want %d", tc.budget, tc.check, tc.procs, got, tc.want)
		}
	}
	l := server.VerifyLimits{Slots: 3}.WithDefaults()
	if l.Ahead != 3 || l.Queue != 3*server.DefaultQueuePerSlot || l.Wait != server.DefaultVerifyWait || l.CFBurst != server.DefaultCFBurst {
		t.Errorf("defaults: %+v", l)
	}
}
