package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushOf returns a push of n issues of sede S1, for codici fiscali from
// first on.
func pushOf(t *testing.T, first, n int) []pinsede.Event {
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	var evs []pinsede.Event
	for i := first; i < first+n; i++ {
		evs = append(evs, storetest.Issued("S1", storetest.CF(i), fmt.Sprintf("e%d", i), fmt.Sprintf("c%d", i), h))
	}
	return evs
}

// verdicts counts the verdicts of a push's results.
func verdicts(res []wire.Result) map[wire.Verdict]int {
	n := map[wire.Verdict]int{}
	for _, r := range res {
		n[r.Verdict]++
	}
	return n
}

// Ensure that a store whose connections PostgreSQL ended
// (pg_terminate_backend: an operator, a failover; a restart ends them
// as well) answers at once on fresh ones: the push, the pull, the PIN
// check and the ping right after each killing succeed, and a push sent
// again after one is answered duplicate, nothing applied twice. Before,
// the first of each took a dead connection of the pool and failed:
// "FATAL: terminating connection due to administrator command (SQLSTATE
// 57P01)", answered 500.
func TestSessionsEndedAnsweredOnFreshOnes(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	s, err := pgstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetLimits(storetest.Limits)
	ctx := t.Context()
	at := storetest.T0
	push := func(what string, evs []pinsede.Event) map[wire.Verdict]int {
		t.Helper()
		res, err := s.Push(ctx, "S1", wire.AuditHead{}, evs, at)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return verdicts(res)
	}
	kill := func() {
		t.Helper()
		if n := pgtest.Terminate(t, db); n == 0 {
			t.Fatal("no session of the store to end")
		}
	}
	first, second := pushOf(t, 0, 20), pushOf(t, 20, 20)
	push("push before", first)
	kill()
	if got := push("push right after the sessions ended", second); got[wire.Accepted] != len(second) {
		t.Errorf("push after the sessions ended: %v, want %d accepted", got, len(second))
	}
	kill()
	if got := push("the same push again", second); got[wire.Duplicate] != len(second) {
		t.Errorf("the same push again: %v, want %d duplicate", got, len(second))
	}
	kill()
	if ch, _, _, err := s.Changes(ctx, "S1", 0, wire.MaxChanges, nil); err != nil || len(ch) == 0 {
		t.Errorf("pull right after the sessions ended: %d changes, %v", len(ch), err)
	}
	kill()
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 3, ResetAfter: 24 * time.Hour}
	if _, _, err := s.Attempt(ctx, storetest.CF(0), central.SlotPIN, p, at); err != nil {
		t.Errorf("PIN check right after the sessions ended: %v", err)
	}
	kill()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping right after the sessions ended: %v", err)
	}
	if n, err := s.Events(ctx); err != nil || n != len(first)+len(second) {
		t.Errorf("events held: %d (%v), want %d: each once", n, err, len(first)+len(second))
	}
}

// Ensure that a store whose PostgreSQL is stopped says so
// (central.ErrUnavailable) for a push, a pull, a PIN check and a ping,
// which the server answers 503 with Retry-After, and works again once
// PostgreSQL is back, on the same Store: before, the errors were told
// from no other failure, answered 500 and logged as errors, one a
// request.
func TestStoppedPostgresUnavailable(t *testing.T) {
	pg := pgtest.Private(t)
	s, err := pgstore.Open(t.Context(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetLimits(storetest.Limits)
	ctx, at := t.Context(), storetest.T0
	if _, err := s.Push(ctx, "S1", wire.AuditHead{}, pushOf(t, 0, 5), at); err != nil {
		t.Fatal(err)
	}
	if err := pg.Down(); err != nil {
		t.Fatal(err)
	}
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 3, ResetAfter: 24 * time.Hour}
	_, pushErr := s.Push(ctx, "S1", wire.AuditHead{}, pushOf(t, 5, 5), at)
	_, _, _, pullErr := s.Changes(ctx, "S1", 0, wire.MaxChanges, nil)
	_, _, checkErr := s.Attempt(ctx, storetest.CF(0), central.SlotPIN, p, at)
	for what, err := range map[string]error{"push": pushErr, "pull": pullErr, "PIN check": checkErr, "ping": s.Ping(ctx)} {
		if !errors.Is(err, central.ErrUnavailable) {
			t.Errorf("%s with PostgreSQL stopped: %v, want central.ErrUnavailable", what, err)
		}
	}
	if err := pg.Up(); err != nil {
		t.Fatal(err)
	}
	storetest.AwaitPing(t, s) // its probe finds PostgreSQL back
	res, err := s.Push(ctx, "S1", wire.AuditHead{}, pushOf(t, 5, 5), at)
	if err != nil || verdicts(res)[wire.Accepted] != 5 {
		t.Fatalf("push once PostgreSQL is back: %v %v", verdicts(res), err)
	}
}

// Ensure that a push waiting for its sede's lock, held elsewhere (a
// replica frozen in its transaction, here a session of the test), gives
// up after the session's lock_timeout, central.ErrBusy, well before the
// request's deadline: before, it waited to the deadline (28 s in
// centrale), holding a push slot, and was answered "ran out of time".
func TestPushWaitsForLockBounded(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := pgstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetLimits(storetest.Limits)
	holder, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(context.Background())
	tx, err := holder.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), `SELECT pg_advisory_xact_lock(7310, hashtext('S1'))`); err != nil { // pgstore's lockAudit
		t.Fatal(err)
	}
	// A deadline far past lock_timeout: the push must give up first.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	_, err = s.Push(ctx, "S1", wire.AuditHead{}, pushOf(t, 0, 1), storetest.T0)
	if !errors.Is(err, central.ErrBusy) || ctx.Err() != nil {
		t.Fatalf("push behind a lock held elsewhere: %v (deadline: %v), want central.ErrBusy before the deadline", err, ctx.Err())
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(t.Context(), "S1", wire.AuditHead{}, pushOf(t, 0, 1), storetest.T0); err != nil {
		t.Fatalf("push once the lock is let go: %v", err)
	}
}

// Ensure that the store's connects are bounded by pgstore.ConnectTimeout
// when the connection string sets no connect_timeout, and by the
// string's own when it does. Before, they had no bound: a database host
// gone without closing its sockets left each request waiting its whole
// deadline for a connect (sync/server's
// TestStoreHostGoneAnsweredWithinConnectTimeout).
func TestConnectTimeout(t *testing.T) {
	dsn := pgtest.DSN(t)
	for _, tc := range []struct {
		dsn  string
		want time.Duration
	}{
		{dsn, pgstore.ConnectTimeout},
		{dsn + "&connect_timeout=12", 12 * time.Second},
	} {
		s, err := pgstore.Open(t.Context(), tc.dsn)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Pool().Config().ConnConfig.ConnectTimeout; got != tc.want {
			t.Errorf("%s: connects bounded by %v, want %v", tc.dsn, got, tc.want)
		}
		s.Close()
	}
}
