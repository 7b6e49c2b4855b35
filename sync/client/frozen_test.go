package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
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

// Ensure that a replica frozen inside a push (SIGSTOP: a VM paused, a
// host gone without closing its sockets), holding its sede's advisory
// lock, holds up that sede's pushes through a healthy replica only until
// PostgreSQL ends its session (idle_in_transaction_session_timeout): the
// healthy replica answers 503 busy with Retry-After once it has waited
// lock_timeout, and 200 once PostgreSQL has freed the lock; the frozen
// replica, resumed, finds its transaction rolled back, and each of its
// events is stored once, whether it answers the push refused or runs it
// again on a fresh connection. Before,
// the healthy replica answered 503 "could not answer in time" after 28
// s, its /v1/health ok, and the frozen replica's session kept the lock
// for as long as its host stayed gone (TCP's keepalive: 2 h).
func TestFrozenReplicaLockFreed(t *testing.T) {
	dsn := pgtest.DSN(t)
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
	sede := replicaClient(t, ca, pki.RoleSede, "S1")
	ctx := context.Background()
	watch, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	batch := func(first, n int) wire.PushRequest {
		p := wire.PushRequest{Sede: "S1", AuditHead: &wire.AuditHead{}}
		for i := first; i < first+n; i++ {
			p.Events = append(p.Events, storetest.Issued("S1", storetest.CF(i), fmt.Sprintf("e%d", i), fmt.Sprintf("c%d", i), h))
		}
		return p
	}
	// lock returns the session holding S1's audit lock (pgstore's
	// lockAudit, 7310), its state and what it waits on; 0 when none
	// holds it.
	lock := func() (pid int, state, wait string) {
		err := watch.QueryRow(ctx, `SELECT l.pid, coalesce(a.state, ''), coalesce(a.wait_event, '') FROM pg_locks l JOIN pg_stat_activity a USING (pid)
			WHERE l.locktype = 'advisory' AND l.classid = 7310 AND l.objid = hashtext('S1')::oid AND l.granted`).Scan(&pid, &state, &wait)
		if err != nil {
			return 0, "", ""
		}
		return pid, state, wait
	}
	events := func() int {
		var n int
		if err := watch.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Catch A stopped in a push's transaction: its session holds the
	// lock, idle in the transaction, waiting for A.
	var frozen pushAnswer
	var frozenBatch wire.PushRequest
	var answered chan pushAnswer
	stopped, backend := false, 0
	for try := 0; try < 20 && !stopped; try++ {
		first := 1000 * (try + 1)
		frozenBatch = batch(first, wire.MaxBatch)
		answered = make(chan pushAnswer, 1)
		go func(p wire.PushRequest) { answered <- pushTo(sede, a.url, p) }(frozenBatch)
	catch:
		for {
			select {
			case frozen = <-answered:
				break catch // through before it was caught
			default:
			}
			if backend, _, _ = lock(); backend == 0 {
				continue
			}
			a.cmd.Process.Signal(syscall.SIGSTOP)
			for {
				switch pid, state, wait := lock(); {
				case pid == backend && state == "idle in transaction":
					stopped = true
					break catch
				case pid != backend, // committed as it stopped
					// or stopped inside a statement (extended protocol:
					// its session reads the statement's next message, or
					// writes its results, from A), which no timeout of
					// PostgreSQL's ends: this loop spun 8 minutes on it.
					state == "active" && (wait == "ClientRead" || wait == "ClientWrite"):
					a.cmd.Process.Signal(syscall.SIGCONT)
					frozen = <-answered
					break catch
				}
			}
		}
	}
	if !stopped {
		t.Fatal("never caught replica A inside a push")
	}
	held := events()

	// B's push of S1 waits for the lock at most lock_timeout, then is
	// refused for now; once PostgreSQL has ended A's session, it goes.
	one := batch(1, 1)
	got := pushTo(sede, b.url, one)
	if got.status == http.StatusServiceUnavailable {
		if got.problem.Type != wire.ProblemBusy || got.retryAfter == "" || !strings.Contains(got.problem.Detail, "another request holds") {
			t.Fatalf("push through B behind frozen A: %v; want 200, or 503 busy with Retry-After for the lock held", got)
		}
		for pid, _, _ := lock(); pid == backend; pid, _, _ = lock() { // PostgreSQL ends A's session
		}
		got = pushTo(sede, b.url, one)
	}
	if got.status != http.StatusOK || len(got.results) != 1 || got.results[0].Verdict != wire.Accepted {
		t.Fatalf("push through B once PostgreSQL freed the lock: %v", got)
	}

	// A, resumed, finds its session ended and its transaction rolled
	// back, before its COMMIT went out: it answers the push refused, or
	// runs it again on a fresh connection (pgstore's retry) and answers
	// what that stored. Either way each event is stored once: sent again
	// through B, the batch is answered all duplicate if A answered 200,
	// all accepted if it did not.
	a.cmd.Process.Signal(syscall.SIGCONT)
	frozen = <-answered
	want := wire.Accepted
	if frozen.status == http.StatusOK {
		if v := verdicts(frozen.results); v[wire.Accepted] != len(frozenBatch.Events) {
			t.Fatalf("frozen A's push, run again once resumed: %v; want all accepted, its first transaction rolled back", v)
		}
		want = wire.Duplicate
	}
	t.Logf("frozen A's push, resumed: %v", frozen)
	again := pushTo(sede, b.url, frozenBatch)
	if v := verdicts(again.results); again.status != http.StatusOK || v[want] != len(frozenBatch.Events) {
		t.Fatalf("A's batch sent again through B: %v %v; want all %s", again, v, want)
	}
	if n := events(); n != held+1+len(frozenBatch.Events) {
		t.Errorf("events: %d, want %d: B's one and A's batch, each once", n, held+1+len(frozenBatch.Events))
	}
}

// verdicts counts the verdicts of a push's results.
func verdicts(res []wire.Result) map[wire.Verdict]int {
	n := map[wire.Verdict]int{}
	for _, r := range res {
		n[r.Verdict]++
	}
	return n
}
