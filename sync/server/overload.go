package server

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// VerifyLimits bound the work POST /v1/pin/verify takes on, so that
// centrale answers an overload instead of suffering it. A check of a PIN
// is an argon2id hash: 19 MiB and about 17 ms of one core for the PIN the
// desk issued (pinsede.DefaultPINParams), 64 MiB and about 70 ms of two
// cores for the PIN the citizen chose (pinsede.DefaultChosenPINParams).
//
//   - At most Slots checks hash at once, and at most Ahead more count
//     their attempt at the store meanwhile, so that a slot freed finds a
//     check ready to hash. A request finding these Slots + Ahead places
//     all taken waits at most Wait, behind at most Queue others; beyond
//     either it is answered 503 with Retry-After.
//   - Each client certificate and each codice fiscale has a token bucket:
//     a request finding its bucket empty is answered 429 with
//     Retry-After, before any hashing. The buckets are kept in tables of
//     at most Buckets entries each, the least recently used dropped
//     first (a dropped bucket starts full again).
//
// A zero field stands for its default (WithDefaults).
type VerifyLimits struct {
	// MemoryBudget is the memory, in bytes, the checks running at once
	// may take together. Default DefaultVerifyMemory.
	MemoryBudget int64
	// CheckMemoryKiB is the memory of one check, in KiB: the largest
	// argon2id memory cost the store accepts (central.Limits) and the
	// Verifier hashes with. Default the larger of pinsede.DefaultPINParams
	// and pinsede.DefaultChosenPINParams.
	CheckMemoryKiB uint32
	// Slots is how many checks hash at once. Default VerifySlots of the
	// budget, the memory of a check and GOMAXPROCS.
	Slots int
	// Ahead is how many checks, beyond Slots, may count their attempt (a
	// round trip to the store) while the slots hash; they then wait for
	// a slot, at most the time of the hashes ahead of them. Default
	// Slots: a store's commit left each slot without a hash to make for
	// a fifth of the time (BENCHMARKS.md).
	Ahead int
	// Queue is how many requests may wait for a place (Slots + Ahead).
	// Default DefaultQueuePerSlot per slot.
	Queue int
	// Wait is the longest a request waits for a place. Default
	// DefaultVerifyWait.
	Wait time.Duration
	// CertRate and CertBurst are the token bucket of each client
	// certificate: requests per second, and at most at once. Defaults
	// DefaultCertRate, DefaultCertBurst.
	CertRate  float64
	CertBurst int
	// CFRate and CFBurst are the token bucket of each codice fiscale.
	// Defaults DefaultCFRate, DefaultCFBurst.
	CFRate  float64
	CFBurst int
	// Buckets is the most buckets each table keeps. Default
	// DefaultBuckets.
	Buckets int
}

// Defaults of VerifyLimits.
const (
	// DefaultVerifyMemory: 1 GiB, 16 checks of 64 MiB.
	DefaultVerifyMemory = 1 << 30
	// DefaultQueuePerSlot: on 2 quiet cores the 4 slots answer about 60
	// first logins a second (BENCHMARKS.md), 15 a slot, so 30 waiting
	// for each are served within about the 2 s of DefaultVerifyWait; a
	// shorter queue sent clients away for a second of Retry-After while
	// the slots ran out of work. Checks of a chosen PIN cost about four
	// times as much: those that find the queue too long for them still
	// get 503 at the end of the wait.
	DefaultQueuePerSlot = 30
	// DefaultVerifyWait: past 2 s, a login is better told to come back.
	DefaultVerifyWait = 2 * time.Second
	// DefaultCertRate and DefaultCertBurst: 100 checks a second, 200 at
	// once, per certificate: more than a machine of 2 cores checks (about
	// 15 a second, BENCHMARKS.md), so the portal is held by the slots,
	// not by its bucket; on a bigger machine a certificate alone cannot
	// take every slot for long. Raise them for the portal at national
	// scale.
	DefaultCertRate  = 100
	DefaultCertBurst = 200
	// DefaultCFRate and DefaultCFBurst: 10 logins of one codice fiscale
	// at once, then one every 6 s. A citizen's first login takes two (the
	// 16-character PIN, then with the new one), and the lock comes after
	// 5 wrong PINs.
	DefaultCFRate  = 1.0 / 6
	DefaultCFBurst = 10
	// DefaultBuckets: 65536 buckets per table, about 10 MB.
	DefaultBuckets = 1 << 16
	// SlotsPerCore caps the slots at this many per GOMAXPROCS: 2 per
	// core keep every core busy while a check's goroutine is between its
	// hash's segments or answering, and more only add to each one's
	// latency and memory. The store's round trips are made by the checks
	// ahead (VerifyLimits.Ahead), outside the slots.
	SlotsPerCore = 2
)

// VerifySlots returns how many checks of checkKiB each may run at once
// within budget bytes on procs cores: the budget over a check's memory,
// at most SlotsPerCore per core, at least 1.
func VerifySlots(budget int64, checkKiB uint32, procs int) int {
	n := budget / max(int64(checkKiB)<<10, 1)
	return int(max(min(n, int64(SlotsPerCore*max(procs, 1))), 1))
}

// WithDefaults returns l with its zero fields set to their defaults, the
// slots computed from GOMAXPROCS.
func (l VerifyLimits) WithDefaults() VerifyLimits {
	if l.MemoryBudget <= 0 {
		l.MemoryBudget = DefaultVerifyMemory
	}
	if l.CheckMemoryKiB == 0 {
		l.CheckMemoryKiB = max(pinsede.DefaultPINParams.MemoryKiB, pinsede.DefaultChosenPINParams.MemoryKiB)
	}
	if l.Slots <= 0 {
		l.Slots = VerifySlots(l.MemoryBudget, l.CheckMemoryKiB, runtime.GOMAXPROCS(0))
	}
	if l.Ahead <= 0 {
		l.Ahead = l.Slots
	}
	if l.Queue <= 0 {
		l.Queue = DefaultQueuePerSlot * l.Slots
	}
	if l.Wait <= 0 {
		l.Wait = DefaultVerifyWait
	}
	if l.CertRate <= 0 {
		l.CertRate = DefaultCertRate
	}
	if l.CertBurst <= 0 {
		l.CertBurst = DefaultCertBurst
	}
	if l.CFRate <= 0 {
		l.CFRate = DefaultCFRate
	}
	if l.CFBurst <= 0 {
		l.CFBurst = DefaultCFBurst
	}
	if l.Buckets <= 0 {
		l.Buckets = DefaultBuckets
	}
	return l
}

// verifyGuard holds the state of a VerifyLimits: the places, the slots
// and the buckets.
type verifyGuard struct {
	limits VerifyLimits
	gate   *gate         // Slots + Ahead places, and the queue
	slots  chan struct{} // the checks hashing
	certs  *buckets
	cfs    *buckets
}

// newVerifyGuard returns the guard of l, its defaults set.
func newVerifyGuard(l VerifyLimits) *verifyGuard {
	l = l.WithDefaults()
	return &verifyGuard{
		limits: l,
		gate:   newGate(l.Slots+l.Ahead, l.Queue, l.Wait),
		slots:  make(chan struct{}, l.Slots),
		certs:  newBuckets(l.CertRate, l.CertBurst, l.Buckets),
		cfs:    newBuckets(l.CFRate, l.CFBurst, l.Buckets),
	}
}

// pass takes a place for a check (central.Gate), waiting for one if need
// be; false when there is none to be had. hook, when not nil, is called
// with +1 when the check takes its slot and -1 when it gives it back.
func (g *verifyGuard) pass(ctx context.Context, hook func(delta int)) (central.Pass, bool) {
	if !g.gate.enter(ctx) {
		return central.Pass{}, false
	}
	hashing := false
	return central.Pass{
		Hash: func() {
			g.slots <- struct{}{}
			hashing = true
			if hook != nil {
				hook(1)
			}
		},
		Leave: func() {
			if hashing {
				if hook != nil {
					hook(-1)
				}
				<-g.slots
			}
			g.gate.leave()
		},
	}, true
}

// SetVerifyLimits replaces the limits of /v1/pin/verify; the checks
// running keep the slots they hold, and the buckets start full. New sets
// the defaults.
func (s *Server) SetVerifyLimits(l VerifyLimits) { s.guard.Store(newVerifyGuard(l)) }

// VerifyLimits returns the limits of /v1/pin/verify in force, their
// defaults set.
func (s *Server) VerifyLimits() VerifyLimits { return s.guard.Load().limits }

// gate lets at most cap(slots) holders in at once, and at most queue
// others wait, each at most wait.
type gate struct {
	slots chan struct{}
	queue int
	wait  time.Duration
	mu    sync.Mutex
	// waiting is how many wait for a slot.
	waiting int
	// onWait, when set (by the tests), is called with the number waiting
	// each time a request starts to wait.
	onWait func(waiting int)
}

// newGate returns a gate of slots places, queue waiting at most wait.
func newGate(slots, queue int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, slots), queue: queue, wait: wait}
}

// enter takes a slot, waiting for one if need be; it reports false, with
// no slot taken, when the queue is full, the wait runs out or ctx ends.
// The caller gives the slot back with leave.
func (g *gate) enter(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	g.mu.Lock()
	if g.waiting >= g.queue {
		g.mu.Unlock()
		return false
	}
	g.waiting++
	n, onWait := g.waiting, g.onWait
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.waiting--
		g.mu.Unlock()
	}()
	if onWait != nil {
		onWait(n)
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// leave gives back a slot taken by enter.
func (g *gate) leave() { <-g.slots }

// depth returns how many wait for a slot.
func (g *gate) depth() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// buckets are token buckets by key, at most size of them, the least
// recently used dropped first. Safe for concurrent use.
type buckets struct {
	rate  float64 // tokens per second
	burst float64
	size  int
	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   *list.List // of *bucket, the most recently used first
}

// bucket is the tokens of one key at a time.
type bucket struct {
	key    string
	tokens float64
	at     time.Time
}

func newBuckets(rate float64, burst, size int) *buckets {
	return &buckets{rate: rate, burst: float64(burst), size: size, byKey: map[string]*list.Element{}, lru: list.New()}
}

// take takes a token of key at now. When there is none, it reports false
// and how long until there is one.
func (b *buckets) take(key string, now time.Time) (bool, time.Duration) {
	return b.takeN(key, 1, now)
}

// takeN takes n tokens of key at now, or none. When there are fewer, it
// reports false and how long until there are n.
func (b *buckets) takeN(key string, n int, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var k *bucket
	if e, ok := b.byKey[key]; ok {
		b.lru.MoveToFront(e)
		k = e.Value.(*bucket)
		if dt := now.Sub(k.at).Seconds(); dt > 0 {
			k.tokens = min(b.burst, k.tokens+dt*b.rate)
		}
		k.at = now // a clock set back refills nothing, and counts from there
	} else {
		if b.lru.Len() >= b.size {
			old := b.lru.Remove(b.lru.Back()).(*bucket)
			delete(b.byKey, old.key)
		}
		k = &bucket{key: key, tokens: b.burst, at: now}
		b.byKey[key] = b.lru.PushFront(k)
	}
	if want := float64(n); k.tokens >= want {
		k.tokens -= want
		return true, 0
	}
	return false, time.Duration((float64(n) - k.tokens) / b.rate * float64(time.Second))
}

// giveN gives back n tokens of key, taken by takeN for work that was
// not done, up to the bucket's burst; a bucket dropped since gets none
// (it starts full when it comes back).
func (b *buckets) giveN(key string, n int) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.byKey[key]; ok {
		k := e.Value.(*bucket)
		k.tokens = min(b.burst, k.tokens+float64(n))
	}
}

// len returns how many buckets are kept.
func (b *buckets) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lru.Len()
}

// retryAfter sets Retry-After to d in whole seconds, at least 1.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(max(math.Ceil(d.Seconds()), 1))))
}

// tooMany answers 429 for a bucket empty for d more.
func tooMany(w http.ResponseWriter, what string, d time.Duration) {
	retryAfter(w, d)
	problem(w, http.StatusTooManyRequests, wire.ProblemRateLimited, "Too many requests",
		fmt.Sprintf("too many PIN checks for %s; try again in %s", what, w.Header().Get("Retry-After")+" s"))
}
