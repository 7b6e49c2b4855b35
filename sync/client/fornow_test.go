package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// linkedDesk opens a desk of sede code against env on clock, whose Link
// is its sync client: its slips say whether their PIN is pending.
func linkedDesk(t *testing.T, env *testenv.Env, code string, clock func() time.Time) *sedeDesk {
	t.Helper()
	ls, _, _ := newLocal(t)
	t.Cleanup(func() { ls.Close() })
	desk := pinsede.NewDesk(ls, &capture{}, clock)
	desk.PasswordParams = testenv.CheapArgon2
	c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, code), Sede: code, Local: ls, Desk: desk, Now: clock})
	desk.Link = c
	return &sedeDesk{
		store:  ls,
		desk:   desk,
		sess:   sessionOn(t, ls, pinsede.Operator{ID: "op-" + code, Name: "Operatore " + code, Role: pinsede.RoleOperatore}, pinsede.Sede{Code: code, Name: code}),
		client: c,
	}
}

// wantState fails the test unless c's state is status with fault, and
// its Online is online.
func wantState(t *testing.T, when string, c *client.Client, status client.Status, fault client.Fault, online bool) {
	t.Helper()
	if s := c.State(); s.Status != status || s.Fault != fault || c.Online() != online {
		t.Errorf("%s: %v, fault %v, Online() %v (%s); want %v, fault %v, Online() %v", when, s.Status, s.Fault, c.Online(), s.LastError, status, fault, online)
	}
}

// Ensure that a desk that centrale limits for its volume of events still
// pulls: its sync goes on past the push refused 429 (and past the push
// held back at the next sync), its cursor advances and a revocation of
// one of its PINs (another sede's newer PIN for the same citizen) comes
// in; the desk is online with the fault "limited", and its new PIN's
// slip says pending activation, since centrale does not take its
// pushes. Before, the state said offline (and before Retry-After was
// kept, the pull was not even sent: no revocation, no other desk's PIN,
// until the bucket refilled, up to a day). On both stores.
func TestLimitedDeskStillPulls(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testclock.Now
			env := testenv.NewAt(t, st.open(t), clock)
			env.Server.SetPushVolume(server.PushVolume{Events: wire.MaxBatch + 100, Refill: 24 * time.Hour})
			mila, roma := linkedDesk(t, env, "MILA01", clock), linkedDesk(t, env, "ROMA01", clock)
			req := person(7)
			fromMila, err := mila.desk.Issue(ctx, mila.sess, req, verificationOn(clock()))
			if err != nil {
				t.Fatal(err)
			}
			if err := mila.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			enqueue(t, mila.store, "MILA01", 1000, 2*wire.MaxBatch) // a push of 500 taken, the next refused
			if err := mila.client.Sync(ctx); !isFault(err, client.FaultLimited) {
				t.Fatalf("MILA01's sync past its volume: %v; want it limited", err)
			}
			wantState(t, "MILA01 limited", mila.client, client.Online, client.FaultLimited, false)

			// ROMA01 issues for the same citizen, later: its PIN wins.
			if _, err := roma.desk.Issue(ctx, roma.sess, req, verificationOn(clock())); err != nil {
				t.Fatal(err)
			}
			if err := roma.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			before, _ := mila.store.SyncCursor()
			if err := mila.client.Sync(ctx); !isFault(err, client.FaultLimited) {
				t.Fatalf("MILA01's sync, its push held back: %v; want it limited", err)
			}
			after, _ := mila.store.SyncCursor()
			if after <= before {
				t.Errorf("MILA01's cursor %d, %d before: it did not pull", after, before)
			}
			if c := mila.credential(t, fromMila.Credential.ID); c.State != pinsede.StateRevocato || c.RevokedBy != pinsede.ActorCentrale {
				t.Errorf("MILA01's PIN superseded by ROMA01's: %s by %q; want revocato by centrale", c.State, c.RevokedBy)
			}
			if rv := mila.client.State().Revoked; len(rv) != 1 || rv[0].CredentialID != fromMila.Credential.ID {
				t.Errorf("MILA01's state shows revoked %+v", rv)
			}
			wantState(t, "MILA01 limited, pulled", mila.client, client.Online, client.FaultLimited, false)
			out, err := mila.desk.Issue(ctx, mila.sess, person(8), verificationOn(clock()))
			if err != nil {
				t.Fatal(err)
			}
			if !out.Pending {
				t.Errorf("MILA01's new PIN, its pushes refused: its slip says active; want pending activation")
			}
		})
	}
}

// heldPulls is a store whose pulls of sede ROMA01 tell entered and wait
// for release: the pull holds its slot.
type heldPulls struct {
	central.Store
	entered chan struct{}
	release chan struct{}
}

func (s heldPulls) Changes(ctx context.Context, sede string, after uint64, limit int, f *central.ChangeFilter) ([]wire.Change, uint64, uint64, error) {
	if sede == "ROMA01" {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.Store.Changes(ctx, sede, after, limit, f)
}

// Ensure that a pull refused busy (503, centrale's one pull slot held by
// another sede's) does not make offline a desk whose push went through:
// the desk is online with the fault "busy", its PIN's slip says active
// (centrale took it), and once the slot is free, after the Retry-After,
// the next sync pulls and the fault is gone. Before, the desk was
// offline and its new slips said "PIN pending activation". On both
// stores.
func TestBusyPullLeavesDeskOnline(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			clock, set := movedClock(testclock.Now())
			held := heldPulls{st.open(t), make(chan struct{}), make(chan struct{})}
			env := testenv.NewAt(t, held, clock)
			env.Server.SetPullLimits(server.PullLimits{Slots: 1, Queue: 1, Wait: 50 * time.Millisecond})
			rl, _, _ := newLocal(t)
			roma := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: rl, Desk: deskOn(rl), Now: clock})
			pulled := make(chan error, 1)
			go func() { // ROMA01's pull holds the one slot
				_, err := roma.Pull(ctx)
				pulled <- err
			}()
			<-held.entered
			released := false
			release := func() {
				if !released {
					close(held.release)
					released = true
				}
			}
			defer release()

			mila := linkedDesk(t, env, "MILA01", clock)
			if _, err := mila.desk.Issue(ctx, mila.sess, person(7), verificationOn(clock())); err != nil {
				t.Fatal(err)
			}
			if err := mila.client.Sync(ctx); !isFault(err, client.FaultBusy) {
				t.Fatalf("MILA01's sync, the pull slot held: %v; want busy", err)
			}
			if n, _ := mila.store.OutboxLen(); n != 0 {
				t.Fatalf("MILA01's outbox holds %d: its push did not go", n)
			}
			wantState(t, "MILA01's pull refused busy", mila.client, client.Online, client.FaultBusy, true)
			out, err := mila.desk.Issue(ctx, mila.sess, person(8), verificationOn(clock()))
			if err != nil {
				t.Fatal(err)
			}
			if out.Pending {
				t.Errorf("MILA01's new PIN, its pushes taken: its slip says pending; want active")
			}

			release()
			if err := <-pulled; err != nil {
				t.Fatalf("ROMA01's pull: %v", err)
			}
			set(clock().Add(time.Minute)) // past the Retry-After
			if err := mila.client.Sync(ctx); err != nil {
				t.Fatalf("MILA01's sync, the slot free: %v", err)
			}
			wantState(t, "MILA01's sync, the slot free", mila.client, client.Online, client.FaultNone, true)
		})
	}
}

// isFault reports whether err is of fault f (client.Classify).
func isFault(err error, f client.Fault) bool {
	got, _ := client.Classify(err)
	return err != nil && got == f
}
