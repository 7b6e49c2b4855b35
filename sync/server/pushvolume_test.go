package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that the operator sees a desk gone past its volume of events:
// one line in the log a certificate an interval however many pushes are
// refused, the events refused counted by sede and desk in the metrics,
// and the desk listed on the status page (in Italian first).
func TestPushVolumeShown(t *testing.T) {
	env := newEnv(t)
	logs := &testlog.Buffer{}
	hs, srv, manage := observed(t, env, logs)
	srv.SetPushVolume(server.PushVolume{Events: wire.MaxBatch})
	cfg, _ := env.DeskTLS(t, "ROMA01", "03")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	body := mustJSON(t, batch(t, "ROMA01", wire.MaxBatch))
	if p := pushBody(c, hs.URL, bytes.NewReader(body)); p.status != http.StatusOK {
		t.Fatalf("a push of %d events, the bound: %d %+v (%v)", wire.MaxBatch, p.status, p.problem, p.err)
	}
	const refused = 3
	for i := range refused {
		p := pushBody(c, hs.URL, bytes.NewReader(body))
		if p.status != http.StatusTooManyRequests || p.problem.Type != wire.ProblemPushVolume || p.retryAfter == "" || !strings.Contains(p.problem.Detail, "outbox") {
			t.Errorf("push %d past the bound: %d, Retry-After %q, %+v", i, p.status, p.retryAfter, p.problem)
		}
	}
	if n := strings.Count(logs.String(), "desk over its volume of events"); n != 1 {
		t.Errorf("%d pushes refused logged %d lines, want 1:\n%s", refused, n, logs.String())
	}
	_, text := scrape(t, manage, "/metrics")
	if got := series(t, text)[`pinsede_push_volume_refused_events_total{desk="03",sede="ROMA01"}`]; got != refused*wire.MaxBatch {
		t.Errorf("metrics count %v events refused, want %d", got, refused*wire.MaxBatch)
	}
	code, page := scrape(t, manage, "/status")
	if code != http.StatusOK || !strings.Contains(page, "Sportelli limitati da centrale") ||
		!strings.Contains(page, "<td><b>ROMA01</b></td><td>03</td><td class=\"num bad\">1500</td><td class=\"num\">3</td>") {
		t.Errorf("the status page does not list the desk limited:\n%s", page)
	}
}
