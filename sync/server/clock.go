package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// The bounds of a replica's clock against its store's (CheckClock). A
// replica judges the wrong-PIN locks, the desks' clocks and the events'
// times on its own clock: ahead, it lifts a lock early and refuses the
// pushes of desks whose clocks are right; behind, it holds locks longer.
const (
	// ClockWarnOffset is the offset past which the replica warns: its
	// log (once), /v1/health (degraded, the offset measured) and /readyz
	// (a warning, still ready). NTP holds clocks within milliseconds.
	ClockWarnOffset = 2 * time.Second
	// ClockFailOffset is the offset past which /readyz says not ready:
	// a lock of the shortest (-lock-for, 15 minutes by default) lifted a
	// minute early, a desk's clock judged a minute off.
	ClockFailOffset = time.Minute
)

// storeClock is a store with a clock of its own, shared by the replicas:
// PostgreSQL's.
type storeClock interface {
	Clock(ctx context.Context) (time.Time, error)
}

// clockState is the offset of the server's clock from its store's, last
// measured.
type clockState struct {
	mu       sync.Mutex
	offset   time.Duration
	measured bool
	warned   bool
}

// CheckClock measures the offset of the server's clock (Now) from its
// store's, the middle of the round trip against the store's answer:
// positive when the server's runs ahead. It logs a WARN line when the
// offset first goes past ClockWarnOffset, and an INFO line when it comes
// back within it; /v1/health and /readyz say the last offset measured
// (WatchReplicas measures it every ReplicaEvery).
// A store with no clock of its own (bbolt, on the replica's machine) has
// no offset: 0.
func (s *Server) CheckClock(ctx context.Context) (time.Duration, error) {
	sc, ok := s.Store.(storeClock)
	if !ok {
		return 0, nil
	}
	before := s.Now()
	theirs, err := sc.Clock(ctx)
	if err != nil {
		return 0, err
	}
	after := s.Now()
	offset := before.Add(after.Sub(before) / 2).Sub(theirs)
	s.clock.mu.Lock()
	s.clock.offset, s.clock.measured = offset, true
	far := offset.Abs() > ClockWarnOffset
	tell := far != s.clock.warned
	s.clock.warned = far
	s.clock.mu.Unlock()
	switch {
	case !tell || s.Log == nil:
	case far:
		s.Log.WarnContext(ctx, "this replica's clock is off the store's: it lifts wrong-PIN locks early or late, and judges the desks' clocks wrong; keep it in time with NTP",
			"offset", offset.Round(time.Millisecond), "warn_beyond", ClockWarnOffset, "not_ready_beyond", ClockFailOffset)
	default:
		s.Log.InfoContext(ctx, "this replica's clock is back in time with the store's", "offset", offset.Round(time.Millisecond))
	}
	return offset, nil
}

// clockOffset returns the offset last measured, and whether it is past
// ClockWarnOffset.
func (s *Server) clockOffset() (time.Duration, bool) {
	s.clock.mu.Lock()
	defer s.clock.mu.Unlock()
	return s.clock.offset, s.clock.measured && s.clock.offset.Abs() > ClockWarnOffset
}

// clockReadiness is /readyz's line on the clock: not ready past
// ClockFailOffset, a warning past ClockWarnOffset, none when within or
// not measured.
func (s *Server) clockReadiness(check, warn func(name string, err error)) {
	offset, far := s.clockOffset()
	off := fmt.Sprintf("%s ahead of", offset.Round(100*time.Millisecond))
	if offset < 0 {
		off = fmt.Sprintf("%s behind", -offset.Round(100*time.Millisecond))
	}
	switch {
	case !far:
	case offset.Abs() > ClockFailOffset:
		check("clock", fmt.Errorf("%s the store's clock, beyond %s: put this machine's clock right (NTP)", off, ClockFailOffset))
	default:
		warn("clock", fmt.Errorf("%s the store's clock, beyond %s: keep this machine's clock in time (NTP)", off, ClockWarnOffset))
	}
}

// replicaHealth says in h this replica's settings fingerprint, and what
// is wrong with it among the others: its clock off the store's, replicas
// with other settings.
func (s *Server) replicaHealth(h *wire.Health) {
	if offset, far := s.clockOffset(); far {
		h.ClockOffset, h.Status = offset.Seconds(), "degraded"
	}
	fp, differ := s.replicasDiffer()
	h.Settings, h.ReplicasDiffer = fp, joinDiffs(differ)
	if len(differ) > 0 {
		h.Status = "degraded"
	}
}

// replicaReadiness adds /readyz's lines on this replica among the
// others: its clock, and a warning, still ready, for replicas with
// other settings (every replica would say it: a balancer that took them
// all out would stop the service).
func (s *Server) replicaReadiness(check, warn func(name string, err error)) {
	s.clockReadiness(check, warn)
	if _, differ := s.replicasDiffer(); len(differ) > 0 {
		warn("replicas", fmt.Errorf("%d with other settings than this one's: %s; start them all with the same", len(differ), joinDiffs(differ)))
	}
}
