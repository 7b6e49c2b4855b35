package server

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// PushLimits bound the pushes (POST /v1/events, and the desks' audit
// entries, POST /v1/audit/entries) centrale takes in at once, and the
// sedi's audit searches (GET /v1/audit/search), which assemble a page of
// up to wire.MaxAuditSearchBytes in memory as a push holds its body.
// A push holds its body in memory, up to wire.MaxPushBytes with its
// archived forms, decoded, until the store has applied it: without a
// bound, a flood of pushes (500 sedi catching up after an outage, or a
// desk gone wrong) would grow centrale by 4 MiB and more for each. At most
// Slots pushes are read and applied at once; a push finding them busy
// waits at most Wait, behind at most Queue others, and is answered 503
// with Retry-After beyond either. Nothing is lost: the desk keeps its
// outbox and sends it again at its next sync.
//
// A zero field stands for its default (WithDefaults).
type PushLimits struct {
	// MemoryBudget is the memory, in bytes, the pushes read at once may
	// take together, each counted at PushMemoryFactor times
	// wire.MaxPushBytes. Default DefaultPushMemory.
	MemoryBudget int64
	// Slots is how many pushes are read and applied at once. Default: the
	// budget over a push's memory, at least 1.
	Slots int
	// Queue is how many pushes may wait for a slot. Default
	// DefaultPushQueuePerSlot per slot.
	Queue int
	// Wait is the longest a push waits for a slot. Default
	// DefaultPushWait.
	Wait time.Duration
	// PerCert is how many pushes one client certificate may have in
	// hand at once, in a slot or waiting for one; past it a push is
	// answered 503 at once. A push takes its slot before its body is
	// read, and a body sent a byte at a time holds it until the
	// request's ReadTimeout: without this share one certificate could
	// hold every slot and the queue, and every other sede's push was
	// answered 503. A desk pushes one batch at a time; a sede
	// certificate of before desk ids is shared by the sede's desks.
	// Default Slots over DefaultPushCertShare, at least 1.
	PerCert int
}

// Defaults of PushLimits.
const (
	// DefaultPushMemory: 256 MiB, 16 pushes of the largest size.
	DefaultPushMemory = 256 << 20
	// PushMemoryFactor is what a push of wire.MaxPushBytes may take in
	// memory, in bodies: its events and forms decoded (about one body,
	// 2.5 with forms of 1 MiB in the JSON, as wire.Decode reads it:
	// TestPushMemory, TestDecodePushMemory), and the store's encoding of
	// them.
	PushMemoryFactor = 4
	// DefaultPushQueuePerSlot: a slot applies a push of issues in tens of
	// milliseconds (BENCHMARKS.md), so 8 waiting for each are taken in
	// within DefaultPushWait even with their forms.
	DefaultPushQueuePerSlot = 8
	// DefaultPushWait: past 10 s the desk had better send again at its
	// next sync (every 30 s) than hold a connection open.
	DefaultPushWait = 10 * time.Second
	// DefaultPushCertShare: a certificate has at most a quarter of the
	// slots in hand (4 of the default 16), room for the desks that share
	// a sede certificate of before desk ids.
	DefaultPushCertShare = 4
)

// WithDefaults returns l with its zero fields set to their defaults.
func (l PushLimits) WithDefaults() PushLimits {
	if l.MemoryBudget <= 0 {
		l.MemoryBudget = DefaultPushMemory
	}
	if l.Slots <= 0 {
		l.Slots = int(max(l.MemoryBudget/(PushMemoryFactor*wire.MaxPushBytes), 1))
	}
	if l.Queue <= 0 {
		l.Queue = DefaultPushQueuePerSlot * l.Slots
	}
	if l.Wait <= 0 {
		l.Wait = DefaultPushWait
	}
	if l.PerCert <= 0 {
		l.PerCert = max(l.Slots/DefaultPushCertShare, 1)
	}
	return l
}

// pushGuard holds the slots of a PushLimits, and the pushes each
// certificate has in hand.
type pushGuard struct {
	limits PushLimits
	gate   *gate
	certs  *certShare
}

// certShare counts the requests each certificate has in hand, in a slot
// or waiting for one, up to limit. Safe for concurrent use.
type certShare struct {
	limit int
	mu    sync.Mutex
	// inHand counts the requests of each certificate (by serial); a
	// certificate with none has no entry, so that the map holds at most
	// the requests in hand.
	inHand map[string]int
}

func newCertShare(limit int) *certShare { return &certShare{limit: limit, inHand: map[string]int{}} }

// take counts a request of the certificate serial in hand, unless it has
// limit already; the caller gives it back with give.
func (g *certShare) take(serial string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inHand[serial] >= g.limit {
		return false
	}
	g.inHand[serial]++
	return true
}

// give gives back a request counted by take.
func (g *certShare) give(serial string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inHand[serial]--; g.inHand[serial] <= 0 {
		delete(g.inHand, serial)
	}
}

// SetPushLimits replaces the limits of POST /v1/events; the pushes being
// applied keep the slots they hold. New sets the defaults.
func (s *Server) SetPushLimits(l PushLimits) {
	l = l.WithDefaults()
	s.pushes.Store(&pushGuard{limits: l, gate: newGate(l.Slots, l.Queue, l.Wait), certs: newCertShare(l.PerCert)})
}

// PushLimits returns the limits of POST /v1/events in force, their
// defaults set.
func (s *Server) PushLimits() PushLimits { return s.pushes.Load().limits }

// slotWork is what takes a push slot, as the answers that refuse one
// name it.
type slotWork struct {
	// what is the request, and then what the client does on a 503.
	what, then string
}

// The work of the push slots.
var (
	pushWork = slotWork{"push", "the events stay at the desk, which sends them again at its next sync"}
	// searchWork: without a slot, 128 searches of one desk certificate
	// at once took 170 MiB and more, and another sede's requests waited
	// seconds for the cores (TestAuditSearchSlots).
	searchWork = slotWork{"audit search", "search again in a moment"}
)

// admitPush takes a push slot for r, of the caller c, waiting if need
// be, and returns the function that gives it back; when none is to be
// had, or c's certificate has its share in hand already, it answers 503
// with Retry-After and returns nil. k names the request in the answer.
func (s *Server) admitPush(w http.ResponseWriter, r *http.Request, c caller, k slotWork) func() {
	g := s.pushes.Load()
	// A push refused is answered at once and its connection closed:
	// net/http would otherwise read what is left of its body first, up
	// to 256 KiB, and a body sent a byte at a time held its answer, its
	// connection and its handler until the request's ReadTimeout.
	if !g.certs.take(c.serial) {
		w.Header().Set("Connection", "close")
		retryAfter(w, 2*time.Second)
		problem(w, http.StatusServiceUnavailable, wire.ProblemBusy, "Centrale busy",
			fmt.Sprintf("this certificate (%s %s) has %d pushes and audit searches in hand already, the most centrale takes of one certificate at once; nothing was done of this %s: %s",
				c.role, c.code, g.limits.PerCert, k.what, k.then))
		return nil
	}
	if !g.gate.enter(r.Context()) {
		g.certs.give(c.serial)
		w.Header().Set("Connection", "close")
		retryAfter(w, 2*time.Second)
		problem(w, http.StatusServiceUnavailable, wire.ProblemBusy, "Centrale busy",
			fmt.Sprintf("centrale takes in at most %d pushes and audit searches at once and %d more are waiting; nothing was done of this %s: %s",
				g.limits.Slots, g.limits.Queue, k.what, k.then))
		return nil
	}
	leave := func() { g.gate.leave(); g.certs.give(c.serial) }
	if f := s.onPush.Load(); f != nil {
		(*f)(1)
		return func() { (*f)(-1); leave() }
	}
	return leave
}
