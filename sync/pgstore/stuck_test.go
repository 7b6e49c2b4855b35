package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
)

// stuckSession connects to dsn as app and sends sql without its Sync,
// as a replica stopped inside a batch leaves it: the session runs it and
// waits for the next message, active, ClientRead, in the implicit
// transaction that holds what sql took. It returns the session's pid.
func stuckSession(t *testing.T, dsn, app, sql string) uint32 {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = app
	c, err := pgconn.ConnectConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	p := c.StartPipeline(t.Context())
	p.SendQueryParams(sql, nil, nil, nil, nil)
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	return c.PID()
}

// untilDeadline returns a context of the test that ends DeadlineGrace before
// its deadline, if it has one.
func untilDeadline(t *testing.T) context.Context {
	ctx := t.Context()
	if at, ok := testlog.Deadline(t, testlog.DeadlineGrace); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, at)
		t.Cleanup(cancel)
	}
	return ctx
}

// awaitStuck returns once the sessions pids are each active, waiting on
// their client (ClientRead), inside a statement begun more than after
// ago on PostgreSQL's clock: it looks at their state until each is
// there, where the server puts it once it has run what it was sent (no
// event tells it), then sleeps on the server (pg_sleep_until) past the
// latest statement's start plus after. It fails the test at the test's
// deadline. Before, 500 looks 20 ms apart bounded the whole wait: 10 s
// of the test's clock.
func awaitStuck(t *testing.T, watch *pgx.Conn, after time.Duration, pids ...uint32) {
	t.Helper()
	ctx := untilDeadline(t)
	for waiting := 0; waiting < len(pids); {
		// Each query is a transaction of its own: the server's
		// statistics are read anew.
		if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE pid = ANY($1) AND state = 'active' AND wait_event = 'ClientRead'`, pids).Scan(&waiting); err != nil {
			t.Fatalf("sessions %v, %d waiting on their client: %v", pids, waiting, err)
		}
		if waiting < len(pids) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	// A millisecond more: EndStuckSessions takes those stuck longer than
	// after, strictly.
	if _, err := watch.Exec(ctx, `SELECT pg_sleep_until(max(query_start) + make_interval(secs => $2))
		FROM pg_stat_activity WHERE pid = ANY($1)`, pids, (after + time.Millisecond).Seconds()); err != nil {
		t.Fatalf("waiting %s past the statements of sessions %v: %v", after, pids, err)
	}
}

// Ensure that EndStuckSessions ends a session of centrale's (AppName)
// that holds a sede's lock and waits on its client inside a statement
// longer than asked, on PostgreSQL's clock, and only it: not one of
// another application (the outage probe's name) in the same state, nor
// one of centrale's holding no lock; it counts it, and the lock is
// free. Before, nothing ended such a session while its replica stayed
// stopped.
//
// Its subject is PostgreSQL's clock, which PINSEDE_TEST_NOW does not
// move: make test's first pass runs it.
func TestEndStuckSessions(t *testing.T) {
	testclock.RealDayOnly(t, "sessions ended on PostgreSQL's clock")
	dsn := pgtest.DSN(t)
	s := openAt(t, dsn)
	const lock = `SELECT pg_advisory_xact_lock(7310, hashtext('S1'))`
	ours := stuckSession(t, dsn, pgstore.AppName, lock)
	probe := stuckSession(t, dsn, pgstore.ProbeApplicationName, `SELECT pg_advisory_xact_lock(7310, hashtext('S2'))`)
	free := stuckSession(t, dsn, pgstore.AppName, `SELECT 1`)
	watch, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watch.Close(context.Background()) })
	const after = 300 * time.Millisecond
	awaitStuck(t, watch, after, ours, probe, free)
	ended, err := s.EndStuckSessions(t.Context(), after)
	if err != nil {
		t.Fatal(err)
	}
	if len(ended) != 1 || ended[0].PID != int(ours) || ended[0].ApplicationName != pgstore.AppName ||
		ended[0].State != "active" || ended[0].Wait != "ClientRead" || ended[0].For <= after || ended[0].Client == "" {
		t.Fatalf("ended %+v; want only session %d (AppName, active, ClientRead, more than %s), not %d (the probe's) nor %d (no lock)", ended, ours, after, probe, free)
	}
	if n := s.StuckSessionsEnded(); n != 1 {
		t.Errorf("StuckSessionsEnded: %d, want 1", n)
	}
	// The session ends as the signal arrives: the lock frees with it, and
	// the wait for it is granted then.
	if _, err := watch.Exec(untilDeadline(t), `SELECT pg_advisory_lock(7310, hashtext('S1'))`); err != nil {
		t.Fatalf("waiting for S1's lock, held by session %d, to be freed as it was ended: %v", ours, err)
	}
	var alive int
	if err := watch.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`, []uint32{probe, free}).Scan(&alive); err != nil {
		t.Fatal(err)
	}
	if alive != 2 {
		t.Errorf("%d of the probe's and the lockless sessions left, want 2", alive)
	}
}

// Ensure that two replicas looking for stuck sessions at once end and
// report each session once: in each of 5 rounds one session stuck
// holding a sede's lock, and two stores' EndStuckSessions released
// together, one returns it and counts it, the other neither. Before,
// both signalled it before it ended, and both returned it and counted it
// (14 rounds of 20): two WARN lines for one session, and the replicas'
// counters summed to twice the sessions ended.
func TestEndStuckSessionsTogether(t *testing.T) {
	testclock.RealDayOnly(t, "sessions ended on PostgreSQL's clock")
	dsn := pgtest.DSN(t)
	stores := make([]*pgstore.Store, 2)
	for i := range stores {
		stores[i] = openAt(t, dsn)
	}
	watch, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watch.Close(context.Background()) })
	const rounds, after = 5, 100 * time.Millisecond
	for round := range rounds {
		pid := stuckSession(t, dsn, pgstore.AppName, `SELECT pg_advisory_xact_lock(7310, hashtext('S1'))`)
		awaitStuck(t, watch, after, pid)
		var ended [2][]pgstore.StuckSession
		var errs [2]error
		storetest.Together(2, func(i int) { ended[i], errs[i] = stores[i].EndStuckSessions(context.Background(), after) })
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		if n := len(ended[0]) + len(ended[1]); n != 1 {
			t.Fatalf("round %d: session %d ended and reported %d times (%+v, %+v), want once", round, pid, n, ended[0], ended[1])
		}
	}
	if n := stores[0].StuckSessionsEnded() + stores[1].StuckSessionsEnded(); n != rounds {
		t.Errorf("the stores' counters sum to %d, want %d", n, rounds)
	}
}

// Ensure that StatementTimeout says the statement_timeout the store's
// sessions run with, which the wait for a stuck session must exceed
// (StuckMargin, cmd/centrale's -pg-stuck-after), as PostgreSQL has it:
// sessionSettings' when the connection string sets none as a parameter
// (one in its options loses to it), the connection string's otherwise,
// and 0 when it turns it off.
func TestStatementTimeout(t *testing.T) {
	dsn := pgtest.DSN(t)
	// with adds a parameter to dsn, a URL with a query already
	// (pgtest.DSN's sslmode), a space as %20: pgx reads a + as a +.
	with := func(key, value string) string {
		return dsn + "&" + key + "=" + strings.ReplaceAll(url.QueryEscape(value), "+", "%20")
	}
	for _, tc := range []struct {
		dsn  string
		want time.Duration
	}{
		{dsn, pgstore.DefaultStatementTimeout},
		{with("statement_timeout", "6s"), 6 * time.Second},
		// PostgreSQL applies the startup parameters after the options:
		// sessionSettings' wins over the options' -c, which a reading
		// of the connection string would have taken.
		{with("options", "-c statement_timeout=90000"), pgstore.DefaultStatementTimeout},
		{with("statement_timeout", "0"), 0},
	} {
		s, err := pgstore.Open(t.Context(), tc.dsn)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.StatementTimeout(t.Context())
		s.Close()
		if err != nil || got != tc.want {
			t.Errorf("%s: statement_timeout %s, %v; want %s", tc.dsn, got, err, tc.want)
		}
	}
}

// Ensure that WatchStuck ends a session of centrale's stuck inside a
// statement holding a sede's lock once it has waited the time WatchStuck
// is given, on PostgreSQL's clock, and logs it: with 1 s, the session is
// ended and named with stuck_for past 1 s, and the lock freed. Before,
// the wait was 30 s, looked for every 30 s, whatever centrale was told:
// the session was ended at stuck_for 30 s or more, which the test
// refuses. The test waits for the log's line, at each line logged; the
// bound of that negative check is the code's own measure of the wait
// (stuck_for, on PostgreSQL's clock): WatchStuck has no event of its
// own at each look, and a count of the test's polls was a window of the
// test's clock.
//
// Its subject is PostgreSQL's clock, which PINSEDE_TEST_NOW does not
// move: make test's first pass runs it.
func TestWatchStuckAfter(t *testing.T) {
	testclock.RealDayOnly(t, "sessions ended on PostgreSQL's clock")
	dsn := pgtest.DSN(t)
	s := openAt(t, dsn)
	var logs testlog.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	const after = time.Second
	go func() {
		defer close(done)
		s.WatchStuck(ctx, slog.New(slog.NewTextHandler(&logs, nil)), after)
	}()
	t.Cleanup(func() { cancel(); <-done })
	pid := stuckSession(t, dsn, pgstore.AppName, `SELECT pg_advisory_xact_lock(7310, hashtext('S1'))`)
	ended := regexp.MustCompile(fmt.Sprintf(`level=WARN msg="ended a session of centrale stuck inside a statement[^\n]* pid=%d [^\n]* stuck_for=([0-9.]+)s\n`, pid))
	m := logs.Await(t, ended, fmt.Sprintf("session %d, stuck holding S1's lock, ended with WatchStuck waiting %s", pid, after))
	// The wait before: the default statement_timeout and its margin.
	const before = pgstore.DefaultStatementTimeout + pgstore.StuckMargin
	if secs, err := strconv.ParseFloat(m[1], 64); err != nil || secs < after.Seconds() || secs >= before.Seconds() {
		t.Errorf("stuck_for=%ss; want %s or more, under the %s WatchStuck waited whatever it was given", m[1], after, before)
	}
	var held bool
	if err := s.Pool().QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 7310 AND objid = hashtext('S1')::oid)`).Scan(&held); err != nil || held {
		t.Errorf("S1's lock held after its session was ended: %v, %v", held, err)
	}
}
