package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pinsede/pinsede/sync/pki"
)

// ConnLimits bound the connections a Listener keeps open at once.
type ConnLimits struct {
	// Max is the connections open at once, those still in their TLS
	// handshake included; past it a new connection is closed at once.
	Max int
	// PerSource is the connections open at once from one source
	// address (an IPv6 address counts by its /64); 0: no bound but Max.
	PerSource int
	// Handshake is how long a TLS connection may take from its accept
	// to the end of its handshake, whatever the http.Server's timeouts.
	Handshake time.Duration
}

// The defaults of the connection bounds.
const (
	// DescriptorReserve is the file descriptors DefaultConnLimits leaves
	// out of the API's connections: the store and its database pool,
	// the management listener's connections (DefaultManageConns), the
	// admin socket, the files read (certificates, revocation list,
	// backups) and the log.
	DescriptorReserve = 256
	// MaxDefaultConns caps the default of ConnLimits.Max whatever the
	// descriptor limit (often a million in a container): a connection
	// in its handshake holds about 8 KiB, one idle after a request
	// about 43 KiB (BENCHMARKS.md, BenchmarkConnFlood), so 8192 of them
	// hold at most about 350 MiB.
	MaxDefaultConns = 8192
	// DefaultHandshake is how long a TLS handshake may take: a round
	// trip and a client certificate, on a sede's slow link.
	DefaultHandshake = 5 * time.Second
	// DefaultManageConns bounds the management listener's connections:
	// health checks, Prometheus and operators.
	DefaultManageConns = 32
	// DefaultManagePerSource bounds the management listener's
	// connections from one address: a browser opens up to 6 to a host,
	// Prometheus one per target. Without it one client held all
	// DefaultManageConns (a request each, kept 2 minutes by keep-alive,
	// and again) and the health checks of the others were reset.
	DefaultManagePerSource = 8
	// refusedLogEvery is the least time between two log lines of
	// connections refused by a Listener, and between two of the
	// handshakes it refused for one revoked certificate.
	refusedLogEvery = 10 * time.Second
	// refusedLinger and refusedLingerBytes bound what a connection
	// whose handshake was refused with an alert may still send before
	// it is closed (closeAfterAlert).
	refusedLinger      = time.Second
	refusedLingerBytes = 64 << 10
)

// StreamsPerConn is how many requests one HTTP/2 connection of the API
// carries at once (http.HTTP2Config.MaxConcurrentStreams; Go's default is
// 250): centrale resets the streams past it. The ConnLimits count
// connections, and under HTTP/1.1 a connection holds one request; with
// 250 streams a client within -conn-per-source held 250 times as many
// requests in hand, each a handler waiting for its body until the
// request's ReadTimeout (20 connections held 5,000, 71 MB). A client
// that wants more at once opens more connections, which the bounds count.
const StreamsPerConn = 8

// DefaultWriteStall is how long an HTTP/2 connection of the API may take
// none of the bytes centrale has for it before it is closed
// (http.HTTP2Config.WriteByteTimeout), as long as HTTP/1.1's WriteTimeout
// gives a whole answer. Without it, a client that opened its
// flow-control windows wide and read nothing held its connection and the
// handlers of its streams for good: net/http writes an HTTP/2 connection
// without a deadline, and a stream whose WriteTimeout passes is closed
// only once its reset is written, behind the write that blocks.
const DefaultWriteStall = 30 * time.Second

// DefaultConnLimits returns the API listener's bounds for a process that
// may open nofile file descriptors: Max all of them but
// DescriptorReserve (at least half of them), at most MaxDefaultConns;
// PerSource half of Max, so that no one address takes every connection,
// yet a sede's NAT or a load balancer has room; Handshake
// DefaultHandshake.
func DefaultConnLimits(nofile uint64) ConnLimits {
	n := min(max(nofile-min(nofile, DescriptorReserve), nofile/2), MaxDefaultConns)
	return ConnLimits{Max: max(int(n), 1), PerSource: max(int(n)/2, 1), Handshake: DefaultHandshake}
}

// A Listener accepts connections within ConnLimits: past a bound, a new
// connection is accepted from the kernel and closed at once with a
// reset, rather than left in the backlog where it would hold back every
// other client, counted in Metrics and logged at most once every 10
// seconds. With a TLS configuration it makes each connection's
// handshake itself, within ConnLimits.Handshake of its accept, and
// returns only connections whose handshake succeeded (as *tls.Conn):
// serve them with http.Server.Serve, not ServeTLS. A connection counts
// against the bounds from its accept until it is closed.
type Listener struct {
	inner  net.Listener
	tls    *tls.Config
	limits ConnLimits
	name   string
	m      *Metrics
	log    *slog.Logger
	now    func() time.Time

	ctx    context.Context // ends with Close: cuts the handshakes
	cancel context.CancelFunc
	ready  chan accepted
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	open     int
	bySource map[netip.Prefix]int
	// refused rates the lines of connections refused at their accept.
	refused logRate
	// revoked rates the lines of handshakes refused for a revoked
	// certificate, by certificate: as many as the revocation list
	// holds, at most.
	revoked map[string]*logRate
}

// logRate lets a line through at most once every refusedLogEvery, and
// counts the events of the lines held back.
type logRate struct {
	last time.Time
	held int
}

// event counts an event at now, and returns whether its line is logged,
// and then how many events it tells: this one and those held back since
// the last line.
func (r *logRate) event(now time.Time) (int, bool) {
	r.held++
	if now.Sub(r.last) < refusedLogEvery {
		return 0, false
	}
	n := r.held
	r.held, r.last = 0, now
	return n, true
}

// accepted is a connection ready for Accept, or Accept's error.
type accepted struct {
	c   net.Conn
	err error
}

// ListenerConfig is what NewListener needs besides the listener.
type ListenerConfig struct {
	// Name is the listener's label in the metrics and the log ("api",
	// "manage").
	Name   string
	Limits ConnLimits
	// TLS, when not nil, is the configuration of the handshakes the
	// Listener makes.
	TLS *tls.Config
	// Metrics count the connections open and refused, and the failed
	// handshakes; nil counts nothing.
	Metrics *Metrics
	// Log gets the lines of refused connections (at most one every 10
	// seconds), of handshakes refused for a revoked certificate (with
	// the certificate and the source, at most one a certificate every 10
	// seconds) and, at debug level, of the other failed handshakes.
	Log *slog.Logger
	// Now is the clock of the log's rate; nil: time.Now. The
	// handshake's deadline is the socket's, on the system's clock.
	Now func() time.Time
}

// NewListener returns a Listener that accepts from inner within c's
// limits; it starts accepting at once, and Close closes inner.
func NewListener(inner net.Listener, c ListenerConfig) (*Listener, error) {
	if c.Limits.Max < 1 || c.Limits.PerSource < 0 || (c.TLS != nil && c.Limits.Handshake <= 0) {
		return nil, fmt.Errorf("listener %s: bounds %+v: the maximum must be at least 1, the per-source bound not negative, the handshake's time positive", c.Name, c.Limits)
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Listener{inner: inner, tls: c.TLS, limits: c.Limits, name: c.Name, m: c.Metrics, log: c.Log, now: c.Now,
		ctx: ctx, cancel: cancel, ready: make(chan accepted), done: make(chan struct{}), bySource: map[netip.Prefix]int{}, revoked: map[string]*logRate{}}
	l.m.connLimit(l.name, l.limits.Max)
	go l.acceptLoop()
	return l, nil
}

// Accept returns the next connection within the bounds, its handshake
// made when the Listener has a TLS configuration.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case a := <-l.ready:
		return a.c, a.err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting, closes the inner listener and cuts the
// handshakes under way; connections already returned stay open.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		l.cancel()
		err = l.inner.Close()
	})
	return err
}

// Addr is the inner listener's address.
func (l *Listener) Addr() net.Addr { return l.inner.Addr() }

// acceptLoop accepts from the inner listener until it fails for good,
// closing the connections past a bound and handing the others over.
func (l *Listener) acceptLoop() {
	for {
		c, err := l.inner.Accept()
		if err != nil {
			// A temporary error (out of descriptors) goes to Accept,
			// whose caller waits before the next: http.Server does.
			if isTemporary(err) {
				if !l.deliver(accepted{err: err}) {
					return
				}
				continue
			}
			for l.deliver(accepted{err: err}) { // every later Accept fails too
			}
			return
		}
		src := sourceOf(c.RemoteAddr())
		if bound := l.admit(src); bound != "" {
			l.refuse(c, src, bound)
			continue
		}
		lc := &conn{Conn: c, l: l, src: src}
		if l.tls == nil {
			if !l.deliver(accepted{c: lc}) {
				lc.Close()
				return
			}
			continue
		}
		go l.handshake(lc)
	}
}

// isTemporary tells the accept errors that pass, such as running out of
// descriptors.
func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// deliver hands a to Accept, or reports false once the Listener is
// closed.
func (l *Listener) deliver(a accepted) bool {
	select {
	case l.ready <- a:
		return true
	case <-l.done:
		return false
	}
}

// handshake makes c's TLS handshake within the limit and hands the
// connection over, or counts the failure and closes it.
func (l *Listener) handshake(c *conn) {
	tc := tls.Server(c, l.tls)
	// A deadline of the socket: it cuts a ClientHello sent a byte at a
	// time as one never sent, and a client that reads nothing.
	c.SetDeadline(time.Now().Add(l.limits.Handshake))
	if err := tc.HandshakeContext(l.ctx); err != nil {
		if l.ctx.Err() == nil { // not cut by Close
			reason := handshakeReason(err)
			l.m.handshakeFailed(reason)
			if reason == "revoked" {
				l.logRevoked(err, c.RemoteAddr())
			} else {
				l.log.Debug("TLS handshake failed", "listener", l.name, "reason", reason, "source", c.RemoteAddr().String(), "detail", err.Error())
			}
			if reason != "timeout" && reason != "eof" {
				closeAfterAlert(c, time.Now().Add(refusedLinger))
				return
			}
		}
		tc.Close()
		return
	}
	c.SetDeadline(time.Time{})
	if !l.deliver(accepted{c: tc}) {
		tc.Close()
	}
}

// logRevoked logs a handshake refused for a revoked certificate (err,
// which names it) from src: the operator sees which certificate, from
// where. Each certificate's lines come at most once every
// refusedLogEvery, with the refusals since the last.
func (l *Listener) logRevoked(err error, src net.Addr) {
	key := err.Error() // names the certificate
	l.mu.Lock()
	r := l.revoked[key]
	if r == nil {
		r = &logRate{}
		l.revoked[key] = r
	}
	n, ok := r.event(l.now())
	l.mu.Unlock()
	if ok {
		l.log.Warn("client certificate refused", "listener", l.name, "refused", n, "source", src.String(), "err", err)
	}
}

// closeAfterAlert closes c, whose handshake was refused with a TLS
// alert, so that the client reads the alert. A TLS 1.3 client ends its
// side of the handshake without waiting for the server, and sends its
// request at once: closed with that request unread, the socket answers
// with a reset, which can reach the client before it has read the alert
// (it then fails writing its request with "broken pipe", and a desk
// without its certificate says centrale is unreachable instead of
// saying its certificate was refused). So c stops sending (a FIN after
// the alert), and what the client still sends is read and dropped, at
// most refusedLingerBytes, until the client closes or until deadline.
func closeAfterAlert(c net.Conn, deadline time.Time) {
	defer c.Close()
	hc, ok := c.(interface{ CloseWrite() error })
	if !ok || hc.CloseWrite() != nil {
		return
	}
	c.SetReadDeadline(deadline)
	io.CopyN(io.Discard, c, refusedLingerBytes)
}

// admit counts a connection from src against the bounds, or returns the
// bound it would pass: "total" or "per_source".
func (l *Listener) admit(src netip.Prefix) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.limits.Max:
		return "total"
	case l.limits.PerSource > 0 && l.bySource[src] >= l.limits.PerSource:
		return "per_source"
	}
	l.open++
	l.bySource[src]++
	l.m.connOpened(l.name, 1)
	return ""
}

// release gives back a connection's place.
func (l *Listener) release(src netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.bySource[src]--; l.bySource[src] <= 0 {
		delete(l.bySource, src)
	}
	l.m.connOpened(l.name, -1)
}

// refuse counts c, logs the refusals at most once every
// refusedLogEvery, and closes c at once with a reset, which frees its
// descriptor and leaves no connection in TIME_WAIT.
func (l *Listener) refuse(c net.Conn, src netip.Prefix, bound string) {
	defer c.Close()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	l.m.connRefused(l.name, bound)
	l.mu.Lock()
	n, ok := l.refused.event(l.now())
	open := l.open
	l.mu.Unlock()
	if !ok {
		return
	}
	l.log.Warn("connections refused", "listener", l.name, "refused", n, "bound", bound, "source", src.String(),
		"open", open, "max", l.limits.Max, "per_source", l.limits.PerSource)
}

// sourceOf is the key of a's per-source bound: an IPv4 address, or the
// /64 of an IPv6 address (what one client is given).
func sourceOf(a net.Addr) netip.Prefix {
	var ip netip.Addr
	if ta, ok := a.(*net.TCPAddr); ok {
		ip = ta.AddrPort().Addr().Unmap()
	} else if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		ip = ap.Addr().Unmap()
	}
	if !ip.IsValid() {
		return netip.Prefix{}
	}
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}

// conn is a connection counted against its Listener's bounds until it is
// closed.
type conn struct {
	net.Conn
	l    *Listener
	src  netip.Prefix
	once sync.Once
}

// Close gives back the connection's place, once, and closes it: the
// place is free by the time the peer sees the close.
func (c *conn) Close() error {
	c.once.Do(func() { c.l.release(c.src) })
	return c.Conn.Close()
}

// CloseWrite shuts down the sending side of c's socket, when it has one.
func (c *conn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return errors.ErrUnsupported
}

// handshakeReason sorts a failed handshake into a few reasons, for a
// bounded label: eof (closed or reset by the client), timeout (cut by
// ConnLimits.Handshake), no_certificate, revoked (VerifyConnection),
// bad_certificate, other.
func handshakeReason(err error) string {
	var ne net.Error
	switch msg := err.Error(); {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "eof"
	case errors.Is(err, pki.ErrRevoked):
		return "revoked"
	case strings.Contains(msg, "didn't provide a certificate"):
		return "no_certificate"
	case strings.Contains(msg, "certificate"):
		return "bad_certificate"
	}
	return "other"
}
