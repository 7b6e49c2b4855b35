package pgstore

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede/sync/central"
)

// sessionSettings are the run-time parameters each connection of the pool
// starts its session with, unless the connection string sets them: they
// are the session's, and PostgreSQL's configuration is left as it is.
// They bound how long a replica that stops in the middle of a
// transaction (a VM paused, a process stopped, a host gone without
// closing its sockets) holds the locks it took, and how long a request
// waits behind it, under the request's deadline
// (server.DefaultRequestTimeout, 28 s).
var sessionSettings = []struct{ name, value string }{
	// A transaction of this store is idle between its round trips only
	// while centrale applies the rules in memory: 0.10 s for 30,000
	// events, 2 ms a push of 500 (BENCHMARKS.md). A replica frozen
	// there held its sede's advisory lock for as long as it stayed
	// frozen (2 h, its host gone: TCP's keepalive), and that sede's
	// pushes through every replica waited for it; PostgreSQL now ends
	// the session after 10 s idle in its transaction, which rolls back.
	{"idle_in_transaction_session_timeout", "10s"},
	// A statement waits at most 5 s for a lock, then fails busy (503
	// with Retry-After): a sede's pushes take its lock one after the
	// other in milliseconds each, and a push that waits longer holds one
	// of centrale's push slots (server.PushLimits) that other sedi's
	// pushes wait for at most 10 s.
	{"lock_timeout", "5s"},
	// A statement runs at most 25 s, 3 s under the request's deadline:
	// PostgreSQL stops it itself, where a deadline met by pgx leaves it
	// running until it next writes to the connection closed.
	{"statement_timeout", fmt.Sprintf("%dms", DefaultStatementTimeout.Milliseconds())},
	// A client gone without closing its connection (a host off, a
	// network cut) is found 10 + 3 × 5 = 25 s after it last spoke (Linux
	// waited 2 h 11 min), and its session ended; data it does not
	// acknowledge for 25 s ends it too.
	{"tcp_keepalives_idle", "10"},
	{"tcp_keepalives_interval", "5"},
	{"tcp_keepalives_count", "3"},
	{"tcp_user_timeout", "25000"},
}

// DefaultStatementTimeout is the statement_timeout of the sessions when
// the connection string sets none (sessionSettings).
const DefaultStatementTimeout = 25 * time.Second

// ConnectTimeout bounds each connect to PostgreSQL, the TCP handshake,
// TLS and the login together, when the connection string sets no
// connect_timeout (one that does keeps its own). Without it a database
// host gone without closing its sockets (a firewall dropping packets, a
// VM paused) left each connect waiting as long as TCP retries, minutes
// to hours: every request waited its whole deadline (28 s) for one of
// the pool's connections, and the requests piled up behind. A healthy
// connect takes milliseconds (tens with TLS and SCRAM across a LAN);
// 5 s lets a SYN lost twice through (Linux sends it again after 1 s and
// 3 s), leaves 23 s of a request's deadline, and is the Retry-After the
// request is then answered with (server.StoreRetryAfter), so that a
// desk's next try meets a fresh connect. Each host of a connection
// string that names several (target_session_attrs) has its own 5 s.
const ConnectTimeout = 5 * time.Second

// unreachable reports whether err says that the database could not be
// reached, or ended the connection or lost it: refused, reset or
// closed, a server shutting down, starting up or ending the session
// (57P01 of pg_terminate_backend or a restart, 25P03 of
// idle_in_transaction_session_timeout), out of connection slots (53300).
// A connect that ran out of its ConnectTimeout is: a pool's connects
// run on a context of their own, which only that bound ends. A server's
// refusal of the connection string (authentication, no such database)
// is not: it will not pass by itself.
func unreachable(err error) bool {
	if connectFailed(err) && pgconn.Timeout(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "25P03", "53300":
			return true
		}
		return strings.HasPrefix(pe.Code, "08") // connection exception
	}
	var ne net.Error
	return errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne) && !ne.Timeout()
}

// refused reports whether err is the database's refusal of the
// connection string: 28000 (no such role, or pg_hba.conf refuses it,
// NOLOGIN), 28P01 (password refused), 3D000 (no such database).
func refused(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "28000", "28P01", "3D000":
		return true
	}
	return false
}

// waitedTooLong reports whether err is a statement the session's
// lock_timeout (55P03) or statement_timeout (57014) stopped.
func waitedTooLong(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "55P03" || pe.Code == "57014")
}

// classify marks err, of the database, with central.ErrUnavailable when
// the database is unreachable, and then closes the pool's connections:
// one found dead says the others are too (a restart), and pgxpool hands
// out a connection used less than a second before without checking it.
// A connect's failure is then a *ConnectError, told on one line.
// It marks err with central.ErrRefused when the database refuses the
// connection string, and with central.ErrBusy when the statement waited
// too long; one that waited lock_timeout for a lock wakes WatchStuck.
func (s *Store) classify(err error) error {
	switch {
	case err == nil, errors.Is(err, central.ErrUnavailable), errors.Is(err, central.ErrBusy), errors.Is(err, central.ErrRefused):
		return err
	case refused(err):
		return fmt.Errorf("%w: %w", central.ErrRefused, err)
	case unreachable(err):
		s.pool.Reset()
		if connectFailed(err) { // told on one line, every host named
			err = connectError(s.outage.cfg, err)
		}
		return fmt.Errorf("%w: %w", central.ErrUnavailable, err)
	case waitedTooLong(err):
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "55P03" { // lock_timeout: held by a replica stopped? (stuck.go)
			s.wakeWatchStuck()
		}
		return fmt.Errorf("%w: %w", central.ErrBusy, err)
	}
	return err
}

// commitError is the error of the round trip that sent a transaction's
// COMMIT: when its connection was lost the transaction may have
// committed, and it is not run again (retry).
type commitError struct{ err error }

func (e *commitError) Error() string { return e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// connectFailed reports whether err is a connect's that failed: no
// connection was made.
func connectFailed(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// lostBeforeCommit reports whether err is a connection found dead before
// the transaction's COMMIT went out, or before anything of the round
// trip that carried it did: PostgreSQL rolled the transaction back, and
// a new one on a fresh connection does what it did not. A connect that
// failed is not: there was no connection, and connecting again at once
// would fail the same way, a second ConnectTimeout for one that gets no
// answer.
func lostBeforeCommit(err error) bool {
	var ce *commitError
	return unreachable(err) && !connectFailed(err) && (!errors.As(err, &ce) || pgconn.SafeToRetry(err))
}
