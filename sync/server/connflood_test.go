package server_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/certtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// floodCentrale builds and starts the centrale binary on a bbolt store,
// with the flags args besides, and returns the process, its CA, and the
// API's and the management listener's addresses.
func floodCentrale(t testing.TB, args ...string) (*testenv.Process, *pki.CA, string, string) {
	t.Helper()
	return startCentrale(t, testenv.BuildCentrale(t, t.TempDir()), args...)
}

// startCentrale starts the centrale binary bin as floodCentrale does.
func startCentrale(t testing.TB, bin string, args ...string) (*testenv.Process, *pki.CA, string, string) {
	t.Helper()
	dir := t.TempDir()
	pkiDir := filepath.Join(dir, "pki")
	ca := testenv.PKIDir(t, pkiDir)
	// The events carry the suite's clock, which may be another day than
	// the process's (PINSEDE_TEST_NOW): the window of event times is
	// opened wide.
	p, rest := testenv.StartCentrale(t, bin, "centrale listening", append([]string{"-pki", pkiDir, "-bolt", filepath.Join(dir, "c.db"),
		"-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-admin", "",
		"-pin-params", pinsede.DefaultPINParams.String(), "-pin-params", storetest.CheapArgon2.String(),
		"-max-clock-skew", "876000h", "-max-event-age", "876000h"}, args...)...)
	api := logField(t, rest, "addr")
	p.Await(t, "management listening")
	_, mrest, _ := strings.Cut(p.Logs(), `msg="management listening"`)
	return p, ca, api, logField(t, mrest, "addr")
}

// logField returns the value of key in a text log line's rest.
func logField(t testing.TB, rest, key string) string {
	t.Helper()
	_, v, ok := strings.Cut(rest, key+"=")
	if !ok {
		t.Fatalf("no %s in %q", key, rest)
	}
	v, _, _ = strings.Cut(v, " ")
	v, _, _ = strings.Cut(v, "\n")
	return v
}

// scrapeProcess GETs the management listener's /metrics at addr and
// returns its series.
func scrapeProcess(t testing.TB, addr string) map[string]float64 {
	t.Helper()
	status, body := getClosed(t, addr, "/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	return series(t, string(body))
}

// getClosed GETs path from the plain HTTP listener at addr in HTTP/1.0,
// on a connection of its own, and reads until the server closes it: the
// Listener gives a connection's place back before it closes it, so once
// getClosed returns the request holds no place of the listener's bound
// (a keep-alive client's idle connection would, for as long as it
// lasts). It returns the answer's status and body.
func getClosed(t testing.TB, addr, path string) (int, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		_, err = io.Copy(io.Discard, br) // to the server's close
	}
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, body
}

// descriptors counts the open file descriptors of the process pid.
func descriptors(t testing.TB, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// keepAlive opens a TLS connection to centrale at api with d and cfg,
// asks it /v1/health, and returns the connection, left idle as an HTTP
// client keeps it for the next request.
func keepAlive(d *net.Dialer, cfg *tls.Config, api string) (net.Conn, error) {
	c, err := (&tls.Dialer{NetDialer: d, Config: cfg}).Dial("tcp", api)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		c.Close()
		return nil, fmt.Errorf("health: %s, connection closed %v", resp.Status, resp.Close)
	}
	return c, nil
}

// legitimate returns the HTTP clients of a sede's desk (MILANO01) and of
// the portal, with certificates of ca.
func legitimate(t testing.TB, ca *pki.CA) (sede, portal *http.Client) {
	t.Helper()
	sede = testenv.CertClient(t, ca.CertPEM(), func() ([]byte, []byte, error) { return ca.IssueDesk("MILANO01", "01", time.Now()) })
	portal = testenv.CertClient(t, ca.CertPEM(), func() ([]byte, []byte, error) { return ca.Issue(pki.RolePortal, "PORTALE", time.Now()) })
	return sede, portal
}

// isReset tells a connection closed by its peer: EOF (unexpected, when
// the client had begun reading an answer), or a reset.
func isReset(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Ensure that the centrale process, flooded from one address (127.0.0.2)
// with a thousand TCP connections that send nothing and one that sends
// its ClientHello a byte at a time, keeps the per-source bound of them
// and closes the others at once (the client sees EOF or a reset); that
// a certificate's idle keep-alive connections from another address
// (127.0.0.3) are kept up to the same bound and the next refused; that
// meanwhile a sede from 127.0.0.1 pushes, a portal checks a PIN and the
// management listener answers /healthz (and a flood of the management
// listener leaves the API alone); and that the process's
// descriptors and goroutines stay within the bounds plus a constant.
func TestConnectionFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and floods the centrale binary")
	}
	const connMax, perSource, flood = 100, 32, 1000
	start := time.Now()
	// Handshakes may take 10 minutes: the flood's stay open as long as
	// the test lasts.
	p, ca, api, manage := floodCentrale(t, "-conn-max", fmt.Sprint(connMax), "-conn-per-source", fmt.Sprint(perSource),
		"-conn-handshake", "10m", "-manage-conn-max", "8")
	fdsBefore := descriptors(t, p.Pid)

	// The dribbler first, then the flood, all from 127.0.0.2.
	dribble(t, dialFrom(t, "127.0.0.2", api))
	closed := make(chan error, flood)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	for range flood {
		c, err := d.Dial("tcp", api)
		if err != nil {
			closed <- err
			continue
		}
		t.Cleanup(func() { c.Close() })
		go func() {
			_, err := c.Read(make([]byte, 1))
			closed <- err
		}()
	}
	// The dribbler takes one place: flood-perSource+1 are closed by
	// centrale, which the test waits for, and no more.
	timeout := time.After(time.Minute)
	for range flood - perSource + 1 {
		select {
		case err := <-closed:
			if !isReset(err) {
				t.Fatalf("a connection of the flood ended with %v, want EOF or a reset by centrale", err)
			}
		case <-timeout:
			t.Fatalf("centrale did not close the flood's connections beyond the bound within a minute:\n%s", p.Logs())
		}
	}

	// Idle keep-alive connections of one certificate from 127.0.0.3.
	cfg := certtest.DeskTLS(t, ca, "01", time.Now())
	for i := range perSource + 1 {
		c, err := keepAlive(&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}, cfg, api)
		if err == nil {
			t.Cleanup(func() { c.Close() })
		}
		switch {
		case i < perSource && err != nil:
			t.Fatalf("keep-alive connection %d: %v", i, err)
		case i == perSource && err == nil:
			t.Fatalf("keep-alive connection %d beyond the bound of %d was served", i, perSource)
		case i == perSource && !isReset(err):
			t.Fatalf("keep-alive connection %d beyond the bound: %v, want EOF or a reset", i, err)
		}
	}

	// With all that held open: a sede pushes, a portal checks a PIN,
	// the management listener answers.
	const pin = "ACEFHJKMNPRTUVWX"
	cf := storetest.CF(1)
	sede, portal := legitimate(t, ca)
	var pushed wire.PushResponse
	push := wire.PushRequest{Sede: "MILANO01", AuditHead: &wire.AuditHead{},
		Events: []pinsede.Event{storetest.Issued("MILANO01", cf, "e1", "c1", storetest.Hash(t, pin))}}
	if err := testenv.Call(sede, "https://"+api+"/v1/events", push, &pushed); err != nil || len(pushed.Results) != 1 || pushed.Results[0].Verdict != wire.Accepted {
		t.Fatalf("push during the flood: %+v, %v", pushed, err)
	}
	var verdict wire.VerifyResponse
	if err := testenv.Call(portal, "https://"+api+"/v1/pin/verify", wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pin}, &verdict); err != nil || verdict.Outcome != wire.ChangeRequired {
		t.Fatalf("PIN check during the flood: %+v, %v", verdict, err)
	}
	if status, _ := getClosed(t, manage, "/healthz"); status != http.StatusOK {
		t.Errorf("/healthz during the flood: %d", status)
	}

	m := scrapeProcess(t, manage)
	if got, want := m[`pinsede_connections_refused_total{bound="per_source",listener="api"}`], float64(flood-perSource+2); got != want {
		t.Errorf("%v connections refused per source, want %v", got, want)
	}
	// Both sources are at their bound; the sede and the portal keep a
	// connection each.
	if got := m[`pinsede_connections_open{listener="api"}`]; got != 2*perSource+2 {
		t.Errorf("%v API connections open, want %d", got, 2*perSource+2)
	}
	fds, goroutines := descriptors(t, p.Pid), m["go_goroutines"]
	t.Logf("centrale: %d descriptors before the flood, %d during it; %v goroutines", fdsBefore, fds, goroutines)
	if fds > fdsBefore+connMax+8 {
		t.Errorf("centrale holds %d descriptors, %d before the flood: more than the bound of %d connections", fds, fdsBefore, connMax)
	}
	// A connection in its handshake has two goroutines (its own and
	// crypto/tls's watch of the Listener's end), one served has one or
	// two (net/http's reader).
	if goroutines > 2*connMax+50 {
		t.Errorf("centrale runs %v goroutines with %d connections at most", goroutines, connMax)
	}
	// And the other way round: a flood of the management listener
	// leaves the API alone.
	for range 8 {
		dialFrom(t, "127.0.0.4", manage)
	}
	refusedDial(t, "127.0.0.4", manage)
	push.Events = []pinsede.Event{storetest.Issued("MILANO01", storetest.CF(2), "e2", "c2", storetest.Hash(t, pin))}
	if err := testenv.Call(sede, "https://"+api+"/v1/events", push, &pushed); err != nil || len(pushed.Results) != 1 || pushed.Results[0].Verdict != wire.Accepted {
		t.Errorf("push during a flood of the management listener: %+v, %v", pushed, err)
	}
	for _, l := range []string{"api", "manage"} {
		p.AwaitText(t, `msg="connections refused" listener=`+l) // written after the refusal, read through a pipe
		if n, most := strings.Count(p.Logs(), `msg="connections refused" listener=`+l), 1+int(time.Since(start)/(10*time.Second)); n < 1 || n > most {
			t.Errorf("%d log lines of refused connections of the %s listener, want 1 to %d (at most one every 10 s)", n, l, most)
		}
	}
}

// Ensure that the management listener, at its default bounds, keeps at
// most server.DefaultManagePerSource connections from one address: 200
// connections from 127.0.0.4, released together, each asking /healthz
// and then held idle as a keep-alive client holds it (2 minutes), are
// served up to the bound and the rest reset at their accept; another
// address (127.0.0.5) has its own places; and meanwhile /healthz and
// /readyz answer 127.0.0.1, as a load balancer's or the container's
// health check, and /metrics and the log tell the refusals by bound and
// source. Before the per-source bound, the flood took all
// -manage-conn-max (32) places and the health check from 127.0.0.1 was
// reset: the balancer or the orchestrator took a replica that served
// for dead, for as long as one client wished.
func TestManagementFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and floods the centrale binary")
	}
	const flood, perSource = 200, server.DefaultManagePerSource
	p, _, _, manage := floodCentrale(t)

	start := make(chan struct{})
	type outcome struct {
		c   net.Conn
		err error
	}
	results := make(chan outcome, flood)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.4")}}
	for range flood {
		go func() {
			<-start
			c, err := d.Dial("tcp", manage)
			if err != nil {
				results <- outcome{err: err}
				return
			}
			fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", manage)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 200 || resp.Close {
					err = fmt.Errorf("%s, connection closed %v", resp.Status, resp.Close)
				}
			}
			results <- outcome{c, err}
		}()
	}
	close(start)
	served := 0
	for range flood {
		r := <-results
		switch {
		case r.err == nil:
			served++
			t.Cleanup(func() { r.c.Close() })
		default: // reset at its accept: at the dial on loopback, or after
			if r.c != nil {
				r.c.Close()
			}
			if !isReset(r.err) {
				t.Errorf("a connection of the flood ended with %v, want served or reset by centrale", r.err)
			}
		}
	}
	if served != perSource {
		t.Errorf("centrale served %d of the flood's %d connections from one address, want %d", served, flood, perSource)
	}

	// Another address has its own places, up to the same bound.
	for range perSource {
		dialFrom(t, "127.0.0.5", manage)
	}
	refusedDial(t, "127.0.0.5", manage)

	// The health checks from 127.0.0.1, with both floods held.
	if status, body := getClosed(t, manage, "/healthz"); status != http.StatusOK {
		t.Fatalf("/healthz during the flood: %d %s", status, body)
	}
	if status, body := getClosed(t, manage, "/readyz"); status != http.StatusOK || !strings.HasPrefix(string(body), "ready\n") {
		t.Errorf("/readyz during the flood: %d %s", status, body)
	}
	m := scrapeProcess(t, manage)
	if got, want := m[`pinsede_connections_refused_total{bound="per_source",listener="manage"}`], float64(flood-perSource+1); got != want {
		t.Errorf("%v management connections refused per source, want %v", got, want)
	}
	// The two sources' places, and the scrape's own.
	if got, want := m[`pinsede_connections_open{listener="manage"}`], float64(2*perSource+1); got != want {
		t.Errorf("%v management connections open, want %v", got, want)
	}
	p.AwaitText(t, `msg="connections refused" listener=manage`)
	if logs := p.Logs(); !strings.Contains(logs, "bound=per_source source=127.0.0.") {
		t.Errorf("no log line of the management listener's refusals by source:\n%s", logs)
	}
}
