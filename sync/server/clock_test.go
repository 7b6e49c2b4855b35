package server_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that replicas on one PostgreSQL each measure their clock
// against the database's: one in time says nothing, one 5 s ahead warns
// (its log once, /v1/health degraded with the offset, /readyz a warning,
// still ready), and one 20 minutes ahead, which would lift wrong-PIN
// locks 20 minutes early and refuse the pushes of desks in time, is not
// ready. On main nothing compared them. The clocks are the real one and
// the real one moved, as PostgreSQL's is the real one.
func TestReplicaClockChecked(t *testing.T) {
	s0, dsn := pgStore(t)
	for _, c := range []struct {
		name   string
		ahead  time.Duration
		health string
		min    float64
		ready  int
		says   string
	}{
		{"in time", 0, "ok", 0, http.StatusOK, ""},
		{"5 s ahead", 5 * time.Second, "degraded", 3, http.StatusOK, "clock: warning: "},
		{"20 m ahead", 20 * time.Minute, "degraded", 1190, http.StatusServiceUnavailable, "clock: 20m0s ahead of the store's clock"},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := s0
			if c.ahead != 0 {
				store = pgOpen(t, dsn)
			}
			env := testenv.NewAt(t, store, func() time.Time { return time.Now().Add(c.ahead) })
			logs := &testlog.Buffer{}
			env.Server.Log = slog.New(slog.NewTextHandler(logs, nil))
			for range 2 {
				if _, err := env.Server.CheckClock(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			var h wire.Health
			if err := testenv.Call(env.Client(t, pki.RolePortal, "MONITOR"), env.URL+"/v1/health", nil, &h); err != nil {
				t.Fatal(err)
			}
			if h.Status != c.health || h.ClockOffset < c.min || (c.ahead == 0) != (h.ClockOffset == 0) {
				t.Errorf("/v1/health: %s, clock offset %.3f s; want %s, at least %.0f s", h.Status, h.ClockOffset, c.health, c.min)
			}
			status, body := scrape(t, env.Server.ManageHandler(server.Manage{}), "/readyz")
			if status != c.ready || (c.says == "") != !strings.Contains(body, "clock") || !strings.Contains(body, c.says) {
				t.Errorf("/readyz: %d %q; want %d saying %q", status, body, c.ready, c.says)
			}
			want := 0
			if c.ahead != 0 {
				want = 1
			}
			if n := strings.Count(logs.String(), "level=WARN msg=\"this replica's clock is off the store's"); n != want {
				t.Errorf("%d WARN lines on the clock, want %d:\n%s", n, want, logs)
			}
		})
	}
}
