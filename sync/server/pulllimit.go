package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// PullLimits bound the pulls (GET /v1/changes) centrale answers at once.
// A pull reads a page of up to wire.MaxChanges changes from the store
// and holds it, decoded and encoded, until it is written: without a
// bound, one desk certificate holding 1,500 pulls at once grew centrale
// from 30 MB to 3.1 GB, took about 29 ms of a core each, and on
// PostgreSQL queued every PIN check and push behind it on the store's
// connections: logins went unanswered for 20 s.
//
//   - Each client certificate has at most PerCert pulls in hand, in a
//     slot or waiting for one; one more is answered 429 with
//     Retry-After at once. A desk pulls one page at a time.
//   - At most Slots pulls are read at once; a pull finding them busy
//     waits at most Wait, behind at most Queue others, and is answered
//     503 with Retry-After beyond either.
//
// Nothing is lost: the desk's cursor stays where it was, and it pulls
// again at its next sync (a 429 or 503 is "busy" to it, no alarm).
//
// A zero field stands for its default (WithDefaults).
type PullLimits struct {
	// MemoryBudget is the memory, in bytes, the pulls read at once may
	// take together, each counted at PullMemory. Default
	// DefaultPullMemory.
	MemoryBudget int64
	// Slots is how many pulls are read at once. Default: the budget
	// over PullMemory, at least 1.
	Slots int
	// Queue is how many pulls may wait for a slot. Default
	// DefaultPullQueuePerSlot per slot.
	Queue int
	// Wait is the longest a pull waits for a slot. Default
	// DefaultPullWait.
	Wait time.Duration
	// PerCert is how many pulls one client certificate may have in hand
	// at once. Default DefaultPullPerCert.
	PerCert int
}

// Defaults of PullLimits.
const (
	// PullMemory is what a pull of a full page takes in memory: a page
	// of wire.MaxChanges issues is about 658 KB of JSON, and 1,500 such
	// pulls at once grew centrale by 3.1 GB, 2 MiB each.
	PullMemory = 2 << 20
	// DefaultPullMemory: 32 MiB, 16 pulls of a full page at once, which
	// take about half a second of one core together.
	DefaultPullMemory = 32 << 20
	// DefaultPullQueuePerSlot: a slot answers a full page in tens of
	// milliseconds, so 4 waiting for each are answered within
	// DefaultPullWait.
	DefaultPullQueuePerSlot = 4
	// DefaultPullWait: a desk pulls every 30 s; past a second it had
	// better come back then than hold its connection.
	DefaultPullWait = time.Second
	// DefaultPullPerCert: a desk pulls one page at a time; 2 leave room
	// for a pull whose client gave up while centrale still answers it,
	// and for the desks sharing a sede certificate of before desk ids.
	DefaultPullPerCert = 2
)

// WithDefaults returns l with its zero fields set to their defaults.
func (l PullLimits) WithDefaults() PullLimits {
	if l.MemoryBudget <= 0 {
		l.MemoryBudget = DefaultPullMemory
	}
	if l.Slots <= 0 {
		l.Slots = int(max(l.MemoryBudget/PullMemory, 1))
	}
	if l.Queue <= 0 {
		l.Queue = DefaultPullQueuePerSlot * l.Slots
	}
	if l.Wait <= 0 {
		l.Wait = DefaultPullWait
	}
	if l.PerCert <= 0 {
		l.PerCert = DefaultPullPerCert
	}
	return l
}

// pullGuard holds the slots of a PullLimits, and the pulls each
// certificate has in hand.
type pullGuard struct {
	limits PullLimits
	gate   *gate
	certs  *certShare
}

// SetPullLimits replaces the limits of GET /v1/changes; the pulls being
// answered keep the slots they hold. New sets the defaults.
func (s *Server) SetPullLimits(l PullLimits) {
	l = l.WithDefaults()
	s.pullGuard.Store(&pullGuard{limits: l, gate: newGate(l.Slots, l.Queue, l.Wait), certs: newCertShare(l.PerCert)})
}

// PullLimits returns the limits of GET /v1/changes in force, their
// defaults set.
func (s *Server) PullLimits() PullLimits { return s.pullGuard.Load().limits }

// admitPull takes a pull slot for r, of the caller c, waiting if need
// be, and returns the function that gives it back. When c's certificate
// has its share in hand already it answers 429, when no slot is to be
// had 503, both with Retry-After, and returns nil.
func (s *Server) admitPull(w http.ResponseWriter, r *http.Request, c caller) func() {
	g := s.pullGuard.Load()
	if !g.certs.take(c.serial) {
		retryAfter(w, 2*time.Second)
		problem(w, http.StatusTooManyRequests, wire.ProblemRateLimited, "Too many pulls at once",
			fmt.Sprintf("this certificate (%s %s) has %d pulls in hand already, the most centrale answers one certificate at once; pull the next page when the last is answered (a desk pulls again at its next sync)",
				c.role, c.code, g.limits.PerCert))
		return nil
	}
	if !g.gate.enter(r.Context()) {
		g.certs.give(c.serial)
		retryAfter(w, 2*time.Second)
		problem(w, http.StatusServiceUnavailable, wire.ProblemBusy, "Centrale busy",
			fmt.Sprintf("centrale answers at most %d pulls at once and %d more are waiting; nothing is lost: the desk pulls again at its next sync",
				g.limits.Slots, g.limits.Queue))
		return nil
	}
	return func() { g.gate.leave(); g.certs.give(c.serial) }
}
