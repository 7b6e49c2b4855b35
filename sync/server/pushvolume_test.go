package server_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
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

// failingPush is a store whose pushes fail, storing nothing, while fail
// is set: a store gone wrong or out of the request's time.
type failingPush struct {
	central.Store
	fail *atomic.Bool
}

func (s failingPush) Push(ctx context.Context, sede string, h wire.AuditHead, events []pinsede.Event, at time.Time) ([]wire.Result, error) {
	if s.fail.Load() {
		return nil, errors.New("store out of order")
	}
	return s.Store.Push(ctx, sede, h, events, at)
}

// Ensure that a desk's volume of events is charged only what centrale
// stored (the reviewer's probe: a batch sent again, its events answered
// duplicate, and pushes that failed in the store, took the desk's
// tokens, and a desk of 2 batches was refused 429 after storing one, or
// none): on both stores, a desk of 2 batches pushes one, sends it again
// 3 times, fails 3 pushes in the store, and then still pushes a second;
// the third is refused before the store, nothing of it stored.
func TestPushVolumeChargesStored(t *testing.T) {
	for _, st := range []struct {
		name string
		open func(t *testing.T) central.Store
	}{
		{"bbolt", func(t *testing.T) central.Store {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func(t *testing.T) central.Store { s, _ := pgStore(t); return s }},
	} {
		t.Run(st.name, func(t *testing.T) {
			fail := &atomic.Bool{}
			store := st.open(t)
			env := testenv.New(t, failingPush{store, fail})
			env.Server.SetPushVolume(server.PushVolume{Events: 2 * wire.MaxBatch})
			c := env.Client(t, pki.RoleSede, "ROMA01")
			all := batch(t, "ROMA01", 3*wire.MaxBatch)
			third := func(i int) []byte {
				req := all
				req.Events = all.Events[i*wire.MaxBatch : (i+1)*wire.MaxBatch]
				return mustJSON(t, req)
			}
			first, second, last := third(0), third(1), third(2)
			for i := range 4 {
				p := pushBody(c, env.URL, bytes.NewReader(first))
				if p.status != http.StatusOK || len(p.results) != wire.MaxBatch {
					t.Fatalf("the first batch, push %d: %d %+v (%v)", i+1, p.status, p.problem, p.err)
				}
				want := wire.Duplicate
				if i == 0 {
					want = wire.Accepted
				}
				if p.results[0].Verdict != want {
					t.Fatalf("the first batch, push %d: %s, want %s", i+1, p.results[0].Verdict, want)
				}
			}
			fail.Store(true)
			for i := range 3 {
				if p := pushBody(c, env.URL, bytes.NewReader(second)); p.status != http.StatusInternalServerError {
					t.Fatalf("the second batch, the store failing, push %d: %d %+v (%v)", i+1, p.status, p.problem, p.err)
				}
			}
			fail.Store(false)
			if p := pushBody(c, env.URL, bytes.NewReader(second)); p.status != http.StatusOK || p.results[0].Verdict != wire.Accepted {
				t.Fatalf("the second batch, after 3 duplicates and 3 failures: %d %+v (%v), want 200 accepted: "+
					"the desk was charged for what it did not store", p.status, p.problem, p.err)
			}
			if p := pushBody(c, env.URL, bytes.NewReader(last)); p.status != http.StatusTooManyRequests || p.problem.Type != wire.ProblemPushVolume {
				t.Fatalf("the third batch, past the bound: %d %+v (%v), want 429 %s", p.status, p.problem, p.err, wire.ProblemPushVolume)
			}
			if n, err := store.Events(t.Context()); err != nil || n != 2*wire.MaxBatch {
				t.Errorf("centrale holds %d events (%v), want %d", n, err, 2*wire.MaxBatch)
			}
		})
	}
}
