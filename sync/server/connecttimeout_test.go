package server_test

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// goneHost relays connections to a PostgreSQL on loopback until goAway
// is called; from then on it accepts connections and never answers them,
// as a database host gone without closing its sockets does (a firewall
// dropping packets, a VM paused): TCP connects, and the login waits.
type goneHost struct {
	*pgtest.Relay
	// accepted receives each connection accepted once gone.
	accepted chan struct{}
	mu       sync.Mutex
	gone     bool
}

// newGoneHost starts a goneHost in front of the server at addr.
func newGoneHost(t *testing.T, addr string) *goneHost {
	h := &goneHost{accepted: make(chan struct{}, 100)}
	h.Relay = pgtest.NewRelay(t, addr, h.serve)
	return h
}

// serve relays c to the server through r, or holds it open, never read nor
// answered, once gone.
func (h *goneHost) serve(r *pgtest.Relay, c net.Conn) {
	h.mu.Lock()
	gone := h.gone
	h.mu.Unlock()
	if gone {
		h.accepted <- struct{}{}
		return
	}
	s, err := r.Dial()
	if err != nil {
		c.Close()
		return
	}
	pgtest.Pipe(c, s)
}

// goAway closes the connections relayed so far, and leaves every new one
// unanswered.
func (h *goneHost) goAway() {
	h.mu.Lock()
	h.gone = true
	h.mu.Unlock()
	h.CloseAll()
}

// Ensure that a push while the database host is gone without closing
// its connections (its connects accepted and never answered) is
// answered 503 store-down with Retry-After 5 after one connect, given
// up at pgstore.ConnectTimeout, well inside the request's deadline
// (server.DefaultRequestTimeout, 28 s), and logged as the store
// unavailable. Before, the connect had no bound: the push waited its
// whole deadline and was answered 503 busy "ran out of time", and every
// request after it waited as long for a connection of the pool.
func TestStoreHostGoneAnsweredWithinConnectTimeout(t *testing.T) {
	var host *goneHost
	store, env, logw := centraleBehind(t, func(pg string) string { // outage_test.go
		host = newGoneHost(t, pg)
		return host.Addr()
	})
	sede := env.Client(t, pki.RoleSede, "S1")
	sede.Timeout = 0 // the server's deadline answers
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	push := func(i int) reply { return pushIssue(t, sede, env.URL, h, i) }
	if a := push(0); a.status != http.StatusOK {
		t.Fatalf("push before the host went: %+v", a)
	}

	host.goAway()
	store.Pool().Reset()
	a := push(1)
	if want := (reply{http.StatusServiceUnavailable, "5", wire.ProblemStoreDown}); a != want {
		t.Errorf("push with the database host gone: %+v, want %+v: the connect given up before the request's deadline", a, want)
	}
	// The push's connect, and perhaps the first of the store's probes
	// (TestStoreOutageAnsweredAtOnce tells them apart).
	if n := len(host.accepted); n < 1 || n > 2 {
		t.Errorf("the push connected %d times to the host gone, want once", n)
	}
	if logs := logw.String(); !strings.Contains(logs, `msg="central store unavailable`) {
		t.Errorf("log says nothing of the store unavailable:\n%s", logs)
	}
}
