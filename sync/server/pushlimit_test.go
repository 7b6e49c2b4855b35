package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushed is what a push got.
type pushed struct {
	status     int
	retryAfter string
	problem    wire.Problem
	results    []wire.Result
	err        error
}

// pushBody posts body, read from r, to /v1/events with c.
func pushBody(c *http.Client, url string, r io.Reader) pushed {
	return pushBodyCtx(context.Background(), c, url, r)
}

// pushBodyCtx is pushBody with the request's context.
func pushBodyCtx(ctx context.Context, c *http.Client, url string, r io.Reader) pushed {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/events", r)
	if err != nil {
		return pushed{err: err}
	}
	req.Header.Set("Content-Type", wire.ContentJSON)
	resp, err := c.Do(req)
	if err != nil {
		return pushed{err: err}
	}
	defer resp.Body.Close()
	p := pushed{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.err = err
		return p
	}
	if p.status == http.StatusOK {
		var ok wire.PushResponse
		p.err = json.Unmarshal(b, &ok)
		p.results = ok.Results
	} else {
		p.err = json.Unmarshal(b, &p.problem)
	}
	return p
}

// Ensure that pushes released together beyond the slots and the queue are
// answered 503 with Retry-After before their bodies are read, storing
// nothing, while the ones in a slot or waiting are applied; and that the
// desks' resends then store every event once. The slot is held by a push
// whose body is still being sent: its handler has the slot and waits for
// the bytes.
func TestPushFlood(t *testing.T) {
	env := newEnv(t)
	l := server.PushLimits{Slots: 1, Queue: 2, Wait: time.Minute}
	env.Server.SetPushLimits(l)
	queued := make(chan struct{})
	env.Server.SetPushWaitHook(func(n int) {
		if n == l.Queue {
			close(queued)
		}
	})
	sedi := []string{"ROMA01", "MILANO1", "NAPOLI1", "TORINO1", "BARI01", "GENOVA1"}
	bodies := map[string][]byte{}
	clients := map[string]*http.Client{}
	for _, s := range sedi {
		bodies[s] = mustJSON(t, batch(t, s, 3))
		clients[s] = env.Client(t, pki.RoleSede, s)
	}

	admitted := make(chan struct{}, len(sedi))
	env.Server.SetPushHook(func(delta int) {
		if delta > 0 {
			admitted <- struct{}{}
		}
	})
	// The first push takes the slot and holds it: half its body sent.
	pr, pw := io.Pipe()
	held := make(chan pushed, 1)
	go func() { held <- pushBody(clients[sedi[0]], env.URL, pr) }()
	first := bodies[sedi[0]]
	if _, err := pw.Write(first[:len(first)/2]); err != nil {
		t.Fatal(err)
	}
	<-admitted
	// Two more wait; the rest, released together, find the queue full.
	answers := make(chan pushed, len(sedi))
	for _, s := range sedi[1 : 1+l.Queue] {
		go func() { answers <- pushBody(clients[s], env.URL, bytes.NewReader(bodies[s])) }()
	}
	<-queued
	refused := sedi[1+l.Queue:]
	start := make(chan struct{})
	for _, s := range refused {
		go func() {
			<-start
			answers <- pushBody(clients[s], env.URL, bytes.NewReader(bodies[s]))
		}()
	}
	close(start)
	for range refused {
		a := <-answers
		if a.status != http.StatusServiceUnavailable || a.problem.Type != "urn:pinsede:problem:busy" {
			t.Errorf("a push beyond the slot and the queue: %d %+v %v", a.status, a.problem, a.err)
		}
		if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 {
			t.Errorf("Retry-After %q, want whole seconds, at least 1", a.retryAfter)
		}
	}
	if n, _ := env.Store.Events(t.Context()); n != 0 {
		t.Errorf("%d events stored while the first push is still being sent, want 0", n)
	}

	// The first push's body ends: it is applied, then the two waiting.
	if _, err := pw.Write(first[len(first)/2:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	for _, a := range []pushed{<-held, <-answers, <-answers} {
		if a.status != http.StatusOK || len(a.results) != 3 || a.results[0].Verdict != wire.Accepted {
			t.Errorf("a push held or queued: %d %+v %+v %v", a.status, a.results, a.problem, a.err)
		}
	}
	// The refused desks send again at their next sync.
	for _, s := range refused {
		if a := pushBody(clients[s], env.URL, bytes.NewReader(bodies[s])); a.status != http.StatusOK || a.results[0].Verdict != wire.Accepted {
			t.Errorf("%s sending again: %d %+v %+v", s, a.status, a.results, a.problem)
		}
	}
	if n, _ := env.Store.Events(t.Context()); n != 3*len(sedi) {
		t.Errorf("%d events stored, want %d: each once", n, 3*len(sedi))
	}
}

// Ensure that the push limits' defaults follow the memory budget.
func TestPushLimitsDefaults(t *testing.T) {
	for _, c := range []struct {
		budget int64
		slots  int
	}{
		{0, server.DefaultPushMemory / (server.PushMemoryFactor * wire.MaxPushBytes)},
		{1, 1},
		{64 << 20, 4},
	} {
		l := server.PushLimits{MemoryBudget: c.budget}.WithDefaults()
		if l.Slots != c.slots || l.Queue != server.DefaultPushQueuePerSlot*c.slots || l.Wait != server.DefaultPushWait ||
			l.PerCert != max(c.slots/server.DefaultPushCertShare, 1) {
			t.Errorf("budget %d: %+v, want %d slots", c.budget, l, c.slots)
		}
	}
}

// Ensure that one certificate cannot take every push slot and the queue
// with pushes whose bodies never end (sent a byte at a time, each holds
// its slot until the request's ReadTimeout, 30 s, and then comes again):
// past its share of the slots (PushLimits.PerCert, a quarter by default)
// its pushes are answered 503 at once, and another sede's push is taken
// in. Before the share, the 4 slots and the 8 places of the queue all
// went to one desk's certificate and every other sede was answered 503.
func TestPushPerCertificate(t *testing.T) {
	env := newEnv(t)
	l := server.PushLimits{Slots: 4, Queue: 8, Wait: time.Minute}
	env.Server.SetPushLimits(l)
	// Each of the flood's pushes settles one way: it takes a slot, it
	// waits for one, or it is answered.
	settled := make(chan struct{}, 64)
	env.Server.SetPushHook(func(delta int) {
		if delta > 0 {
			settled <- struct{}{}
		}
	})
	env.Server.SetPushWaitHook(func(int) { settled <- struct{}{} })
	flooder := env.Client(t, pki.RoleSede, "ROMA01")
	const flood = 12
	answers := make(chan pushed, flood)
	var pipes []*io.PipeWriter
	for range flood {
		pr, pw := io.Pipe()
		pipes = append(pipes, pw)
		go func() {
			// Answered before its body ends: the client returns the
			// answer only once the body is closed, but reads its first
			// byte at once.
			trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { settled <- struct{}{} }}
			answers <- pushBodyCtx(httptrace.WithClientTrace(t.Context(), trace), flooder, env.URL, pr)
		}()
		go pw.Write([]byte(`{"sede":"ROMA01","events":[`)) // the headers and a first chunk, then nothing
	}
	for range flood {
		<-settled
	}
	other := pushBody(env.Client(t, pki.RoleSede, "MILANO1"), env.URL, bytes.NewReader(mustJSON(t, batch(t, "MILANO1", 3))))
	for _, pw := range pipes {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	if other.status != http.StatusOK || len(other.results) != 3 || other.results[0].Verdict != wire.Accepted {
		t.Errorf("another sede's push while one certificate floods: %d %+v %v, want its events accepted", other.status, other.problem, other.err)
	}
	refused := 0
	for range flood {
		a := <-answers
		if a.status == http.StatusServiceUnavailable && a.problem.Type == wire.ProblemBusy {
			refused++
			if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 || !strings.Contains(a.problem.Detail, "this certificate") {
				t.Errorf("a push past the certificate's share: Retry-After %q, %q", a.retryAfter, a.problem.Detail)
			}
		}
	}
	if want := flood - l.WithDefaults().PerCert; refused != want {
		t.Errorf("%d of the flood's %d pushes refused at once, want %d: all but the certificate's share", refused, flood, want)
	}
}

// Ensure that an audit search takes a push slot as a push does: a desk
// certificate with its share of requests in hand is answered 503 at once
// for one more search, naming it and what to do, and so is any search
// while the slots are taken and the queue full; a search with a slot free
// is answered. Before, searches took no slot: 128 at once from one desk
// certificate (a stolen PC) took about 170 MiB of centrale's heap for
// 14 s, and another sede's GET /v1/policy waited up to 9 s for the cores.
func TestAuditSearchSlots(t *testing.T) {
	env := newEnv(t)
	// A search finding both slots taken waits a nanosecond: no more.
	env.Server.SetPushLimits(server.PushLimits{Slots: 2, Wait: time.Nanosecond, PerCert: 1})
	admitted := make(chan struct{}, 4)
	env.Server.SetPushHook(func(delta int) {
		if delta > 0 {
			admitted <- struct{}{}
		}
	})
	// hold pushes half a batch of sede with c: its handler holds a slot
	// until the rest is written and the pipe closed.
	hold := func(c *http.Client, sede string) (finish func() pushed) {
		t.Helper()
		body := mustJSON(t, batch(t, sede, 2))
		pr, pw := io.Pipe()
		done := make(chan pushed, 1)
		go func() { done <- pushBody(c, env.URL, pr) }()
		if _, err := pw.Write(body[:len(body)/2]); err != nil {
			t.Fatal(err)
		}
		<-admitted
		return func() pushed {
			pw.Write(body[len(body)/2:])
			pw.Close()
			return <-done
		}
	}
	search := func(c *http.Client) (int, wire.Problem) {
		t.Helper()
		f := pinsede.AuditFilter{From: pinsede.DateOf(storetest.T0), To: pinsede.DateOf(storetest.T0)}
		st, b := do(t, c, "GET", env.URL+"/v1/audit/search?"+wire.AuditQuery(f, wire.AuditCursor{}), "", nil)
		var p wire.Problem
		if st != http.StatusOK {
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("search: %d %s", st, b)
			}
		}
		select { // the slot the search took, and gave back, before its answer
		case <-admitted:
		default:
		}
		return st, p
	}
	busy := func(who string, st int, p wire.Problem, detail string) {
		t.Helper()
		if st != http.StatusServiceUnavailable || p.Type != wire.ProblemBusy || !strings.Contains(p.Detail, detail) || !strings.Contains(p.Detail, "search again") {
			t.Errorf("%s: %d %+v, want 503 busy saying %q and what to do", who, st, p, detail)
		}
	}

	roma := env.Client(t, pki.RoleSede, "ROMA01")
	finishRoma := hold(roma, "ROMA01")
	st, p := search(roma)
	busy("a search of a certificate with its share in hand", st, p, "1 pushes and audit searches in hand already")
	if st, p := search(env.Client(t, pki.RoleSede, "MILANO1")); st != http.StatusOK {
		t.Errorf("a search with a slot free: %d %+v", st, p)
	}
	finishNapoli := hold(env.Client(t, pki.RoleSede, "NAPOLI1"), "NAPOLI1")
	st, p = search(env.Client(t, pki.RoleSede, "TORINO1"))
	busy("a search with the slots taken", st, p, "at most 2 pushes and audit searches at once")
	for sede, finish := range map[string]func() pushed{"ROMA01": finishRoma, "NAPOLI1": finishNapoli} {
		if a := finish(); a.status != http.StatusOK {
			t.Errorf("the push of %s that held a slot: %d %+v %v", sede, a.status, a.problem, a.err)
		}
	}
	if st, p := search(roma); st != http.StatusOK {
		t.Errorf("ROMA01's search once its push is done: %d %+v", st, p)
	}
}
