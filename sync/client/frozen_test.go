package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushAnswer is centrale's answer to a push.
type pushAnswer struct {
	status     int
	retryAfter string
	problem    wire.Problem
	results    []wire.Result
	err        error // the request's, when there was no answer
}

// String says the answer, for the test's messages.
func (a pushAnswer) String() string {
	if a.err != nil {
		return a.err.Error()
	}
	return fmt.Sprintf("%d Retry-After %q %s %q, %d results", a.status, a.retryAfter, a.problem.Type, a.problem.Detail, len(a.results))
}

// pushTo sends p to centrale at base through c.
func pushTo(c *http.Client, base string, p wire.PushRequest) pushAnswer {
	b, err := json.Marshal(p)
	if err != nil {
		return pushAnswer{err: err}
	}
	resp, err := c.Post(base+"/v1/events", wire.ContentJSON, bytes.NewReader(b))
	if err != nil {
		return pushAnswer{err: err}
	}
	defer resp.Body.Close()
	a := pushAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return pushAnswer{err: err}
	}
	if a.status == http.StatusOK {
		var out wire.PushResponse
		a.err = json.Unmarshal(body, &out)
		a.results = out.Results
	} else {
		json.Unmarshal(body, &a.problem)
	}
	return a
}

// frozenRig is two centrale replicas, A and B, on one PostgreSQL, a
// sede's client and a connection that watches the sede's lock.
type frozenRig struct {
	a, b  *replica
	sede  *http.Client
	watch *pgx.Conn
	hash  string
	// bin, pkiDir and dsn are the replicas' binary, -pki and -postgres.
	bin, pkiDir, dsn string
}

// frozenStatementTimeout and frozenStuckAfter are the replicas'
// statement_timeout, in their -postgres, and their wait for a session
// stuck inside a statement, in PINSEDE_CENTRALE_PG_STUCK_AFTER: the
// least centrale takes with that statement_timeout (5 s more), so that B
// ends a session of A's stopped inside a statement after 11 s, where the
// defaults (25 s and 30 s) made the test wait 30 s. 6 s is past
// lock_timeout (5 s), as the default is: a push of B's waiting for the
// lock A holds is refused by lock_timeout, which wakes B's watch; a push
// of 500 events takes milliseconds.
const frozenStatementTimeout, frozenStuckAfter = 6 * time.Second, 11 * time.Second

// newFrozenRig starts replicas A and B; A is resumed (SIGCONT) before
// they stop.
func newFrozenRig(t *testing.T) *frozenRig {
	dsn := fmt.Sprintf("%s&statement_timeout=%dms", pgtest.DSN(t), frozenStatementTimeout.Milliseconds())
	t.Setenv("PINSEDE_CENTRALE_PG_STUCK_AFTER", frozenStuckAfter.String())
	dir := t.TempDir()
	bin := testenv.BuildCentrale(t, dir)
	pkiDir := filepath.Join(dir, "pki")
	ca := testenv.PKIDir(t, pkiDir)
	a, err := startReplica(t, bin, pkiDir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	b, err := startReplica(t, bin, pkiDir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.cmd.Process.Signal(syscall.SIGCONT) }) // before the replicas' stop
	watch, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watch.Close(context.Background()) })
	return &frozenRig{a: a, b: b, sede: replicaClient(t, ca, pki.RoleSede, "S1"), watch: watch, hash: storetest.Hash(t, "ACEFHJKMNPRTUVWX"),
		bin: bin, pkiDir: pkiDir, dsn: dsn}
}

// batch is a push of S1 of n issues, numbered from first.
func (f *frozenRig) batch(first, n int) wire.PushRequest {
	p := wire.PushRequest{Sede: "S1", AuditHead: &wire.AuditHead{}}
	for i := first; i < first+n; i++ {
		p.Events = append(p.Events, storetest.Issued("S1", storetest.CF(i), fmt.Sprintf("e%d", i), fmt.Sprintf("c%d", i), f.hash))
	}
	return p
}

// holder is the session holding S1's audit lock (pgstore's lockAudit,
// 7310) as pg_stat_activity shows it; pid 0 when none holds it.
type holder struct {
	pid         int
	state, wait string
	// age is how long its statement has run, on PostgreSQL's clock.
	age float64
	// client and server are the TCP ports of its connection, A's and
	// PostgreSQL's.
	client, server int
}

// String says the session, for the test's messages.
func (h holder) String() string {
	if h.pid == 0 {
		return "no session"
	}
	return fmt.Sprintf("session %d %q wait %q, statement %.1f s old", h.pid, h.state, h.wait, h.age)
}

// lock returns the session that holds S1's audit lock.
func (f *frozenRig) lock(t *testing.T) holder {
	var h holder
	err := f.watch.QueryRow(context.Background(), `SELECT l.pid, coalesce(a.state, ''), coalesce(a.wait_event, ''),
			coalesce(extract(epoch FROM now() - a.query_start)::float8, 0), coalesce(a.client_port, 0), coalesce(inet_server_port(), 0)
		FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND l.classid = 7310 AND l.objid = hashtext('S1')::oid AND l.granted`).Scan(&h.pid, &h.state, &h.wait, &h.age, &h.client, &h.server)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("watching S1's lock: %v", err)
	}
	return h
}

// awaitLockFree waits until S1's audit lock, held by h, is free: the
// watch asks for it, and PostgreSQL grants it as it frees, at the test's
// deadline at the latest (testlog.Deadline); the watch lets it go at
// once.
func (f *frozenRig) awaitLockFree(t *testing.T, h holder) {
	ctx := context.Background()
	if at, ok := testlog.Deadline(t, testlog.DeadlineGrace); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, at)
		defer cancel()
	}
	err := pgx.BeginFunc(ctx, f.watch, func(tx pgx.Tx) error {
		// The rig's statement_timeout (6 s) would end the wait before
		// PostgreSQL's idle_in_transaction_session_timeout (10 s) ends
		// the holder's session.
		for _, set := range []string{`SET LOCAL statement_timeout = 0`, `SET LOCAL lock_timeout = 0`} {
			if _, err := tx.Exec(ctx, set); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7310, hashtext('S1'))`)
		return err
	})
	if err != nil {
		t.Fatalf("waiting for S1's lock, held by %v, to be freed: %v", h, err)
	}
}

// events counts the events held.
func (f *frozenRig) events(t *testing.T) int {
	var n int
	if err := f.watch.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// inStatement reports whether h is stopped inside a statement: active,
// and waiting for A to send the statement's next message (extended
// protocol, a batch sent without its Sync, COPY's data) or to read its
// results.
func (h holder) inStatement() bool {
	return h.state == "active" && (h.wait == "ClientRead" || h.wait == "ClientWrite")
}

// drained reports whether nothing A wrote to h's connection is left on
// its way to PostgreSQL: A's socket has sent it all and PostgreSQL's has
// given it all to the session (their queues in /proc/net/tcp). Until
// then, with A stopped, the kernel still sends what A wrote, and the
// session, reading it, goes on, maybe to its statement's end: a session
// seen waiting for A 0.0 s into its statement, A just stopped, went
// idle in its transaction, and PostgreSQL ended it 10 s later.
func (h holder) drained(t *testing.T) bool {
	var aSent, pgRead, found int
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("A's connection to PostgreSQL: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			// sl local_address rem_address st tx_queue:rx_queue ...
			f := strings.Fields(line)
			if len(f) < 5 || f[3] != "01" { // established
				continue
			}
			tx, rx, _ := strings.Cut(f[4], ":")
			switch [2]int{hexInt(f[1]), hexInt(f[2])} {
			case [2]int{h.client, h.server}:
				aSent, found = hexInt(tx), found+1
			case [2]int{h.server, h.client}:
				pgRead, found = hexInt(rx), found+1
			}
		}
	}
	if found != 2 {
		t.Fatalf("A's connection to PostgreSQL, ports %d and %d: %d of its 2 sockets in /proc/net/tcp", h.client, h.server, found)
	}
	return aSent == 0 && pgRead == 0
}

// hexInt reads a number of /proc/net/tcp, hexadecimal: a queue's bytes,
// or an address's port (0100007F:1F90 is port 8080); -1 if malformed.
func hexInt(s string) int {
	if _, port, ok := strings.Cut(s, ":"); ok {
		s = port
	}
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return -1
	}
	return int(n)
}

// frozenPush is a push through A caught with A stopped (SIGSTOP) while
// its session held S1's lock.
type frozenPush struct {
	batch    wire.PushRequest
	answered chan pushAnswer
	// session is A's session as it stays while A is stopped.
	session holder
}

// catch pushes the batches of push through A with via, try by try, and
// stops A as soon as its session holds S1's lock as ready says, until it
// stops A with its session where want says; each other stop is resumed
// and its push answered.
func (f *frozenRig) catch(t *testing.T, tries int, via *http.Client, push func(try int) wire.PushRequest, ready, want func(holder) bool) frozenPush {
	var seen []string
	for try := range tries {
		p := frozenPush{batch: push(try), answered: make(chan pushAnswer, 1)}
		go func() { p.answered <- pushTo(via, f.a.url, p.batch) }()
	catch:
		for {
			select {
			case got := <-p.answered:
				seen = append(seen, fmt.Sprintf("through (%d)", got.status))
				break catch // through before it was caught
			default:
			}
			h := f.lock(t)
			if h.pid == 0 || !ready(h) {
				continue // A's push runs: its answer ends the loop
			}
			backend := h
			f.a.cmd.Process.Signal(syscall.SIGSTOP)
			// What the session does as A stops settles: it commits, or,
			// with nothing of A's left to read (drained, seen before the
			// state), waits for A idle in its transaction or inside a
			// statement. Neither the kernel's queues nor
			// pg_stat_activity tell a change: they are read again every
			// 20 ms, until the test's deadline (PostgreSQL ends the
			// session 10 s after it went idle, which settles it).
			giveUp, bounded := testlog.Deadline(t, testlog.DeadlineGrace)
			for {
				drained := backend.drained(t)
				if h = f.lock(t); h.pid != backend.pid || drained && (h.state == "idle in transaction" || h.inStatement()) {
					break
				}
				if bounded && time.Now().After(giveUp) {
					t.Fatalf("A stopped: its session never settled, by the test's deadline: %v", h)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if h.pid == backend.pid && want(h) {
				p.session = h
				return p
			}
			seen = append(seen, h.String())
			f.a.cmd.Process.Signal(syscall.SIGCONT)
			<-p.answered
			break catch
		}
	}
	t.Fatalf("never caught replica A inside a push as wanted in %d tries: %s", tries, strings.Join(seen, "; "))
	return frozenPush{}
}

// storedOnce checks, A resumed, that each event of its push p is stored
// once, frozen being the push's answer: A, resumed, finds its session
// ended and its transaction rolled back, before its COMMIT went out; it
// answers the push refused, or runs it again on a fresh connection
// (pgstore's retry) and answers what that stored, or its client had
// given up (frozen.err). Sent again through B, the batch is answered all
// duplicate if A answered 200, all accepted if it answered otherwise,
// one or the other if there was no answer. held is the events stored
// before B's push of one.
func (f *frozenRig) storedOnce(t *testing.T, p frozenPush, frozen pushAnswer, held int) {
	want := []wire.Verdict{wire.Accepted}
	switch {
	case frozen.err != nil:
		want = append(want, wire.Duplicate)
	case frozen.status == http.StatusOK:
		if v := verdicts(frozen.results); v[wire.Accepted] != len(p.batch.Events) {
			t.Fatalf("frozen A's push, run again once resumed: %v; want all accepted, its first transaction rolled back", v)
		}
		want = []wire.Verdict{wire.Duplicate}
	}
	t.Logf("frozen A's push, resumed: %v", frozen)
	again := pushTo(f.sede, f.b.url, p.batch)
	v := verdicts(again.results)
	if again.status != http.StatusOK || !slices.ContainsFunc(want, func(w wire.Verdict) bool { return v[w] == len(p.batch.Events) }) {
		t.Fatalf("A's batch sent again through B: %v %v; want all of one of %v", again, v, want)
	}
	if n := f.events(t); n != held+1+len(p.batch.Events) {
		t.Errorf("events: %d, want %d: B's one and A's batch, each once", n, held+1+len(p.batch.Events))
	}
}

// busy checks that got is centrale's 503 busy with Retry-After for S1's
// lock held.
func busy(t *testing.T, got pushAnswer) {
	t.Helper()
	if got.problem.Type != wire.ProblemBusy || got.retryAfter == "" || !strings.Contains(got.problem.Detail, "another request holds") {
		t.Fatalf("push through B behind frozen A: %v; want 200, or 503 busy with Retry-After for the lock held", got)
	}
}

// Ensure that a replica frozen inside a push (SIGSTOP: a VM paused, a
// host gone without closing its sockets), holding its sede's advisory
// lock, idle in its transaction, holds up that sede's pushes through a
// healthy replica only until PostgreSQL ends its session
// (idle_in_transaction_session_timeout): the healthy replica answers 503
// busy with Retry-After once it has waited lock_timeout, and 200 once
// PostgreSQL has freed the lock; the frozen replica, resumed, finds its
// transaction rolled back, and each of its events is stored once,
// whether it answers the push refused or runs it again on a fresh
// connection. Before, the healthy replica answered 503 "could not answer
// in time" after 28 s, its /v1/health ok, and the frozen replica's
// session kept the lock for as long as its host stayed gone (TCP's
// keepalive: 2 h). A replica stopped inside a statement is
// TestFrozenInStatementLockFreed's.
//
// Its subject is PostgreSQL's timers, on PostgreSQL's clock, which
// PINSEDE_TEST_NOW does not move: make test's first pass runs it.
func TestFrozenReplicaLockFreed(t *testing.T) {
	testclock.RealDayOnly(t, "a frozen replica's lock, ended on PostgreSQL's clock")
	f := newFrozenRig(t)
	p := f.catch(t, 20, f.sede, func(try int) wire.PushRequest { return f.batch(1000*(try+1), wire.MaxBatch) },
		func(holder) bool { return true }, func(h holder) bool { return h.state == "idle in transaction" })
	held := f.events(t)

	// B's push of S1 waits for the lock at most lock_timeout, then is
	// refused for now; once PostgreSQL has ended A's session, it goes.
	one := f.batch(1, 1)
	got := pushTo(f.sede, f.b.url, one)
	if got.status == http.StatusServiceUnavailable {
		busy(t, got)
		// PostgreSQL ends A's session 10 s after it went idle, and
		// frees the lock with it.
		if h := f.lock(t); h.pid == p.session.pid && h.state != "idle in transaction" {
			t.Fatalf("A's session, stopped idle in its transaction, before PostgreSQL ended it: %v", h)
		}
		f.awaitLockFree(t, p.session)
		got = pushTo(f.sede, f.b.url, one)
	}
	if got.status != http.StatusOK || len(got.results) != 1 || got.results[0].Verdict != wire.Accepted {
		t.Fatalf("push through B once PostgreSQL freed the lock: %v", got)
	}
	f.a.cmd.Process.Signal(syscall.SIGCONT)
	f.storedOnce(t, p, <-p.answered, held)
}

// Ensure that a replica stopped inside a statement of a push (a batch
// sent without its Sync, the COPY of a push of more than 32 rows: its
// session active, waiting for the replica, ClientRead or ClientWrite),
// holding its sede's lock, holds up that sede's pushes through a healthy
// replica only until that replica ends its session (pgstore's
// EndStuckSessions, past the wait centrale is given, -pg-stuck-after, on
// PostgreSQL's clock) and logs it: the healthy replica answers 503 busy
// meanwhile, then 200; a desk's push through the stopped replica ends in
// the desk's time-out, to go again; and each of the stopped replica's
// events is stored once. The replicas run with a statement_timeout of
// 6 s and wait 11 s (frozenStuckAfter): B's log says so, and B ends the
// session no sooner; centrale refuses to start with 10 s. Before, no
// timeout of PostgreSQL's ended such a session (statement_timeout is off
// between a statement's messages, idle_in_transaction_session_timeout
// starts at a Sync, keepalives are answered by the live host): B
// answered busy for as long as A stayed stopped.
//
// Its subject is a timeout on PostgreSQL's clock, which PINSEDE_TEST_NOW
// does not move: make test's first pass runs it.
func TestFrozenInStatementLockFreed(t *testing.T) {
	testclock.RealDayOnly(t, "a stopped replica's session, ended on PostgreSQL's clock")
	f := newFrozenRig(t)
	// A wait under the sessions' statement_timeout plus 5 s would end
	// statements merely slow: centrale refuses it at start, exit status
	// 1, saying on one line the wait to give.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refused := exec.CommandContext(ctx, f.bin, "-pki", f.pkiDir, "-listen", "127.0.0.1:0", "-manage", "", "-admin", "", "-postgres", f.dsn, "-pg-stuck-after", "10s")
	var stderr strings.Builder
	refused.Stderr = &stderr
	err := refused.Run()
	want := "centrale: -pg-stuck-after 10s is under the sessions' statement_timeout (6s) plus 5s: a statement merely slow could be taken for a replica stopped and ended; give 11s or more, or leave it out for that, or give -postgres a shorter statement_timeout\n"
	if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitCode() != 1 || ctx.Err() != nil || stderr.String() != want {
		t.Errorf("centrale with -pg-stuck-after 10s and statement_timeout 6s: %v (%v), stderr:\n%s\nwant exit status 1 and %q", err, ctx.Err(), stderr.String(), want)
	}
	// Half issues, half their forms of 8 KiB: a COPY of 2 MiB, which A
	// is caught sending (or a batch of reads), stopped when PostgreSQL
	// waits on it. A desk's certificate may push 40,000 events in a row
	// (-push-events): 80 tries.
	forms := func(try int) wire.PushRequest {
		p := f.batch(1000*(try+1), wire.MaxBatch/2)
		for i, ev := range p.Events {
			p.Events = append(p.Events, storetest.FormArchived(ev, fmt.Sprintf("f%d-%d", try, i), storetest.PDF(8<<10)))
		}
		return p
	}
	// A's push goes as a desk's does, given up without an answer: after
	// frozenStuckAfter, where cmd/sportello's http.Client gives up after
	// 30 s, which would be most of the test's time; its time-out is the
	// same error (client.Classify).
	desk := &http.Client{Timeout: frozenStuckAfter, Transport: f.sede.Transport}
	p := f.catch(t, 80, desk, forms, holder.inStatement, holder.inStatement)
	t.Logf("A stopped inside a push: %v", p.session)
	held := f.events(t)

	// Each push through B waits lock_timeout (5 s) for the lock and is
	// answered busy, until B has ended A's session.
	one := f.batch(1, 1)
	for tries := 1; ; tries++ {
		got := pushTo(f.sede, f.b.url, one)
		if got.status == http.StatusOK {
			if len(got.results) != 1 || got.results[0].Verdict != wire.Accepted {
				t.Fatalf("push through B once the lock was freed: %v", got)
			}
			t.Logf("push through B went at try %d", tries)
			break
		}
		busy(t, got)
		if h := f.lock(t); tries == 30 {
			t.Fatalf("push through B still busy after %d tries: S1's lock held by %v (A's session %d)", tries, h, p.session.pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// B logs the session once PostgreSQL has ended it and freed the
	// lock (EndStuckSessions waits for its end): maybe after B's push.
	ended := regexp.MustCompile(fmt.Sprintf("stuck inside a statement, holding a lock of the store: [^\n]* pid=%d [^\n]* stuck_for=([0-9.]+)s\n", p.session.pid))
	m := f.b.logs.Await(t, ended, fmt.Sprintf("B's line of A's session %d, stuck, ended", p.session.pid))
	// B took the setting, and waited it on PostgreSQL's clock.
	if want := fmt.Sprintf(`msg="sessions stuck inside a statement are ended" pg_stuck_after=%s statement_timeout=%s`, frozenStuckAfter, frozenStatementTimeout); !strings.Contains(f.b.String(), want) {
		t.Errorf("B's log does not say %s:\n%s", want, f.b.String())
	}
	if secs, err := strconv.ParseFloat(m[1], 64); err != nil || secs < frozenStuckAfter.Seconds() {
		t.Errorf("B ended A's session at stuck_for=%ss; want %s or more", m[1], frozenStuckAfter)
	}
	// B counts it, on its management listener, before it logs it.
	_, rest, _ := strings.Cut(f.b.String(), `msg="management listening" addr=`)
	manage, _, _ := strings.Cut(rest, " ")
	resp, err := http.Get("http://" + manage + "/metrics")
	if err != nil {
		t.Fatalf("B's metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "\npinsede_store_stuck_sessions_ended_total 1\n") {
		t.Errorf("B's metrics count no stuck session ended:\n%s", body)
	}
	// A stays stopped past the desk's time-out, which the desk sees,
	// and pushes the batch again later (Classify: FaultTimeout, the
	// outbox kept). A desk's own, 30 s, is its server's WriteTimeout
	// (30 s from its headers): A, resumed past it, could not answer
	// anyway, and Go's TLS server, its answer's record refused by the
	// write deadline, sends its close_notify under the next record
	// number, which the client cannot authenticate: a client waiting
	// longer saw "local error: tls: bad record MAC" (Classify:
	// FaultUnreachable), as any handler of Go's answering 0.5 s past a
	// WriteTimeout of 1 s does. Resumed sooner, A runs the push again
	// on a fresh connection, or gives it up with its request, whose
	// client is gone: each of its events is stored once either way.
	frozen := <-p.answered
	if fault, _ := client.Classify(frozen.err); fault != client.FaultTimeout {
		t.Fatalf("the desk's push through A, stopped: %v (fault %v); want the desk's time-out", frozen, fault)
	}
	f.a.cmd.Process.Signal(syscall.SIGCONT)
	f.storedOnce(t, p, frozen, held)
}

// verdicts counts the verdicts of a push's results.
func verdicts(res []wire.Result) map[wire.Verdict]int {
	n := map[wire.Verdict]int{}
	for _, r := range res {
		n[r.Verdict]++
	}
	return n
}
