package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede/sync/central"
)

// StuckMargin is how much longer than the statement_timeout of
// centrale's sessions (StatementTimeout) a session must have waited on
// its replica inside a statement before WatchStuck may end it: centrale
// refuses a shorter wait (-pg-stuck-after) and, unless told otherwise,
// waits statement_timeout plus StuckMargin, 30 s at sessionSettings'
// 25 s. Past statement_timeout PostgreSQL cancels the statement at the
// next message its replica sends, so a session still waiting on its
// replica StuckMargin later has had nothing from it for that long, and
// its statement could only fail. A healthy replica sends a statement's
// messages, a batch's and a COPY's data, in milliseconds (a push of 500
// events flushes in 2 ms, BENCHMARKS.md) and reads its results as they
// come; 5 s lets a segment TCP lost four times in a row through (Linux
// sends it again after 0.2, 0.4, 0.8 and 1.6 s on a LAN).
const StuckMargin = 5 * time.Second

// stuckGap is the least time between two looks of WatchStuck, however
// many requests find a lock held.
const stuckGap = time.Second

// endWait bounds how long EndStuckSessions waits for a session it
// signalled to end: one waiting on its client ends at the signal.
const endWait = 5 * time.Second

// StuckSession is a session of centrale's that EndStuckSessions ended:
// its replica stopped inside a statement, holding a lock of the store.
type StuckSession struct {
	PID int
	// Client is the replica's address and port ("local" for a Unix
	// socket).
	Client          string
	ApplicationName string
	State, Wait     string
	// For is how long its statement had run, on PostgreSQL's clock.
	For time.Duration
}

// EndStuckSessions ends (pg_terminate_backend) the sessions of this
// database that carry this store's application_name (AppName unless the
// connection string sets one; never the outage probe's, nor another
// application's), hold one of its advisory locks (7301-7310: the
// migrations', a sede's changes and audit heads, a codice fiscale's
// issues and delegations), and have waited on their replica inside a
// statement (active, ClientRead or ClientWrite) since more than after
// ago on PostgreSQL's clock; it returns them. A replica stopped there
// (a debugger, docker pause, a cgroup freezer) holds the lock for as
// long as it stays stopped: statement_timeout is off between a
// statement's messages, idle_in_transaction_session_timeout starts only
// at a Sync, and the live host's kernel answers the keepalives; every
// push of its sede through the other replicas was answered busy
// meanwhile. Its transaction rolls back; resumed, the replica finds its
// connection ended before its COMMIT went out, and runs the transaction
// again on a fresh one (retry) if its context has not ended meanwhile. A
// session of another role is ended only with pg_signal_backend (README,
// PostgreSQL).
//
// Replicas looking at once end and return each session once: each ends
// one under a lock of its pid and waits for its end (at most endWait),
// and a session signalled but still there past it is left to the next
// look.
//
// A statement merely slow is lost to it no more than it was, when after
// exceeds the sessions' statement_timeout by StuckMargin: past it
// PostgreSQL cancels the statement at the next message its replica sends
// (a live COPY sending a row a second, under a timeout of 3 s, was
// cancelled at 4.0 s), so a session still waiting on its replica 30 s
// into a statement, under the 25 s of sessionSettings, has had nothing
// from it for 5 s, and its statement could only fail.
func (s *Store) EndStuckSessions(ctx context.Context, after time.Duration) ([]StuckSession, error) {
	rows, err := s.pool.Query(ctx, qEndStuckSessions, s.appName(), after.Seconds(), lockMigrate, lockAudit, lockEnding, endWait.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("end stuck sessions: %w", s.classify(err))
	}
	var out []StuckSession // those ended before a failure too
	var ss StuckSession
	var secs float64
	_, err = pgx.ForEachRow(rows, []any{&ss.PID, &ss.Client, &ss.ApplicationName, &ss.State, &ss.Wait, &secs}, func() error {
		ss.For = time.Duration(secs * float64(time.Second))
		out = append(out, ss)
		return nil
	})
	s.stuckEnded.Add(uint64(len(out)))
	if err != nil {
		return out, fmt.Errorf("end stuck sessions: %w", s.classify(err))
	}
	return out, nil
}

// StuckSessionsEnded returns how many sessions EndStuckSessions has
// ended since Open.
func (s *Store) StuckSessionsEnded() uint64 { return s.stuckEnded.Load() }

// StatementTimeout returns the statement_timeout the store's sessions
// run with, as PostgreSQL has it: sessionSettings' 25 s, or the
// connection string's statement_timeout parameter (a -c
// statement_timeout in its options loses to sessionSettings', which
// PostgreSQL applies after); 0 when it is off.
func (s *Store) StatementTimeout(ctx context.Context) (time.Duration, error) {
	var ms int64
	if err := s.pool.QueryRow(ctx, qStatementTimeout).Scan(&ms); err != nil {
		return 0, fmt.Errorf("statement_timeout of the sessions: %w", s.classify(err))
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// WatchStuck runs EndStuckSessions, for sessions stuck after (positive;
// more than StatementTimeout by StuckMargin at least, when that is on),
// at once, every after and as soon as a request's statement has waited
// lock_timeout for a lock (55P03: the requests answered busy), at most
// once every stuckGap, until ctx ends. It logs one WARN line for each session
// ended, naming it, and one for each look that failed but for a store
// unavailable or refusing centrale, which the requests tell.
func (s *Store) WatchStuck(ctx context.Context, log *slog.Logger, after time.Duration) {
	t := time.NewTicker(after)
	defer t.Stop()
	for {
		ended, err := s.EndStuckSessions(ctx, after)
		for _, ss := range ended {
			log.Warn("ended a session of centrale stuck inside a statement, holding a lock of the store: its replica stopped (a debugger, docker pause); the sede's pushes waited for it",
				"pid", ss.PID, "client", ss.Client, "application_name", ss.ApplicationName,
				"state", ss.State, "wait_event", ss.Wait, "stuck_for", ss.For.Round(100*time.Millisecond))
		}
		// A store down or refusing centrale: the requests' checks say it.
		if err != nil && ctx.Err() == nil && !errors.Is(err, central.ErrUnavailable) && !errors.Is(err, central.ErrRefused) {
			log.Warn("could not look for sessions of centrale stuck holding a lock (a role apart needs pg_signal_backend and pg_read_all_stats: README, PostgreSQL)", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.lockWaited:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(stuckGap):
		}
	}
}

// appName is the application_name of the store's connections.
func (s *Store) appName() string {
	return s.pool.Config().ConnConfig.RuntimeParams["application_name"]
}

// wakeWatchStuck tells WatchStuck that a statement waited lock_timeout
// for a lock; it never blocks.
func (s *Store) wakeWatchStuck() {
	select {
	case s.lockWaited <- struct{}{}:
	default:
	}
}
