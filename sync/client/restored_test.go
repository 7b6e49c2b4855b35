package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// restoring is a desk of ROMA01, on a store in a temporary folder, and a
// centrale on a store of its own, on one clock.
type restoring struct {
	env           *testenv.Env
	clock         func() time.Time
	hc            *http.Client
	store         *local.Store
	path, keyPath string
}

// newRestoring starts centrale on the store open makes, and creates the
// desk's store.
func newRestoring(t *testing.T, open func(testing.TB) central.Store) restoring {
	t.Helper()
	r := restoring{clock: testclock.Stepping(time.Microsecond)}
	r.env = testenv.NewAt(t, open(t), r.clock)
	r.store, r.path, r.keyPath = newLocal(t)
	r.hc = r.env.Client(t, pki.RoleSede, "ROMA01")
	return r
}

// client returns a sync client of the desk on s, to centrale at url.
func (r restoring) client(url string, s *local.Store) *client.Client {
	return client.New(client.Config{URL: url, HTTP: r.hc, Sede: "ROMA01", Local: s, Desk: deskOn(s), Now: r.clock})
}

// backupOf copies ls into a temporary folder, and returns the copy's path.
func backupOf(t *testing.T, ls *local.Store) string {
	t.Helper()
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	if _, err := ls.BackupFile(copyPath); err != nil {
		t.Fatal(err)
	}
	return copyPath
}

// restore closes ls, restores the copy at copyPath in its place (path,
// keyPath) and opens it.
func restore(t *testing.T, ls *local.Store, copyPath, path, keyPath string, now time.Time) *local.Store {
	t.Helper()
	ls.Close()
	if _, err := local.Restore(copyPath, path, keyPath, now); err != nil {
		t.Fatal(err)
	}
	s, err := local.Open(path, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Ensure that a desk restored from a copy older than what centrale holds,
// once it writes past the copy, is told the fork for what it is
// (FaultAuditFork, not a generic error of centrale's "retrying
// automatically"), stays Online with its pull going on (it gets back its
// records newer than the copy), and says false to Online(): its new
// slips say their PIN waits for activation, as the portal answers wrong
// for it until centrale's operator confirms the restore; after the reset
// the next sync goes through and the PIN works.
func TestRestoredDeskToldFork(t *testing.T) {
	testclock.RealDayOnly(t, "a restored desk told of its fork")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRestoring(t, st.open)
			env, clock, ls, path, keyPath := r.env, r.clock, r.store, r.path, r.keyPath
			ctx := context.Background()
			newClient := func(s *local.Store) *client.Client { return r.client(env.URL, s) }
			issueAudited(t, ls, "ROMA01", 0, 5)
			if err := newClient(ls).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			copyPath := backupOf(t, ls)
			head, err := ls.AuditHead()
			if err != nil {
				t.Fatal(err)
			}
			issueAudited(t, ls, "ROMA01", 5, 4)
			if err := newClient(ls).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			restored := restore(t, ls, copyPath, path, keyPath, clock())
			c := newClient(restored)
			issueAudited(t, restored, "ROMA01", 20, 1) // a citizen served after the restore
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			verify := func() wire.Outcome {
				t.Helper()
				var got wire.VerifyResponse
				if err := testenv.Call(portal, env.URL+"/v1/pin/verify",
					wire.VerifyRequest{CodiceFiscale: string(storetest.CF(20)), PIN: "ACEFHJKMNPRTUVWX"}, &got); err != nil {
					t.Fatal(err)
				}
				return got.Outcome
			}
			err = c.Sync(ctx)
			if f, _ := client.Classify(err); f != client.FaultAuditFork {
				t.Fatalf("sync of the restored desk: %v, fault %v; want %v", err, f, client.FaultAuditFork)
			}
			s := c.State()
			if s.Status != client.Online || s.Fault != client.FaultAuditFork || s.Pending == 0 || c.Online() {
				t.Fatalf("state after the sync: status %v, fault %v, pending %d, Online() %v; want online, %v, pending, Online() false",
					s.Status, s.Fault, s.Pending, c.Online(), client.FaultAuditFork)
			}
			if got := creds(t, restored, storetest.CF(5)); len(got) != 1 {
				t.Errorf("the pull went on: %d credential(s) got back of those issued after the copy, want 1", len(got))
			}
			if got := verify(); got != wire.Wrong {
				t.Errorf("portal, PIN issued after the restore, before centrale confirms it: %s, want %s", got, wire.Wrong)
			}
			if _, err := env.Store.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: head.Chain, To: head.Seq,
				By: "centrale:rossi", Reason: "ripristino da copia", At: clock()}); err != nil {
				t.Fatal(err)
			}
			if err := c.Sync(ctx); err != nil {
				t.Fatalf("sync after the reset: %v", err)
			}
			if s := c.State(); s.Fault != client.FaultNone || s.Pending != 0 || !c.Online() {
				t.Errorf("state after the reset: fault %v, pending %d, Online() %v", s.Fault, s.Pending, c.Online())
			}
			if got := verify(); got == wire.Wrong {
				t.Errorf("portal, PIN issued after the restore, after the reset: %s", got)
			}
		})
	}
}

// Ensure that a desk restored from a copy gets back, at its first sync,
// what it did after the copy and centrale holds: the PIN it issued then
// (its citizen's page and the handover list show it again), once: the
// PIN issued before the copy and pushed after it (in the copy's outbox)
// is not doubled, nor is anything at a later pull, which no longer asks
// for the desk's own events.
func TestRestoredDeskGetsBackOwn(t *testing.T) {
	testclock.RealDayOnly(t, "a restored desk getting back its own")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRestoring(t, st.open)
			env, clock, ls, path, keyPath := r.env, r.clock, r.store, r.path, r.keyPath
			ctx := context.Background()
			newClient := func(s *local.Store) *client.Client { return r.client(env.URL, s) }
			op, sede := pinsede.Operator{ID: "op1", Name: "Op", Role: pinsede.RoleOperatore}, pinsede.Sede{Code: "ROMA01", Name: "Roma"}
			issue := func(s *local.Store, i int) pinsede.Credential {
				t.Helper()
				d := pinsede.NewDesk(s, &capture{}, clock)
				out, err := d.Issue(ctx, sessionOn(t, s, op, sede), person(i), verification())
				if err != nil {
					t.Fatal(err)
				}
				return out.Credential
			}
			sync := func(c *client.Client) {
				t.Helper()
				if err := c.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
			issue(ls, 0)
			sync(newClient(ls))
			inOutbox := issue(ls, 2) // in the copy's outbox, pushed after it
			copyPath := backupOf(t, ls)
			after := issue(ls, 1) // served after the copy
			sync(newClient(ls))

			restored := restore(t, ls, copyPath, path, keyPath, clock())
			if on, err := restored.RecoveringOwn(); err != nil || !on {
				t.Fatalf("restored store marked to get back its own events: %v, %v", on, err)
			}
			c := newClient(restored)
			// Its new audit entries go past the copy: centrale refuses
			// its chain until its operator confirms the restore, and the
			// pull goes on meanwhile.
			if err := c.Sync(ctx); err != nil {
				if f, _ := client.Classify(err); f != client.FaultAuditFork {
					t.Fatalf("first sync of the restored desk: %v", err)
				}
			}
			check := func(when string) {
				t.Helper()
				for _, cr := range []pinsede.Credential{after, inOutbox} {
					got := creds(t, restored, cr.CodiceFiscale)
					if len(got) != 1 || got[0].ID != cr.ID || got[0].StateAt(clock()) != pinsede.StateAttivo {
						t.Errorf("%s: the restored desk holds %d credential(s) of %s, want %s active", when, len(got), cr.CodiceFiscale, cr.ID)
					}
					if n := issueEntries(t, restored, cr); n != 1 {
						t.Errorf("%s: %d issue entries of %s in the audit, want 1", when, n, cr.SlipSerial)
					}
				}
				us, err := deskOn(restored).PendingHandovers(sessionOn(t, restored, op, sede))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(us, func(u pinsede.Unhanded) bool { return u.Credential == after.ID }) {
					t.Errorf("%s: handover list %+v lacks %s, issued after the copy", when, us, after.SlipSerial)
				}
			}
			check("after the first sync")
			if on, err := restored.RecoveringOwn(); err != nil || on {
				t.Fatalf("after the recovery, the store still asks for its own events: %v, %v", on, err)
			}
			if st := c.State(); st.NotRecovered {
				t.Errorf("state says not recovered from a centrale that sent them")
			}
			c.Sync(ctx) // refused at push as above, or through: its pull applies nothing again
			check("after a second sync")
		})
	}
}

// Ensure that a desk restored from a copy, pulling from a centrale of
// before the recovery (which ignores own=1, as any unknown parameter),
// says that it could not get back its own records (NotRecovered), pulls
// on as before and asks no more.
func TestRestoredDeskOldCentrale(t *testing.T) {
	testclock.RealDayOnly(t, "a restored desk and an older centrale")
	r := newRestoring(t, stores[0].open)
	clock, ls, path, keyPath := r.clock, r.store, r.path, r.keyPath
	// centrale of before: the same server, the query's own left unread.
	inner := r.env.Server.Handler()
	old := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		q.Del("own")
		req.URL.RawQuery = q.Encode()
		inner.ServeHTTP(w, req)
	}))
	old.TLS = r.env.HTTP.TLS
	old.StartTLS()
	t.Cleanup(old.Close)
	ctx := context.Background()
	newClient := func(s *local.Store) *client.Client { return r.client(old.URL, s) }
	enqueue(t, ls, "ROMA01", 0, 2)
	if err := newClient(ls).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	copyPath := backupOf(t, ls)
	enqueue(t, ls, "ROMA01", 2, 1)
	if err := newClient(ls).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	restored := restore(t, ls, copyPath, path, keyPath, clock())
	c := newClient(restored)
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if !c.State().NotRecovered {
		t.Errorf("state after the pull from a centrale of before: NotRecovered false, want true")
	}
	if got := creds(t, restored, storetest.CF(2)); len(got) != 0 {
		t.Errorf("got back %d credential(s) from a centrale that does not send them", len(got))
	}
	if on, err := restored.RecoveringOwn(); err != nil || on {
		t.Errorf("the store still asks for its own events: %v, %v", on, err)
	}
}

// creds returns the credentials s holds of cf.
func creds(t *testing.T, s *local.Store, cf pinsede.CodiceFiscale) (out []pinsede.Credential) {
	t.Helper()
	err := s.View(func(tx pinsede.Tx) error {
		var err error
		out, err = tx.Credentials(cf)
		return err
	})
	if err != nil && !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatal(err)
	}
	return out
}

// issueEntries counts the audit entries of s that record the issue of c.
func issueEntries(t *testing.T, s *local.Store, c pinsede.Credential) int {
	t.Helper()
	n := 0
	err := s.View(func(tx pinsede.Tx) error {
		es, err := tx.AuditFor(c.CodiceFiscale)
		for _, e := range es {
			if e.Credential == c.ID && e.Action == pinsede.ActionIssued {
				n++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
