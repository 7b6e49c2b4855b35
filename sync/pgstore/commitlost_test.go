package pgstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// commitCutter relays connections to a PostgreSQL on loopback, and, once
// armed, cuts the client's side of the first connection that runs
// COMMIT (runsCommit), right after passing it on: a network that fails as a commit
// goes out. PostgreSQL commits, and the client reads the connection
// closed.
type commitCutter struct {
	*pgtest.Relay
	armed atomic.Bool
	cut   chan struct{}
}

// relay starts a commitCutter to the server at addr.
func relay(t *testing.T, addr string) *commitCutter {
	r := &commitCutter{cut: make(chan struct{})}
	r.Relay = pgtest.NewRelay(t, addr, r.serve)
	return r
}

// serve relays client c through via. Once the cut is made, the network
// is down: a cancel request pgx sends for the lost connection's backend
// is dropped (it reached PostgreSQL through the relay, whose side of it
// stayed open: pgx waited its 15 s for it, and the pool's one connection
// with it; and a cancel landing as the backend ran the COMMIT rolled it
// back).
func (r *commitCutter) serve(via *pgtest.Relay, c net.Conn) {
	buf := make([]byte, 64<<10)
	n, err := c.Read(buf)
	if err != nil || r.isCut() && isCancelRequest(buf[:n]) {
		c.Close()
		return
	}
	s, err := via.Dial()
	if err != nil {
		c.Close()
		return
	}
	go func() {
		io.Copy(c, s)
		c.Close()
	}()
	committing := false
	for {
		if n > 0 {
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
			if !committing && runsCommit(buf[:n]) && r.armed.CompareAndSwap(true, false) {
				committing = true
			}
			// The COMMIT's round trip whole (up to its Sync), however
			// the reads split it: cut after a part of it, PostgreSQL
			// waited for the rest, in the transaction, until its idle
			// timeout rolled it back.
			if committing && bytes.HasSuffix(buf[:n], syncMessage) {
				// Told before the cut: the client returns as soon as it
				// reads the connection closed, and looks at r.cut then.
				close(r.cut)
				c.Close() // PostgreSQL, still connected, commits
				return
			}
		}
		if err != nil {
			s.Close()
			return
		}
		n, err = c.Read(buf)
	}
}

// isCut reports whether the cut has been made.
func (r *commitCutter) isCut() bool {
	select {
	case <-r.cut:
		return true
	default:
		return false
	}
}

// syncMessage is the frontend's Sync, which ends a round trip of the
// extended query protocol.
var syncMessage = []byte{'S', 0, 0, 0, 4}

// isCancelRequest reports whether b, the first bytes a client sends, is
// a CancelRequest: length 16, code 80877102.
func isCancelRequest(b []byte) bool {
	return len(b) == 16 && binary.BigEndian.Uint32(b) == 16 && binary.BigEndian.Uint32(b[4:]) == 80877102
}

// commitStatement is the name pgx gives COMMIT prepared (its statement
// cache's: "stmtcache_" and the first 24 bytes of the text's SHA-256 in
// hex), which the round trip that runs it binds.
var commitStatement = func() []byte {
	d := sha256.Sum256([]byte("COMMIT"))
	return []byte("stmtcache_" + hex.EncodeToString(d[:24]))
}()

// runsCommit reports whether b, a client's write, runs COMMIT: it binds
// the statement, and is not the round trip that prepares it (whose Parse
// carries the text).
func runsCommit(b []byte) bool {
	return bytes.Contains(b, commitStatement) && !bytes.Contains(b, []byte("COMMIT\x00"))
}

// Ensure that a push whose connection is lost as its COMMIT goes out,
// PostgreSQL committing it, is not run again on a fresh connection (it
// would be answered duplicate, and a PIN check counted twice), but said
// unavailable (503 with Retry-After), and that the desk's push sent again
// is answered duplicate: each event stored once.
func TestCommitLostNotRunAgain(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	watch, err := pgx.Connect(t.Context(), dsn) // not through the relay
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watch.Close(context.Background()) })
	r := relay(t, u.Host)
	u.Host = r.Addr()
	// One connection: the push that is cut runs on the one whose first
	// push prepared COMMIT, so that its COMMIT is the bind runsCommit
	// knows (on a second connection, opened by the pool at its will, the
	// COMMIT went out unseen, 1 run in about 16).
	q := u.Query()
	q.Set("pool_max_conns", "1")
	u.RawQuery = q.Encode()
	s, err := pgstore.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetLimits(storetest.Limits)
	ctx, at := t.Context(), storetest.T0
	if _, err := s.Push(ctx, "S1", wire.AuditHead{}, pushOf(t, 0, 3), at); err != nil {
		t.Fatal(err)
	}
	// The pool's one connection, which the next push runs on.
	var pid uint32
	if err := watch.QueryRow(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
		pgstore.AppName).Scan(&pid); err != nil {
		t.Fatalf("the store's session: %v", err)
	}
	evs := pushOf(t, 3, 3)
	r.armed.Store(true)
	_, err = s.Push(ctx, "S1", wire.AuditHead{}, evs, at)
	select {
	case <-r.cut:
	default:
		t.Fatalf("the push's COMMIT was not cut: %v", err)
	}
	if !errors.Is(err, central.ErrUnavailable) {
		t.Errorf("push whose connection was lost as its COMMIT went out: %v, want central.ErrUnavailable", err)
	}
	// PostgreSQL runs the COMMIT it was sent, the session then idle (the
	// relay holds its side of the connection). Counted at once, the push
	// was now and then not yet committed ("events held: 3", a rehearsal's
	// clocks-back pass).
	awaitIdle(t, watch, pid)
	if n, err := s.Events(ctx); err != nil || n != 6 {
		t.Fatalf("events held: %d (%v), want 6: PostgreSQL committed the push", n, err)
	}
	res, err := s.Push(ctx, "S1", wire.AuditHead{}, evs, at)
	if v := verdicts(res); err != nil || v[wire.Duplicate] != len(evs) {
		t.Errorf("the push sent again: %v %v, want all duplicate", v, err)
	}
}

// awaitIdle returns once PostgreSQL's session pid has no transaction
// open (idle, or gone), looking every 10 ms (no event of PostgreSQL tells
// it), and fails the test at its deadline.
func awaitIdle(t *testing.T, watch *pgx.Conn, pid uint32) {
	t.Helper()
	ctx := untilDeadline(t)
	for {
		var busy bool
		if err := watch.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state <> 'idle')`, pid).Scan(&busy); err != nil {
			t.Fatalf("waiting for session %d's transaction to end: %v", pid, err)
		}
		if !busy {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
