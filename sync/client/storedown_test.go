package client_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a desk whose centrale cannot reach PostgreSQL (stopped for
// a restart) stays online with the fault "busy", told in Italian without
// centrale's English title: its push is refused, its outbox kept, its
// pull still sent; it sends both again after centrale's Retry-After, and
// once PostgreSQL is back its outbox goes. Before, centrale answered 500
// internal: the desk went offline, did not pull, and read "L'archivio
// centrale ha risposto con un errore (Internal error)".
func TestStoreDownDeskStaysOnline(t *testing.T) {
	pg := pgtest.Private(t)
	store, err := pgstore.Open(t.Context(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var shift atomic.Int64
	clock := func() time.Time { return testclock.Now().Add(time.Duration(shift.Load())) }
	c, sent := deskWithThree(t, testenv.NewAt(t, store, clock), clock)
	ctx := context.Background()

	if err := pg.Down(); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(ctx); !isFault(err, client.FaultBusy) {
		t.Errorf("sync with PostgreSQL stopped: %v; want the fault busy", err)
	}
	wantKeptPulled(t, "PostgreSQL stopped", c, sent, client.FaultBusy)

	if err := pg.Up(); err != nil {
		t.Fatal(err)
	}
	storetest.AwaitPing(t, store) // its probe finds PostgreSQL back
	shift.Store(int64(server.StoreRetryAfter))
	if err := c.Sync(ctx); err != nil {
		t.Fatalf("sync once PostgreSQL is back, after Retry-After: %v", err)
	}
	wantState(t, "PostgreSQL back", c, client.Online, client.FaultNone, true)
	if st := c.State(); st.Pending != 0 {
		t.Errorf("outbox once PostgreSQL is back: %d pending, want 0", st.Pending)
	}
	if n, err := store.Events(ctx); err != nil || n != 3 {
		t.Errorf("centrale holds %d events (%v), want 3", n, err)
	}
}

// deskWithThree returns the sync client of a desk of sede S1 of centrale
// env, on clock, with 3 events in its outbox, and what it sends.
func deskWithThree(t *testing.T, env *testenv.Env, clock func() time.Time) (*client.Client, *recorder) {
	t.Helper()
	ls, _, _ := newLocal(t)
	t.Cleanup(func() { ls.Close() })
	enqueue(t, ls, "S1", 0, 3)
	hc := env.Client(t, pki.RoleSede, "S1")
	sent := &recorder{next: hc.Transport}
	hc.Transport = sent
	return client.New(client.Config{URL: env.URL, HTTP: hc, Sede: "S1", Local: ls, Desk: pinsede.NewDesk(ls, nil, clock), Now: clock}), sent
}

// wantKeptPulled checks that c, whose push centrale refused for its
// store, is online with fault, Online false, its 3 events kept, and
// that it pulled all the same (sent).
func wantKeptPulled(t *testing.T, when string, c *client.Client, sent *recorder, fault client.Fault) {
	t.Helper()
	wantState(t, when, c, client.Online, fault, false)
	if st := c.State(); st.Pending != 3 {
		t.Errorf("outbox, %s: %d pending, want 3", when, st.Pending)
	}
	sent.mu.Lock()
	defer sent.mu.Unlock()
	if !slices.Contains(sent.paths, "GET /v1/changes") {
		t.Errorf("%s, the desk did not pull with its push refused: it sent %q", when, sent.paths)
	}
}

// Ensure that a desk whose centrale's PostgreSQL refuses centrale's
// role (NOLOGIN, as a password rotated without centrale's configuration:
// 503 store-down without Retry-After) is told so, the fault
// store_refused, not busy: online, its outbox kept, its pull still sent,
// a PIN issued meanwhile pending (Online false), a lookup told the same;
// once the role logs in again its outbox goes. Before, it was the fault
// busy, which the desk tells as "L'archivio centrale è molto occupato".
func TestStoreRefusedDeskTold(t *testing.T) {
	testclock.RealDayOnly(t, "centrale's store refused, told")
	dsn, refuse := pgtest.RefusableRole(t, pgtest.DSN(t), "refused_desk")
	ctx := context.Background()
	store, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c, sent := deskWithThree(t, testenv.NewAt(t, store, testclock.Now), testclock.Now)

	refuse(true)
	store.Pool().Reset()
	if err := c.Sync(ctx); !isFault(err, client.FaultStoreRefused) {
		t.Errorf("sync with centrale's role refused: %v; want the fault store_refused", err)
	}
	wantKeptPulled(t, "centrale's role refused", c, sent, client.FaultStoreRefused)
	var p *pinsede.Problem
	if _, err := c.Credentials(ctx, storetest.CF(0)); !errors.As(err, &p) || p.Key != client.KeyLookupStoreRefused {
		t.Errorf("lookup with centrale's role refused: %v, want %s", err, client.KeyLookupStoreRefused)
	}

	refuse(false)
	if err := c.Sync(ctx); err != nil {
		t.Fatalf("sync once centrale's role logs in again: %v", err)
	}
	wantState(t, "centrale's role back", c, client.Online, client.FaultNone, true)
	if st := c.State(); st.Pending != 0 {
		t.Errorf("outbox once centrale's role logs in again: %d pending, want 0", st.Pending)
	}
}
