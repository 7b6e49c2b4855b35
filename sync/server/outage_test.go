package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// outageHost relays connections to a PostgreSQL on loopback, but while
// cut it accepts them and never answers, as a database host gone
// without closing its sockets does: TCP connects, the login waits. It
// counts the connects it holds so, telling the probes of pgstore
// (pgstore.ProbeApplicationName in their start-up message) from the
// others.
type outageHost struct {
	*pgtest.Relay
	held, probes atomic.Int64 // the requests' connects held, the probes'
	mu           sync.Mutex
	cut          bool
}

// newOutageHost starts an outageHost in front of the server at addr.
func newOutageHost(t *testing.T, addr string) *outageHost {
	h := &outageHost{}
	h.Relay = pgtest.NewRelay(t, addr, h.serve)
	return h
}

// serve relays c to the server through r, or, cut, holds it.
func (h *outageHost) serve(r *pgtest.Relay, c net.Conn) {
	h.mu.Lock()
	cut := h.cut
	h.mu.Unlock()
	if cut {
		h.hold(c)
		return
	}
	s, err := r.Dial()
	if err != nil {
		c.Close()
		return
	}
	pgtest.Pipe(c, s)
}

// hold reads the start-up message of c, counts it, and answers nothing.
func (h *outageHost) hold(c net.Conn) {
	var n [4]byte
	if _, err := io.ReadFull(c, n[:]); err != nil {
		return
	}
	msg := make([]byte, max(int(binary.BigEndian.Uint32(n[:]))-4, 0))
	if _, err := io.ReadFull(c, msg); err != nil {
		return
	}
	if bytes.Contains(msg, []byte(pgstore.ProbeApplicationName)) {
		h.probes.Add(1)
	} else {
		h.held.Add(1)
	}
}

// setCut cuts the host off, or puts it back, closing the connections it
// has, relayed until the cut or held since.
func (h *outageHost) setCut(cut bool) {
	h.mu.Lock()
	h.cut = cut
	h.mu.Unlock()
	h.CloseAll()
}

// centraleBehind opens a PostgreSQL store through the relay that relay
// starts in front of the test's PostgreSQL at pg (it returns the relay's
// address), and serves centrale on it, with the requests' deadline of
// production and its log in the buffer it returns.
func centraleBehind(t *testing.T, relay func(pg string) string) (*pgstore.Store, *testenv.Env, *testlog.Buffer) {
	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = relay(u.Host)
	store, err := pgstore.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := testenv.New(t, store)
	env.Server.RequestTimeout = server.DefaultRequestTimeout
	logw := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewTextHandler(logw, nil)))
	return store, env, logw
}

// Ensure that while centrale's database host is gone without closing
// its sockets, 64 requests at once (32 pushes, 32 PIN checks) are each
// answered 503 store-down with Retry-After 5, none "ran out of time":
// once a connect has found the host gone no request connects again,
// only one probe at a time; the outage is logged once, as a warning;
// and once the host is back the pushes sent again are applied, each
// once. Before, the pool's connects went on, 4 at a time (its
// connections), 5 s a wave: of the 64, 20 were answered store-down, 20
// 503 busy at their 28 s deadline and 24 PIN checks 503 overloaded,
// queued behind the connects for longer than their 2 s, after 24
// connects.
func TestStoreOutageAnsweredAtOnce(t *testing.T) {
	var host *outageHost
	store, env, logw := centraleBehind(t, func(pg string) string {
		host = newOutageHost(t, pg)
		return host.Addr()
	})
	env.Server.SetPushLimits(server.PushLimits{Slots: 64, PerCert: 64})
	vl := testenv.VerifyLimits
	vl.Queue = 64
	env.Server.SetVerifyLimits(vl)
	sede, portal := env.Client(t, pki.RoleSede, "S1"), env.Client(t, pki.RolePortal, "PORTALE1")
	sede.Timeout, portal.Timeout = 0, 0 // the server's deadline answers
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	if a := pushIssue(t, sede, env.URL, h, 0); a.status != http.StatusOK {
		t.Fatalf("push before the host went: %+v", a)
	}

	host.setCut(true)
	store.Pool().Reset()
	down := reply{http.StatusServiceUnavailable, "5", wire.ProblemStoreDown}
	if a := pushIssue(t, sede, env.URL, h, 0); a != down {
		t.Fatalf("push that finds the host gone: %+v, want %+v", a, down)
	}
	found := host.held.Load()
	if found != 1 {
		t.Errorf("the push that found the host gone connected %d times, want once", found)
	}
	const n = 64
	replies := make([]reply, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				cf := storetest.CF(1 + i/2).String()
				replies[i], errs[i] = tryAsk(sede, env.URL+"/v1/events", wire.PushRequest{Sede: "S1", AuditHead: &wire.AuditHead{},
					Events: []pinsede.Event{storetest.Issued("S1", storetest.CF(1+i/2), "e"+cf, "c"+cf, h)}})
			} else {
				replies[i], errs[i] = tryAsk(portal, env.URL+"/v1/pin/verify",
					wire.VerifyRequest{CodiceFiscale: storetest.CF(0).String(), PIN: "ACEFHJKMNPRTUVWX"})
			}
		})
	}
	close(start)
	wg.Wait()
	got := map[reply]int{}
	for i, a := range replies {
		if errs[i] != nil {
			t.Errorf("request %d: %v", i, errs[i])
		}
		got[a]++
	}
	if got[down] != n {
		t.Errorf("%d requests at once with the database host gone: %v answered, want all %v", n, got, down)
	}
	if held := host.held.Load(); held != found {
		t.Errorf("the requests connected %d times to the host gone, want %d: the push that found it gone alone (the probes %d)", held, found, host.probes.Load())
	}
	logs := logw.String()
	if c := strings.Count(logs, `msg="central store unavailable`); c != 1 {
		t.Errorf("log: %d warnings of the store unavailable, want 1:\n%s", c, logs)
	}
	if why := "PostgreSQL at " + host.Addr() + " did not answer within 5s"; !strings.Contains(logs, why) || strings.Contains(logs, "failed to connect") {
		t.Errorf("log: the warning does not say %q on one line, without pgx's text:\n%s", why, logs)
	}

	host.setCut(false)
	storetest.AwaitPing(t, store)
	for i := 0; i < n; i += 2 {
		if a := pushIssue(t, sede, env.URL, h, 1+i/2); a.status != http.StatusOK {
			t.Errorf("push %d sent again once the host is back: %+v", i, a)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), server.DefaultRequestTimeout)
	defer cancel()
	if c, err := store.Events(ctx); err != nil || c != 1+n/2 {
		t.Errorf("centrale holds %d events (%v), want %d: each push once", c, err, 1+n/2)
	}
	if c := strings.Count(logw.String(), `msg="central store answers again"`); c != 1 {
		t.Errorf("log: %d lines of the store back, want 1:\n%s", c, logw.String())
	}
}
