package server_test

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/certtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that centrale asked to stop (SIGTERM) answers /readyz 503
// "stopping" at once and never "ready" once its API refuses connections,
// while it ends the push in flight; and that with -drain-delay its API
// keeps accepting and serving new connections meanwhile, until a second
// SIGTERM. Before, the API's listener closed at the signal while /readyz
// said ready until the process returned, up to 10 s with a request in
// flight: a balancer kept sending connections to a port that refused
// them (an operators' review: "+2517ms after SIGTERM: readyz 200 ready;
// new API connection refused").
func TestStopNotReady(t *testing.T) {
	bin := testenv.BuildCentrale(t, t.TempDir())
	t.Run("default", func(t *testing.T) { stopNotReady(t, bin) })
	t.Run("drain delay", func(t *testing.T) { stopNotReady(t, bin, "-drain-delay", "1m") })
}

// stopNotReady runs TestStopNotReady on the binary bin started with the
// flags args besides; with any, it checks the drain delay.
func stopNotReady(t *testing.T, bin string, args ...string) {
	p, ca, api, manage := startCentrale(t, bin, args...)
	cfg := certtest.DeskTLS(t, ca, "01", time.Now())
	if st, body := getClosed(t, manage, "/readyz"); st != http.StatusOK {
		t.Fatalf("/readyz at start: %d %s", st, body)
	}
	// A push in flight: its body half sent, it holds a push slot, and
	// keeps the process up until it is answered.
	body, err := json.Marshal(wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{},
		Events: []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))}})
	if err != nil {
		t.Fatal(err)
	}
	inFlight, err := tls.Dial("tcp", api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer inFlight.Close()
	fmt.Fprintf(inFlight, "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", wire.ContentJSON, len(body), body[:10])
	until(t, "the push in flight", func() bool { return scrapeProcess(t, manage)["pinsede_push_in_progress"] == 1 })

	if err := syscall.Kill(p.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if len(args) > 0 {
		until(t, "/readyz stopping in the drain delay", func() bool {
			st, _ := getClosed(t, manage, "/readyz")
			return st == http.StatusServiceUnavailable
		})
		p.Await(t, "centrale stopping")
		c, err := keepAlive(&net.Dialer{}, cfg, api)
		if err != nil {
			t.Fatalf("a new connection in the drain delay, /readyz 503: %v", err)
		}
		c.Close()
		if err := syscall.Kill(p.Pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "the API refusing connections", func() bool {
		c, err := net.Dial("tcp", api)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if st, body := getClosed(t, manage, "/readyz"); st != http.StatusServiceUnavailable || !strings.HasPrefix(string(body), "not ready\nstopping: ") {
		t.Errorf("/readyz once the API refuses connections: %d %q, want 503 stopping", st, body)
	}

	if _, err := inFlight.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(inFlight), nil)
	if err != nil {
		t.Fatalf("the push in flight: %v", err)
	}
	defer resp.Body.Close()
	var pushed wire.PushResponse
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		err = json.Unmarshal(b, &pushed)
	}
	if resp.StatusCode != http.StatusOK || err != nil || len(pushed.Results) != 1 || pushed.Results[0].Verdict != wire.Accepted {
		t.Errorf("the push in flight: %s %s (%v), want it accepted", resp.Status, b, err)
	}
}

// until calls cond until it holds, 10 ms apart (what centrale does in
// another process tells no event to wait on: a metric, /readyz, a port
// refusing), and fails the test if it has not within a minute.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("waited a minute for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
