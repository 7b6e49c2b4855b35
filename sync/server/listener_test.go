package server_test

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// listenerMetrics returns metrics on a registry of their own, and the
// management handler that serves them.
func listenerMetrics(t *testing.T) (*server.Metrics, http.Handler) {
	t.Helper()
	srv := server.New(newEnv(t).Store, nil, nil, nil, testclock.Now)
	reg := prometheus.NewRegistry()
	m, err := server.NewMetrics(reg, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, srv.ManageHandler(server.Manage{Gatherer: reg})
}

// listen returns a Listener of c on a loopback port, with metrics of
// its own, and the management handler that serves them; it is closed
// when the test ends.
func listen(t *testing.T, c server.ListenerConfig) (*server.Listener, http.Handler) {
	t.Helper()
	var manage http.Handler
	c.Metrics, manage = listenerMetrics(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := server.NewListener(inner, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, manage
}

// dialFrom opens a TCP connection to addr from the loopback address
// from (127.0.0.2 and the like: other sources).
func dialFrom(t testing.TB, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByPeer reads from c until the other end closes it, and fails
// the test if it sends anything or has not closed it within a minute
// (a safety net: the close is what the test waits for).
func closedByPeer(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	switch {
	case n > 0:
		t.Errorf("%s: read %d bytes, want the connection closed", c.LocalAddr(), n)
	case errors.As(err, &ne) && ne.Timeout():
		t.Errorf("%s: not closed by the listener within a minute", c.LocalAddr())
	case !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET):
		t.Errorf("%s: %v, want EOF or a reset", c.LocalAddr(), err)
	}
}

// refusedDial dials addr from the address from, and fails the test
// unless the listener closes the connection at once: the dial itself may
// see the reset.
func refusedDial(t *testing.T, from, addr string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if errors.Is(err, syscall.ECONNRESET) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closedByPeer(t, c)
}

// Ensure that a Listener keeps at most PerSource connections from one
// address and Max in all, closes the others at their accept (the client
// reads EOF or a reset), counts them by bound, gives a place back when a
// connection closes, and logs the refusals at most once every 10
// seconds of its clock.
func TestListenerBounds(t *testing.T) {
	var now atomic.Pointer[time.Time]
	t0 := testclock.Now()
	now.Store(&t0)
	logs := &testlog.Buffer{}
	l, manage := listen(t, server.ListenerConfig{Name: "api", Limits: server.ConnLimits{Max: 6, PerSource: 3},
		Log: slog.New(slog.NewTextHandler(logs, nil)), Now: func() time.Time { return *now.Load() }})
	addr := l.Addr().String()
	accept := func(from string) net.Conn {
		t.Helper()
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if host, _, _ := net.SplitHostPort(c.RemoteAddr().String()); host != from {
			t.Fatalf("accepted a connection from %s, want %s", host, from)
		}
		return c
	}

	// 5 from one address: 3 kept, 2 closed at once.
	var clients []net.Conn
	for range 5 {
		clients = append(clients, dialFrom(t, "127.0.0.2", addr))
	}
	var kept []net.Conn
	for range 3 {
		kept = append(kept, accept("127.0.0.2"))
	}
	closedByPeer(t, clients[3])
	closedByPeer(t, clients[4])
	// 3 more from another address fill the 6; a third address finds
	// them taken.
	for range 3 {
		dialFrom(t, "127.0.0.3", addr)
		accept("127.0.0.3")
	}
	refusedDial(t, "127.0.0.4", addr)
	// A connection closed gives its place back to its address.
	kept[0].Close()
	dialFrom(t, "127.0.0.2", addr)
	accept("127.0.0.2")

	// The clock has not moved: one line for the 3 refusals. 10 seconds
	// later, the next refusal logs one more, with the count since.
	if n := strings.Count(logs.String(), `msg="connections refused"`); n != 1 {
		t.Errorf("%d log lines for 3 refusals, want 1:\n%s", n, logs.String())
	}
	t1 := t0.Add(10 * time.Second)
	now.Store(&t1)
	refusedDial(t, "127.0.0.5", addr)
	if !strings.Contains(logs.String(), `refused=3 bound=total source=127.0.0.5/32 open=6 max=6 per_source=3`) {
		t.Errorf("the second line does not say the refusals since the first:\n%s", logs.String())
	}
	_, text := scrape(t, manage, "/metrics")
	got := series(t, text)
	for name, want := range map[string]float64{
		`pinsede_connections_refused_total{bound="per_source",listener="api"}`: 2,
		`pinsede_connections_refused_total{bound="total",listener="api"}`:      2,
		`pinsede_connections_open{listener="api"}`:                             6,
		`pinsede_connections_max{listener="api"}`:                              6,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
}

// clientHello returns the first record a TLS client sends: its
// ClientHello.
func clientHello(t testing.TB) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go tls.Client(a, &tls.Config{ServerName: "127.0.0.1"}).Handshake()
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(b, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(b, body); err != nil {
		t.Fatal(err)
	}
	return append(hdr, body...)
}

// dribble sends c a ClientHello a byte every 10 ms, all of it but its
// last byte, until the test ends or the other end closes c.
func dribble(t testing.TB, c net.Conn) {
	hello := clientHello(t)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for _, b := range hello[:len(hello)-1] {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			select {
			case <-tick.C:
			case <-stop:
				return
			}
		}
	}()
}

// Ensure that a Listener cuts a TLS handshake that has not ended within
// ConnLimits.Handshake of its accept, a connection that sends nothing
// as one that sends its ClientHello a byte at a time, although the
// http.Server's own timeouts (which net/http applies to the handshake
// under ServeTLS: the least of ReadHeaderTimeout, ReadTimeout and
// WriteTimeout) are an hour; counts them as timeouts; and serves a
// client with a certificate meanwhile, the handshake made.
func TestListenerHandshakeDeadline(t *testing.T) {
	env := newEnv(t)
	l, manage := listen(t, server.ListenerConfig{Name: "api", Limits: server.ConnLimits{Max: 10, Handshake: 300 * time.Millisecond}, TLS: env.HTTP.TLS})
	hs := &http.Server{Handler: env.Server.Handler(), ReadHeaderTimeout: time.Hour, ReadTimeout: time.Hour, WriteTimeout: time.Hour,
		ErrorLog: server.ErrorLog(slog.New(slog.DiscardHandler))}
	go hs.Serve(l)
	defer hs.Close()
	addr := l.Addr().String()

	silent := dialFrom(t, "127.0.0.2", addr)
	dribbler := dialFrom(t, "127.0.0.3", addr)
	dribble(t, dribbler)
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	resp, err := portal.Get("https://" + addr + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health during the stalled handshakes: %s", resp.Status)
	}
	closedByPeer(t, silent)
	closedByPeer(t, dribbler)
	// The listener counts each failure before it closes the connection.
	_, text := scrape(t, manage, "/metrics")
	if got := series(t, text)[`pinsede_tls_handshake_errors_total{reason="timeout"}`]; got != 2 {
		t.Errorf("%v handshakes counted as timeouts, want 2:\n%s", got, text)
	}
}

// Ensure that closing a Listener cuts the handshakes under way, without
// counting them as failed, gives their places back, and makes Accept
// fail.
func TestListenerClose(t *testing.T) {
	env := newEnv(t)
	l, manage := listen(t, server.ListenerConfig{Name: "api", Limits: server.ConnLimits{Max: 10, Handshake: time.Hour}, TLS: env.HTTP.TLS})
	silent := dialFrom(t, "127.0.0.2", l.Addr().String())
	// The listener has accepted the connection once it counts it open.
	for series(t, scrapeBody(t, manage))[`pinsede_connections_open{listener="api"}`] != 1 {
		runtime.Gosched()
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	closedByPeer(t, silent)
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	got := series(t, scrapeBody(t, manage))
	if got[`pinsede_connections_open{listener="api"}`] != 0 || got[`pinsede_tls_handshake_errors_total{reason="other"}`] != 0 {
		t.Errorf("after Close: %v open, %v handshakes failed; want 0 and 0", got[`pinsede_connections_open{listener="api"}`], got[`pinsede_tls_handshake_errors_total{reason="other"}`])
	}
}

// scrapeBody returns the metrics that the management handler h serves.
func scrapeBody(t *testing.T, h http.Handler) string {
	t.Helper()
	_, text := scrape(t, h, "/metrics")
	return text
}
