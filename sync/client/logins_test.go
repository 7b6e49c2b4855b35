package client_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// The tests of the sede's count of failed logins, through a real
// centrale on both stores: each failure at a desk travels as an event,
// each desk counts the failures it knows since the last right password it
// knows, and locks at pinsede.MaxFailedLogins.

const (
	lucaPW  = "password-di-luca"
	wrongPW = "sbagliata-sbagliata"
)

// linkSwitch is a transport whose link can be cut and restored.
type linkSwitch struct {
	next http.RoundTripper
	down atomic.Bool
}

func (l *linkSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	if l.down.Load() {
		return nil, errLinkCut
	}
	return l.next.RoundTrip(r)
}

// offlineable gives x a sync client whose link the returned switch cuts.
func offlineable(t *testing.T, env *testenv.Env, clock func() time.Time, sede string, x *deskPC) *linkSwitch {
	t.Helper()
	cfg, _ := env.DeskTLS(t, sede, x.id)
	sw := &linkSwitch{next: &http.Transport{TLSClientConfig: cfg}}
	x.c = client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: sw}, Sede: sede, Local: x.ls, Desk: x.desk, Now: clock})
	return sw
}

// threeDesks runs test on each store, with a centrale of its own on the
// suite's clock, and desks 01, 02 and 03 of ROMA01 on it, the account
// l.verdi added at the first and pulled by the others.
func threeDesks(t *testing.T, test func(t *testing.T, env *testenv.Env, clock func() time.Time, a, b, c *deskPC)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			var ds []*deskPC
			for _, id := range []string{"01", "02", "03"} {
				ds = append(ds, newDeskPC(t, env, clock, "ROMA01", id))
			}
			addOperator(t, ds[0].desk, ds[0].sess, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: lucaPW})
			for _, x := range ds {
				x.sync(t)
			}
			test(t, env, clock, ds[0], ds[1], ds[2])
		})
	}
}

// wrongAt types n wrong passwords of l.verdi at x.
func wrongAt(t *testing.T, x *deskPC, n int) {
	t.Helper()
	for range n {
		if _, err := x.desk.Login("l.verdi", wrongPW); !errors.Is(err, pinsede.ErrBadCredentials) {
			t.Fatalf("desk %s: a wrong password: %v", x.id, err)
		}
	}
}

// failures returns the failed logins of l.verdi that x counts.
func failures(t *testing.T, x *deskPC) int {
	t.Helper()
	var op pinsede.Operator
	if err := x.ls.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator("l.verdi"); return err }); err != nil {
		t.Fatal(err)
	}
	return op.FailedLogins
}

// settle syncs each desk in turn, twice: what a desk's pull made it
// send (a lock-out) reaches centrale, and the others pull it.
func settle(t *testing.T, desks ...*deskPC) {
	t.Helper()
	for range 2 {
		for _, x := range desks {
			x.sync(t)
		}
	}
}

// wantCounted checks that every desk counts n failures of l.verdi and
// lets in the right password (locked false) or refuses it (locked true);
// that their outboxes were empty (a lock-out sent by two desks is a
// duplicate, acknowledged) and that centrale accepted all they sent.
func wantCounted(t *testing.T, n int, locked bool, desks ...*deskPC) {
	t.Helper()
	for _, x := range desks {
		if na, err := x.desk.NotAcceptedEvents(); err != nil || len(na) != 0 {
			t.Errorf("desk %s: events not accepted %+v, %v", x.id, na, err)
		}
		if p, err := x.ls.OutboxLen(); err != nil || p != 0 {
			t.Errorf("desk %s: %d events pending, %v", x.id, p, err)
		}
		if got := failures(t, x); got != n {
			t.Errorf("desk %s counts %d failed logins, want %d", x.id, got, n)
		}
		_, err := x.desk.Login("l.verdi", lucaPW)
		if locked && !errors.Is(err, pinsede.ErrBadCredentials) || !locked && err != nil {
			t.Errorf("desk %s, the right password: %v; want locked %t", x.id, err, locked)
		}
	}
}

// Ensure that 3 wrong passwords at desk A and 2 at desk B, typed before
// either pulls, lock the account at A, B and C once each has pulled the
// others' (A pulls once more to get B's), through a real centrale on
// both stores; and that C, cut off while they were typed, lets the
// operator in on what it knows, and catches up when its link returns.
func TestFailedLoginsAcrossDesks(t *testing.T) {
	threeDesks(t, func(t *testing.T, env *testenv.Env, clock func() time.Time, a, b, c *deskPC) {
		link := offlineable(t, env, clock, "ROMA01", c)
		link.down.Store(true)
		wrongAt(t, a, 3)
		wrongAt(t, b, 2)
		a.sync(t)
		b.sync(t)
		a.sync(t)
		if err := c.c.Sync(context.Background()); err == nil {
			t.Fatal("desk 03 synced with its link cut")
		}
		if _, err := c.desk.Login("l.verdi", lucaPW); err != nil {
			t.Errorf("desk 03, offline, knowing no failure: %v, want in", err)
		}
		link.down.Store(false)
		settle(t, c, b, a)
		wantCounted(t, 5, true, a, b, c)
	})
}

// Ensure that a right password at desk B after 3 failures at desk A,
// which B pulled, clears the count at A, B and C after their pulls, so
// that 4 more wrong passwords at A lock nothing anywhere; and that the
// failures, pulled twice by C (its cursor lost with a pull's answer),
// count once.
func TestLoginResetsAcrossDesks(t *testing.T) {
	threeDesks(t, func(t *testing.T, _ *testenv.Env, _ func() time.Time, a, b, c *deskPC) {
		wrongAt(t, a, 3)
		a.sync(t)
		b.sync(t)
		if err := c.ls.Update(func(tx pinsede.Tx) error { return tx.SetSyncCursor(0) }); err != nil {
			t.Fatal(err)
		}
		c.sync(t)
		c.sync(t)
		if n := failures(t, c); n != 3 {
			t.Fatalf("desk 03 counts %d failures after pulling desk 01's 3 (from the start), want 3", n)
		}
		if n := failures(t, b); n != 3 {
			t.Fatalf("desk 02 counts %d failures after pulling desk 01's 3, want 3", n)
		}
		if _, err := b.desk.Login("l.verdi", lucaPW); err != nil {
			t.Fatal(err)
		}
		settle(t, b, a, c)
		wantCounted(t, 0, false, a, b, c)
		wrongAt(t, a, pinsede.MaxFailedLogins-1)
		settle(t, a, b, c)
		wantCounted(t, pinsede.MaxFailedLogins-1, false, a, b, c)
	})
}

// Ensure that wrong passwords typed at two desks at once, released
// together, and pushed at once, are all counted: at each desk where they
// were typed, and at every desk of the sede after the pulls.
func TestFailedLoginsAtOnce(t *testing.T) {
	threeDesks(t, func(t *testing.T, _ *testenv.Env, _ func() time.Time, a, b, c *deskPC) {
		const each = 3 // two desks: 6, past the lock-out
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 2*each+2)
		for _, x := range []*deskPC{a, b} {
			for range each {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if _, err := x.desk.Login("l.verdi", wrongPW); !errors.Is(err, pinsede.ErrBadCredentials) {
						errs <- err
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		if n, m := failures(t, a), failures(t, b); n != each || m != each {
			t.Fatalf("typed at once, desk 01 counts %d failures and desk 02 %d; want %d each", n, m, each)
		}
		start = make(chan struct{})
		for _, x := range []*deskPC{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := x.c.Sync(context.Background()); err != nil {
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		settle(t, a, b, c)
		wantCounted(t, 2*each, true, a, b, c)
	})
}
