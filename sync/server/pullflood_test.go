package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// pullAnswer is what a pull got.
type pullAnswer struct {
	status     int
	retryAfter string
	problem    wire.Problem
	err        error
}

// pullAll sends GET /v1/changes?after=0&include=sede.event with c, and
// records a refusal for TestOpenAPI; safe from any goroutine.
func pullAll(c *http.Client, url string) pullAnswer {
	resp, err := c.Get(url + "/v1/changes?after=0&include=sede.event")
	if err != nil {
		return pullAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK { // the pages are checked by other tests, and weigh on TestPullFloodMemory's heap
		seenMu.Lock()
		seen = append(seen, exchange{"GET", "/v1/changes", resp.StatusCode, resp.Header.Get("Content-Type"), b})
		seenMu.Unlock()
	}
	a := pullAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), err: err}
	if err == nil && resp.StatusCode != http.StatusOK {
		a.err = json.Unmarshal(b, &a.problem)
	}
	return a
}

// Ensure that on PostgreSQL a flood of pulls cannot keep the portal's
// logins from the store's connections (the reviewer's probe: 1,500 pulls
// of one desk certificate, and 4 logins in 50 went unanswered for 20 s).
// The pulls are held in PostgreSQL, each on the connection it took, by a
// lock on the changes table; logins are sent once the flood is seen held
// there, and each must be answered, while the lock still holds the
// pulls. Then every pull past a certificate's share is answered 429 with
// Retry-After, the others 200 once the lock is gone: none 500, none
// left without an answer. And a pull whose client goes away while
// PostgreSQL holds it is logged as that, at debug level, never as an
// error for the operator.
func TestPullFloodLeavesLogins(t *testing.T) {
	s, dsn := pgStore(t)
	env := testenv.New(t, s)
	logs := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h := storetest.Hash(t, floodPIN)
	var evs []pinsede.Event
	for i := range 50 {
		evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h))
	}
	if _, err := s.Apply(t.Context(), "ROMA01", evs, storetest.T0); err != nil {
		t.Fatal(err)
	}

	// Four desks of the sede, 25 pulls each, released together.
	const desks, each = 4, 25
	var clients []*http.Client
	for d := range desks {
		cfg, _ := env.DeskTLS(t, "ROMA01", fmt.Sprintf("%02d", d+1))
		clients = append(clients, &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}})
	}
	// A pull first, which wipes the tickets of past days, once a day.
	if a := pullAll(clients[0], env.URL); a.status != http.StatusOK {
		t.Fatalf("first pull: %d %+v (%v)", a.status, a.problem, a.err)
	}
	lock, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(t.Context())
	tx, err := lock.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), "LOCK TABLE changes IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	answers := make([]pullAnswer, desks*each)
	flooded := make(chan struct{})
	go func() {
		defer close(flooded)
		storetest.Together(len(answers), func(i int) { answers[i] = pullAll(clients[i%desks], env.URL) })
	}()
	// The flood is held in PostgreSQL: pulls wait there for the lock,
	// each on a connection of centrale's pool.
	for held := 0; held < 2; {
		select {
		case <-flooded:
			t.Fatal("the pulls were answered while the changes table was locked")
		default:
		}
		if err := lock.QueryRow(t.Context(), "SELECT count(*) FROM pg_locks WHERE relation = 'changes'::regclass AND NOT granted").Scan(&held); err != nil {
			t.Fatal(err)
		}
	}

	// Logins of codici fiscali with a PIN, the right one, and of none:
	// each answered 200 with an outcome, within the server's own wait.
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	portal.Timeout = 30 * time.Second
	cfs := []pinsede.CodiceFiscale{storetest.CF(1), storetest.CF(2), storetest.CF(3), storetest.CF(900), storetest.CF(901)}
	logins := make([]answer, len(cfs))
	storetest.Together(len(cfs), func(i int) { logins[i] = verifyAs(portal, env.URL, cfs[i]) })
	for i, a := range logins {
		if a.err != nil || a.status != http.StatusOK {
			t.Errorf("login %d (%s) behind the pulls: %d %+v (%v)", i, cfs[i], a.status, a.problem, a.err)
		}
	}

	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	<-flooded
	got := map[int]int{}
	for i, a := range answers {
		got[a.status]++
		switch {
		case a.err != nil:
			t.Errorf("pull %d: %d (%v)", i, a.status, a.err)
		case a.status == http.StatusOK:
		case a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable:
			if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 || a.problem.Detail == "" {
				t.Errorf("pull %d: %d with Retry-After %q, %+v", i, a.status, a.retryAfter, a.problem)
			}
		default:
			t.Errorf("pull %d: %d %+v", i, a.status, a.problem)
		}
	}
	share := env.Server.PullLimits().PerCert
	if got[http.StatusOK] > desks*share || got[http.StatusTooManyRequests] < desks*(each-share) {
		t.Errorf("pulls of %d desks, %d each, released together: %v by status; want at most %d answered 200 (%d a certificate in hand), the rest 429",
			desks, each, got, desks*share, share)
	}
	t.Logf("pulls by status: %v", got)

	// A pull whose desk goes away while the store reads it is no
	// failure of centrale's: logged at debug level, never an ERROR (the
	// reviewer's flood logged each as "status=500 context canceled").
	tx, err = lock.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), "LOCK TABLE changes IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	gone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+"/v1/changes?after=0", nil)
		resp, err := clients[0].Do(req)
		if err == nil {
			resp.Body.Close()
		}
		gone <- err
	}()
	for held := 0; held < 1; {
		if err := lock.QueryRow(t.Context(), "SELECT count(*) FROM pg_locks WHERE relation = 'changes'::regclass AND NOT granted").Scan(&held); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the pull given up: %v", err)
	}
	for l := ""; !strings.Contains(l, `msg="client gone before the answer"`) && !strings.Contains(l, `msg="request failed"`); l = logs.String() {
		runtime.Gosched() // the handler's line on the pull given up
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client gone, or the flood, logged an error:\n%s", logs.String())
	}
}

// heapPeak samples the bytes of the heap's objects (runtime/metrics)
// until done is closed, and returns the most it saw.
func heapPeak(done <-chan struct{}) uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	for {
		metrics.Read(s)
		peak = max(peak, s[0].Value.Uint64())
		select {
		case <-done:
			return peak
		default:
			runtime.Gosched()
		}
	}
}

// Ensure that a flood of pulls of full pages (1,000 changes, about
// 658 KB of JSON each) from four desk certificates, released together on
// bbolt, is answered within the pulls' memory: at most each
// certificate's share is read at once, every pull past it is answered
// 429 with Retry-After, none fails, and the heap grows by less than
// three times the default budget of the pulls read at once (the clients
// are in the process too). Unbounded, 1,500 such pulls grew centrale by
// 2 GB.
func TestPullFloodMemory(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	env := testenv.New(t, s)
	h := storetest.Hash(t, floodPIN)
	for b := range 3 {
		var evs []pinsede.Event
		for i := b * wire.MaxChanges; i < (b+1)*wire.MaxChanges; i++ {
			evs = append(evs, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h))
		}
		if _, err := s.Apply(t.Context(), "ROMA01", evs, storetest.T0); err != nil {
			t.Fatal(err)
		}
	}
	const desks, each = 4, 50
	var clients []*http.Client
	for d := range desks {
		cfg, _ := env.DeskTLS(t, "ROMA01", fmt.Sprintf("%02d", d+1))
		clients = append(clients, &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}})
	}
	if a := pullAll(clients[0], env.URL); a.status != http.StatusOK {
		t.Fatalf("first pull: %d %+v (%v)", a.status, a.problem, a.err)
	}
	runtime.GC()
	base := heapPeak(closed)
	answers := make([]pullAnswer, desks*each)
	done := make(chan struct{})
	peak := make(chan uint64, 1)
	go func() { peak <- heapPeak(done) }()
	storetest.Together(len(answers), func(i int) { answers[i] = pullAll(clients[i%desks], env.URL) })
	close(done)
	grew := int64(<-peak) - int64(base)
	got := map[int]int{}
	for i, a := range answers {
		got[a.status]++
		if a.err != nil || a.status != http.StatusOK && a.status != http.StatusTooManyRequests && a.status != http.StatusServiceUnavailable {
			t.Errorf("pull %d: %d %+v (%v)", i, a.status, a.problem, a.err)
		}
	}
	t.Logf("%d pulls of full pages at once: %v by status, the heap grew %.1f MiB", len(answers), got, float64(grew)/(1<<20))
	if got[http.StatusTooManyRequests] == 0 {
		t.Errorf("no pull of %d of one certificate at once was answered 429", each)
	}
	// The pulls' budget, as much for the test's own clients reading
	// their pages in the same process, and as much for the garbage of
	// both between two collections: 31 to 41 MiB in runs; 320 MiB
	// unbounded.
	if budget := int64(3 * server.DefaultPullMemory); grew > budget {
		t.Errorf("the heap grew %.1f MiB answering the flood, more than %d MiB: three times the pulls' budget", float64(grew)/(1<<20), budget>>20)
	}
}

// closed is a closed channel: heapPeak reads once.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()
