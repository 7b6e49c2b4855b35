package client_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
)

// proxy is a TCP proxy on loopback in front of centrale that can be down,
// and that spoils a share of the connections: dropped at once, delayed, or
// cut after a random time (in the handshake, the request, or after
// centrale applied the push and before its answer arrives).
type proxy struct {
	ln      net.Listener
	target  string
	down    atomic.Bool
	rate    atomic.Uint64 // faults per 1000 connections
	conns   atomic.Int64  // connections accepted
	spoiled atomic.Int64
	mu      sync.Mutex
	open    map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, open: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.closeAll() })
	return p
}

// url is the proxy's base URL.
func (p *proxy) url() string { return "https://" + p.ln.Addr().String() }

// setDown takes centrale down (every connection closed at once) or back.
func (p *proxy) setDown(down bool) {
	p.down.Store(down)
	if down {
		p.closeAll()
	}
}

func (p *proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.open {
		c.Close()
	}
}

func (p *proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.open[c] = true
	} else {
		delete(p.open, c)
	}
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		go p.handle(c)
	}
}

func (p *proxy) handle(c net.Conn) {
	defer c.Close()
	if p.down.Load() {
		return
	}
	var cut time.Duration
	if r := rand.N(uint64(1000)); r < p.rate.Load() {
		p.spoiled.Add(1)
		switch r % 3 {
		case 0:
			return // dropped
		case 1:
			time.Sleep(time.Duration(20+rand.N(130)) * time.Millisecond) // delayed
		case 2:
			cut = time.Duration(1+rand.N(40)) * time.Millisecond // cut
		}
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	p.track(c, true)
	p.track(s, true)
	defer p.track(c, false)
	defer p.track(s, false)
	if cut > 0 {
		time.AfterFunc(cut, func() { c.Close(); s.Close() })
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(s, c); done <- struct{}{} }()
	go func() { io.Copy(c, s); done <- struct{}{} }()
	<-done
}

// dupTransport sends a share of the requests twice, and answers with the
// second answer: centrale sees replays.
type dupTransport struct {
	next http.RoundTripper
	rate uint64 // per 1000
	dups atomic.Int64
}

func (d *dupTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if rand.N(uint64(1000)) < d.rate && req.GetBody != nil {
		d.dups.Add(1)
		first := req.Clone(req.Context())
		first.Body, _ = req.GetBody()
		if resp, err := d.next.RoundTrip(first); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		req.Body, _ = req.GetBody()
	}
	return d.next.RoundTrip(req)
}

// awaitState returns the first state of states for which ok holds,
// failing t if none comes within a minute (the client hung), saying it
// waited for what and the last state it saw.
func awaitState(t *testing.T, states <-chan client.State, what string, ok func(client.State) bool) client.State {
	t.Helper()
	hung := time.After(time.Minute) // a net, not a window: a sync takes milliseconds
	var last client.State
	for {
		select {
		case last = <-states:
			if ok(last) {
				return last
			}
		case <-hung:
			t.Fatalf("the client was not %s within a minute (hung): %+v", what, last)
		}
	}
}

// faultyClient returns an HTTP client for sede through p, one connection
// per request, duplicating rate per 1000 of them.
func faultyClient(t *testing.T, env *testenv.Env, sede string, rate uint64) *http.Client {
	tr := &http.Transport{TLSClientConfig: env.TLS(t, pki.RoleSede, sede), DisableKeepAlives: true}
	return &http.Client{Timeout: 5 * time.Second, Transport: &dupTransport{next: tr, rate: rate}}
}

// waitDrained runs fn until the outboxes are empty or the time is up.
func waitDrained(t *testing.T, stores ...*local.Store) {
	t.Helper()
	hung := time.After(time.Minute) // a net: a drain takes milliseconds
	for {
		total := 0
		for _, s := range stores {
			n, err := s.OutboxLen()
			if err != nil {
				t.Fatal(err)
			}
			total += n
		}
		if total == 0 {
			return
		}
		select {
		case <-hung:
			t.Fatalf("%d events still pending after a minute: the sync hung", total)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Ensure that with 30% of requests dropped, delayed, cut or duplicated,
// and centrale down for a while, every event of three sedi reaches
// centrale exactly once and every outbox empties.
func TestChaos(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			p := newProxy(t, env.HTTP.Listener.Addr().String())
			p.rate.Store(200) // the proxy spoils 20%, the client duplicates 10%
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			const perSede = 150
			var locals []*local.Store
			var wg sync.WaitGroup
			for i, sede := range []string{"ROMA01", "MILA01", "NAPO01"} {
				ls, _, _ := newLocal(t)
				defer ls.Close()
				locals = append(locals, ls)
				enqueue(t, ls, sede, i*perSede, perSede)
				c := client.New(client.Config{
					URL: p.url(), HTTP: faultyClient(t, env, sede, 100), Sede: sede, Local: ls, Desk: deskOn(ls),
					Batch: 5, MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, PullEvery: 50 * time.Millisecond,
					Now: testclock.Now,
				})
				wg.Add(1)
				go func() { defer wg.Done(); c.Run(ctx) }()
			}
			time.Sleep(150 * time.Millisecond)
			p.setDown(true)
			time.Sleep(500 * time.Millisecond)
			p.setDown(false)
			waitDrained(t, locals...)
			cancel()
			wg.Wait()
			if n, err := env.Store.Events(context.Background()); err != nil || n != 3*perSede {
				t.Errorf("centrale holds %d events (%v), want %d", n, err, 3*perSede)
			}
			for _, ls := range locals {
				if na, _ := deskOn(ls).NotAcceptedEvents(); len(na) != 0 {
					t.Errorf("events not accepted: %+v", na)
				}
			}
			t.Logf("%d connections, %d spoiled by the proxy", p.conns.Load(), p.spoiled.Load())
		})
	}
}

// Ensure that while centrale is down the client backs off (no busy loop:
// after a failed sync it plans its next attempt its back-off away, on its
// clock), shows offline since when and the pending count, and drains when
// centrale is back and the desk notifies.
func TestOutage(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	p := newProxy(t, env.HTTP.Listener.Addr().String())
	p.setDown(true)
	ls, _, _ := newLocal(t)
	defer ls.Close()
	enqueue(t, ls, "ROMA01", 0, 5)
	c := client.New(client.Config{
		URL: p.url(), HTTP: faultyClient(t, env, "ROMA01", 0), Sede: "ROMA01", Local: ls, Desk: deskOn(ls),
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 400 * time.Millisecond, PressEvery: 24 * time.Hour, PullEvery: time.Hour,
		Now: testclock.Now,
	})
	states, stop := c.Subscribe()
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	s := awaitState(t, states, "offline", func(s client.State) bool { return s.Status == client.Offline })
	if s.Pending != 5 || s.LastError == "" || s.OfflineSince.IsZero() {
		t.Errorf("while down: %+v", s)
	}
	// The press a clerk would make tells when the client tries again by
	// itself (the back-off, sooner than the next press allowed, a day
	// on): from half the first back-off to the longest, on its clock.
	now := testclock.Now()
	hung := time.After(time.Minute)
	for {
		until, held := c.SyncNow()
		if wait := until.Sub(now); !held && wait < 24*time.Hour {
			if wait < 25*time.Millisecond || wait > 400*time.Millisecond {
				t.Errorf("next attempt %v after a failed sync, want 25 to 400 ms (the back-off)", wait)
			}
			break
		}
		select { // a failed sync is told before its back-off is set
		case <-hung:
			t.Fatal("no back-off planned a minute after the failed sync: the client hung")
		case <-time.After(time.Millisecond):
		}
	}
	p.setDown(false)
	c.Notify()
	waitDrained(t, ls)
	s = awaitState(t, states, "online", func(s client.State) bool { return s.Status == client.Online })
	if !s.OfflineSince.IsZero() || s.LastError != "" {
		t.Errorf("back online: %+v", s)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if n, _ := env.Store.Events(ctx); n != 5 {
		t.Errorf("centrale holds %d events, want 5", n)
	}
}
