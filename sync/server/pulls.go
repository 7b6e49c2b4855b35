package server

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// PullRecordEvery is how often a replica records a desk's pulls in the
// store (central.OverviewStore.Pulled) while its cursor stays put: a
// desk pulls every 30 s, and the status page tells minutes. A pull that
// moves the cursor is recorded at once, unless one of the desk's was
// recorded less than PullRecordMin before.
const PullRecordEvery = time.Minute

// PullRecordMin is the least time between two records of a desk's pulls
// by a replica: the cursor is the request's, and a certificate
// alternating after=0 and after=1 made a write of the store at each
// pull, 5,000 a second from one desk, and every sede's pushes waited
// behind them (bbolt has one writer; PostgreSQL a commit each). A desk
// pulling its pages in a row has the last recorded at its next sync.
const PullRecordMin = time.Second

// pullMarks remembers the last pull each desk had recorded by this
// replica. Its keys are sede and desk codes, which only the CA's
// certificates make: it grows with the desks, no further.
type pullMarks struct {
	mu   sync.Mutex
	last map[string]pullMark
}

// pullMark is a desk's pull as recorded.
type pullMark struct {
	at     time.Time
	cursor uint64
}

// recordPull records the pull of a desk of sede holding the changes up to
// cursor, at the time at, unless this replica recorded one with the same
// cursor less than PullRecordEvery before. A store that fails is logged:
// the pull is answered all the same.
func (s *Server) recordPull(ctx context.Context, sede, desk string, cursor uint64, at time.Time) {
	key := sede + "\x00" + desk
	s.pulls.mu.Lock()
	m, ok := s.pulls.last[key]
	since := at.Sub(m.at)
	due := !ok || m.cursor != cursor && since >= PullRecordMin || since >= PullRecordEvery || at.Before(m.at)
	s.pulls.mu.Unlock()
	if !due {
		return
	}
	if err := s.Store.Pulled(ctx, sede, desk, cursor, at); err != nil {
		level := slog.LevelWarn
		if ctx.Err() != nil { // the client gone, or the request's time out: recorded at its next pull
			level = slog.LevelDebug
		}
		if s.Log != nil {
			s.Log.Log(ctx, level, "pull not recorded", "sede", sede, "desk", desk, "err", err)
		}
		return
	}
	s.pulls.mu.Lock()
	if s.pulls.last == nil {
		s.pulls.last = map[string]pullMark{}
	}
	s.pulls.last[key] = pullMark{at: at, cursor: cursor}
	s.pulls.mu.Unlock()
}
