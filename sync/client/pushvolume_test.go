package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that centrale bounds the events a desk's certificate pushes
// (server.PushVolume, here 600 in a row, refilled in a day): a desk
// within the bound is never refused; one past it has its push refused
// 429 push-volume with Retry-After and a body that says why, keeps its
// outbox, and its state says centrale limits it (FaultLimited, not
// "busy"); a day later its outbox goes, every event stored once, none
// lost. The reviewer's desk certificate pushed 60,000 made-up issues in
// about 10 s. On both stores.
func TestPushVolume(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			var now atomic.Pointer[time.Time]
			t0 := testclock.Now()
			now.Store(&t0)
			clock := func() time.Time { return *now.Load() }
			env := testenv.NewAt(t, st.open(t), clock)
			const bound = 600
			env.Server.SetPushVolume(server.PushVolume{Events: bound, Refill: 24 * time.Hour})

			within, _, _ := newLocal(t)
			enqueue(t, within, "ROMA01", 0, bound)
			cw := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: within, Desk: deskOn(within), Now: clock})
			if err := cw.Sync(ctx); err != nil {
				t.Fatalf("a desk pushing %d events, its bound: %v", bound, err)
			}
			if s := cw.State(); s.Fault != client.FaultNone || s.Pending != 0 {
				t.Errorf("a desk within the bound: fault %v, %d pending; want none", s.Fault, s.Pending)
			}

			const many = 1000
			beyond, _, _ := newLocal(t)
			enqueue(t, beyond, "MILA01", 0, many)
			hc := env.Client(t, pki.RoleSede, "MILA01")
			cb := client.New(client.Config{URL: env.URL, HTTP: hc, Sede: "MILA01", Local: beyond, Desk: deskOn(beyond), Now: clock})
			for _, when := range []string{"first sync", "sync again"} {
				err := cb.Sync(ctx)
				var p *wire.Problem
				if !errors.As(err, &p) || p.Type != wire.ProblemPushVolume || p.Status != http.StatusTooManyRequests || p.Detail == "" {
					t.Fatalf("%s of %d events, past the bound of %d: %v; want 429 %s", when, many, bound, err, wire.ProblemPushVolume)
				}
				s := cb.State()
				pending, err := beyond.OutboxLen()
				if err != nil {
					t.Fatal(err)
				}
				if s.Fault != client.FaultLimited || s.Pending != pending || pending < many-bound {
					t.Errorf("%s: fault %v, %d pending, %d in the outbox; want centrale's limit told and at least %d kept", when, s.Fault, s.Pending, pending, many-bound)
				}
			}
			// The answer itself, to a whole batch: Retry-After.
			var evs []pinsede.Event
			h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
			for i := range wire.MaxBatch {
				evs = append(evs, storetest.Issued("MILA01", storetest.CF(5000+i), fmt.Sprint("MILA01-x", i), fmt.Sprint("MILA01-cx", i), h))
			}
			body, err := json.Marshal(wire.PushRequest{Sede: "MILA01", AuditHead: &wire.AuditHead{}, Events: evs})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := hc.Post(env.URL+"/v1/events", wire.ContentJSON, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusTooManyRequests || err != nil || n < 1 {
				t.Errorf("a push past the bound: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}

			later := t0.Add(24 * time.Hour)
			now.Store(&later)
			if err := cb.Sync(ctx); err != nil {
				t.Fatalf("a day later: %v", err)
			}
			if s := cb.State(); s.Fault != client.FaultNone || s.Pending != 0 {
				t.Errorf("a day later: fault %v, %d pending; want the outbox gone", s.Fault, s.Pending)
			}
			if n, err := env.Store.Events(ctx); err != nil || n != bound+many {
				t.Errorf("centrale holds %d events (%v), want %d: each once, none lost", n, err, bound+many)
			}
		})
	}
}
