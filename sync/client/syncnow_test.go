package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that Sincronizza ora does not get round the desk's own back-off
// while centrale fails with no Retry-After (500): with a back-off of
// 10 min, 20 presses released together 10 s after the failed sync ask
// none, each told when a press may go (30 s after the last attempt,
// PressEvery); 20 together 30 s after it ask one sync between them, and
// 20 more one by one none; 30 s later one press goes again. Before, every press asked a sync
// and each one alone made a request: 21 of them in seconds.
func TestSyncNowBackoff(t *testing.T) {
	var reqs atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"type":"internal","title":"Internal error","status":500}`))
	}))
	defer srv.Close()
	ls, _, _ := newLocal(t)
	t.Cleanup(func() { ls.Close() })
	enqueue(t, ls, "S1", 0, 3)
	t0 := testclock.Now()
	var now atomic.Int64
	now.Store(t0.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	c := client.New(client.Config{URL: srv.URL, HTTP: srv.Client(), Sede: "S1", Local: ls, Desk: pinsede.NewDesk(ls, nil, clock), Now: clock,
		MinBackoff: 10 * time.Minute, MaxBackoff: 10 * time.Minute, PullEvery: 10 * time.Minute})
	states, stop := c.Subscribe()
	defer stop()
	<-states // the state at once
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	defer func() { cancel(); <-done }()
	synced := func(what string) {
		t.Helper()
		select {
		case s := <-states:
			if s.Status != client.Offline {
				t.Fatalf("%s: state %v, want offline", what, s.Status)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%s: no sync ended", what)
		}
	}
	synced("first sync")
	first := reqs.Load()
	if first == 0 {
		t.Fatal("the first sync made no request")
	}
	again := t0.Add(30 * time.Second)
	presses := func(what string, want int64, until time.Time) {
		t.Helper()
		var asked atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if got, held := c.SyncNow(); got.IsZero() {
					asked.Add(1)
				} else if held || !got.Equal(until) {
					t.Errorf("%s: a press refused until %v, held by centrale %t; want %v, by the back-off", what, got, held, until)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := asked.Load(); n != want {
			t.Fatalf("%s: 20 presses together asked %d syncs, want %d", what, n, want)
		}
	}
	now.Store(t0.Add(10 * time.Second).UnixNano())
	presses("10 s after the failed sync", 0, again)
	now.Store(again.UnixNano())
	presses("30 s after it", 1, again.Add(30*time.Second))
	synced("the sync asked")
	for i := range 20 {
		if until, held := c.SyncNow(); until.IsZero() {
			synced("a press one by one")
		} else if held || !until.Equal(again.Add(30*time.Second)) {
			t.Errorf("press %d one by one: until %v, held by centrale %t; want %v, by the back-off", i, until, held, again.Add(30*time.Second))
		}
	}
	if n := reqs.Load(); n != 2*first {
		t.Errorf("%d requests at centrale after 60 presses within 30 s of an attempt, want %d: the first sync's and the one asked's", n, 2*first)
	}

	now.Store(again.Add(30 * time.Second).UnixNano())
	if until, _ := c.SyncNow(); !until.IsZero() {
		t.Errorf("a press 30 s after the last attempt: refused until %v, want a sync asked", until)
	}
	synced("the sync asked 30 s later")
	if n := reqs.Load(); n != 3*first {
		t.Errorf("%d requests at centrale, want %d", n, 3*first)
	}
}
