package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
)

// takeFirst makes the next port choice of a server take, first, the
// port of ln, a listener of another program (made after the choice, in
// the window before pg_ctl binds it), or port when ln is nil; it
// returns the port it gives.
func takeFirst(t *testing.T, ln net.Listener, port int) int {
	t.Helper()
	if ln != nil {
		port = ln.Addr().(*net.TCPAddr).Port
	}
	pick := pickPort
	t.Cleanup(func() { pickPort = pick })
	first := true
	pickPort = func(lo, hi int) int {
		if first {
			first = false
			return port
		}
		return pick(lo, hi)
	}
	return port
}

// start starts a server for t, or skips t without PostgreSQL.
func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if errors.Is(err, ErrNoPostgres) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// port returns the port the server of s's database answers on, asked of
// the server itself: s's and no other test binary's.
func port(t *testing.T, s *Server) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var p string
	if err := conn.QueryRow(ctx, "SHOW port").Scan(&p); err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(p, &n)
	return n
}

// Ensure that a server whose port another program takes between its
// choice and pg_ctl's bind (a test binary beside, listening on it) starts
// on another port, its own. Before, the port came from the kernel
// (127.0.0.1:0, closed at once) and pg_ctl failed: 'could not bind IPv4
// address "127.0.0.1": Address already in use', the package's tests red.
func TestStartPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := takeFirst(t, ln, 0)
	s := start(t)
	if got := port(t, s); got == taken || got != s.port {
		t.Errorf("server on port %d (its own: %d), the port taken %d", got, s.port, taken)
	}
}

// Ensure that a server stopped for a restart (Down) keeps its port from
// the servers other tests start meanwhile, in this binary or another, so
// that Up binds it again and its clients reach it, not another test's
// server. Before, the port was free for the kernel to hand out again: a
// server started meanwhile could take it, Up then failed, and a client
// of the first connected to the second.
func TestPortKeptWhileDown(t *testing.T) {
	a := start(t)
	if err := a.Down(); err != nil {
		t.Fatal(err)
	}
	takeFirst(t, nil, a.port)
	b := start(t)
	if b.port == a.port {
		t.Fatalf("a server started while another was down took its port %d", a.port)
	}
	if err := a.Up(); err != nil {
		t.Fatalf("Up after another server started: %v", err)
	}
	if got := port(t, a); got != a.port {
		t.Errorf("the first server's database answers on port %d, want %d", got, a.port)
	}
}
