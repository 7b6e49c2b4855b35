package server

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// epochs holds the store's epoch once read, and the desks told that it
// changed since the epoch their requests name.
type epochs struct {
	current atomic.Pointer[wire.Epoch]
	mu      sync.Mutex
	// readAt is when the store's epoch was last read, by the server's
	// clock, askedAt when it was last read for a request naming another
	// (epochDue). Under mu.
	readAt, askedAt time.Time
	// told are the desks, by sede and desk, whose request named another
	// epoch than the store's, and was logged: one line a desk and
	// epoch; the status page lists them. Reset at maxTold. Under mu.
	told map[string]toldDesk
}

// toldDesk is a desk found out of step with the store's epoch: the
// epoch its request named, and when.
type toldDesk struct {
	sede, desk, epoch string
	at                time.Time
}

// maxListed is how many desks out of step the status page lists, the
// last first.
const maxListed = 100

// outOfStep returns the desks found out of step since this replica
// started, the last first, at most maxListed.
func (e *epochs) outOfStep() []toldDesk {
	e.mu.Lock()
	out := slices.Collect(maps.Values(e.told))
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b toldDesk) int { return b.at.Compare(a.at) })
	return out[:min(len(out), maxListed)]
}

// maxTold bounds the desks epochs.told remembers.
const maxTold = 10000

// epochReread is how often at most a replica reads the store's epoch
// again for requests naming another than the one it holds; epochRefresh
// how often it reads it again in any case.
const (
	epochReread  = time.Second
	epochRefresh = 30 * time.Second
)

// storeEpoch returns the store's epoch, read at the first request
// (requests that come together before may each read it, none waiting
// for another) and again every epochRefresh; ok false while it cannot
// be read (the store down): the answer names none, and the request
// meets the store's fault by itself.
func (s *Server) storeEpoch(ctx context.Context) (wire.Epoch, bool) {
	if e := s.epochs.current.Load(); e != nil {
		if s.epochDue(&s.epochs.readAt, epochRefresh) {
			return s.readEpoch(ctx, *e), true
		}
		return *e, true
	}
	e, err := s.Store.Epoch(ctx)
	if err != nil {
		return wire.Epoch{}, false
	}
	s.epochs.mu.Lock()
	s.epochs.readAt = s.Now()
	s.epochs.mu.Unlock()
	s.epochs.current.Store(&e)
	return e, true
}

// epochDue reports whether every has passed, by the server's clock,
// since *at, a read of the store's epoch (a clock set back counts from
// there), and if so sets *at: requests that come together read it once.
// at is under s.epochs.mu.
func (s *Server) epochDue(at *time.Time, every time.Duration) bool {
	now := s.Now()
	s.epochs.mu.Lock()
	defer s.epochs.mu.Unlock()
	if now.Before(at.Add(every)) && !now.Before(*at) {
		return false
	}
	*at = now
	return true
}

// readEpoch reads the store's epoch again: another replica's store may
// have been put back from a copy (`centrale restore`) since this one
// read it. It returns held when the store cannot be read, and logs a
// change.
func (s *Server) readEpoch(ctx context.Context, held wire.Epoch) wire.Epoch {
	e, err := s.Store.Epoch(ctx)
	if err != nil {
		return held
	}
	if e != held && s.Log != nil {
		s.Log.WarnContext(ctx, "store epoch changed under this replica: the store was put back from a copy while it ran",
			"was", held.String(), "epoch", e.String())
	}
	s.epochs.current.Store(&e)
	return e
}

// checkEpoch writes the store's epoch in the answer to a desk's request
// (wire.EpochHeader) and, when the request names another, logs it once
// for the desk and, for a push, refuses it (409 store-restored) and
// returns false: nothing is stored until the desk has taken the new
// epoch, and sends again first what it sent before.
func (s *Server) checkEpoch(w http.ResponseWriter, r *http.Request, c caller) bool {
	e, ok := s.storeEpoch(r.Context())
	if !ok {
		return true
	}
	seen := r.Header.Get(wire.EpochHeader)
	if seen != "" && seen != e.String() && epochNamed(seen) && s.epochDue(&s.epochs.askedAt, epochReread) {
		// A desk whose requests alternate replicas took the new epoch
		// from another's answer: without this read, replicas holding
		// different epochs refused its every push, 409 each naming the
		// other's. A seen that is no epoch costs no store read, and
		// the reads are one an epochReread at most.
		e = s.readEpoch(r.Context(), e)
	}
	w.Header().Set(wire.EpochHeader, e.String())
	if seen == "" || seen == e.String() {
		return true
	}
	who := c.code + " " + c.desk
	s.epochs.mu.Lock()
	first := s.epochs.told[who].epoch != seen
	if first {
		if s.epochs.told == nil || len(s.epochs.told) >= maxTold {
			s.epochs.told = map[string]toldDesk{}
		}
		s.epochs.told[who] = toldDesk{sede: c.code, desk: c.desk, epoch: seen, at: s.Now()}
	}
	s.epochs.mu.Unlock()
	if first && s.Log != nil {
		s.Log.WarnContext(r.Context(), "desk out of step with the store put back from a copy: it sends again what it sent, and pulls again",
			"sede", c.code, "desk", c.desk, "desk_epoch", logText(seen), "epoch", e.String())
	}
	if r.URL.Path != "/v1/events" {
		return true
	}
	problem(w, http.StatusConflict, wire.ProblemStoreRestored, "Central store put back from a copy",
		"the push names epoch "+logText(seen)+" of the store; it is "+e.String()+" since it was put back from a copy: "+
			"send again the events sent before, then the new ones; nothing was stored")
	return false
}

// epochNamed reports whether seen, the epoch a request names, is one.
func epochNamed(seen string) bool {
	_, err := wire.ParseEpoch(seen)
	return err == nil
}
