package pgtest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Relay is a loopback TCP relay in front of a server (a test
// PostgreSQL), for the tests of a network that fails between a client
// and it: each connection it accepts goes to a function of the test's,
// which relays it (Dial and Pipe), holds it unanswered or cuts it.
type Relay struct {
	ln net.Listener
	to string

	mu    sync.Mutex
	conns []net.Conn // accepted and dialled, closed at the test's end
}

// NewRelay starts a Relay on a loopback port to the server at addr
// (host:port), handing each connection it accepts to serve, with the
// relay, on a goroutine of its own. The relay and every connection it
// accepted or dialled are closed when tb ends.
func NewRelay(tb testing.TB, addr string, serve func(r *Relay, c net.Conn)) *Relay {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &Relay{ln: ln, to: addr}
	tb.Cleanup(func() {
		ln.Close()
		r.CloseAll()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.track(c)
			go serve(r, c)
		}
	}()
	return r
}

// Addr returns the relay's address, host:port: a client's in place of
// the server's.
func (r *Relay) Addr() string { return r.ln.Addr().String() }

// Dial connects to the server, a connection closed with the relay's
// others.
func (r *Relay) Dial() (net.Conn, error) {
	s, err := net.Dial("tcp", r.to)
	if err != nil {
		return nil, err
	}
	r.track(s)
	return s, nil
}

// CloseAll closes every connection the relay accepted or dialled so far,
// as a network that fails does; the relay goes on accepting.
func (r *Relay) CloseAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

// track adds c to the connections CloseAll closes.
func (r *Relay) track(c net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns = append(r.conns, c)
}

// Pipe passes c's bytes to s and s's to c until either side ends, and
// closes both.
func Pipe(c, s net.Conn) {
	go func() {
		io.Copy(s, c)
		s.Close()
	}()
	io.Copy(c, s)
	c.Close()
}
