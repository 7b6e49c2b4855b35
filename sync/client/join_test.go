package client_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// cutPulls is a transport that cuts the link at the pull numbered cut
// (from 1), and passes every other request on.
type cutPulls struct {
	next  http.RoundTripper
	pulls atomic.Int32
	cut   int32
}

var errLinkCut = errors.New("link cut by the test")

func (c *cutPulls) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/v1/changes") && c.pulls.Add(1) == c.cut {
		return nil, errLinkCut
	}
	return c.next.RoundTrip(r)
}

// records is what a desk holds of the sede, to compare two desks: the
// sede, the operator accounts as they travel, and the credentials of
// the codici fiscali given as they travel (no print of another desk's).
func records(t *testing.T, ls *local.Store, cfs []pinsede.CodiceFiscale) (pinsede.Sede, []pinsede.Operator, []pinsede.Credential) {
	t.Helper()
	var (
		sede  pinsede.Sede
		ops   []pinsede.Operator
		creds []pinsede.Credential
	)
	err := ls.View(func(tx pinsede.Tx) error {
		var err error
		if sede, err = tx.Sede(); err != nil {
			return err
		}
		all, err := tx.Operators()
		for _, o := range all {
			o = o.Shared()
			o.CreatedAt = time.Time{}
			ops = append(ops, o)
		}
		if err != nil {
			return err
		}
		for _, cf := range cfs {
			cs, err := tx.Credentials(cf)
			if err != nil {
				return err
			}
			for _, c := range cs {
				c.PrintedAt = time.Time{}
				creds = append(creds, c)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sede, ops, creds
}

// Ensure that a new desk joins a sede with no set-up of its own, against
// a real centrale on both stores: on an empty store, with its own
// certificate, it pulls the sede's records that desk A made (the sede,
// its supervisor, an operator, PINs issued and handed over) in pages,
// each telling its progress; the link cut after two pages, and the desk
// stopped and started again on its store, it resumes from the page it
// applied last, and ends with A's records, each once, its outbox empty;
// then A's supervisor and operator log in at it. The desk of another
// sede gets none of it.
func TestJoinSede(t *testing.T) {
	testclock.RealDayOnly(t, "a desk joining its sede")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			a := newDeskPC(t, env, clock, "ROMA01", "01")
			milano := newDeskPC(t, env, clock, "MILA01", "01")
			const pw = "password-di-luca"
			addOperator(t, a.desk, a.sess, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: pw})
			var cfs []pinsede.CodiceFiscale
			for i := range 6 {
				issued, err := a.desk.Issue(ctx, a.sess, person(i), verification())
				if err != nil {
					t.Fatal(err)
				}
				cfs = append(cfs, issued.Credential.CodiceFiscale)
				if i%2 == 0 {
					if _, err := a.desk.RecordHandover(a.sess, issued.Credential.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			a.sync(t)
			milano.sync(t)

			// The new desk: an empty store, its certificate, a link cut at
			// the third page of three changes.
			ls, path, keyPath := newLocal(t)
			ls.SetDesk("04")
			open := func(ls *local.Store, cut int32) (*pinsede.Desk, *client.Client) {
				d := pinsede.NewDesk(ls, &capture{}, clock)
				d.DeskID, d.PINParams, d.PasswordParams = "04", testenv.CheapArgon2, testenv.CheapArgon2
				cfg, _ := env.DeskTLS(t, "ROMA01", "04")
				tr := &cutPulls{next: &http.Transport{TLSClientConfig: cfg}, cut: cut}
				return d, client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: tr},
					Sede: "ROMA01", Local: ls, Desk: d, Now: clock, PullPage: 3})
			}
			j, jc := open(ls, 3)
			if need, err := j.NeedsSetup(); err != nil || !need {
				t.Fatalf("an empty store: NeedsSetup %v, %v", need, err)
			}
			var seen []pinsede.CatchUp
			got, err := jc.CatchUp(ctx, func(p pinsede.CatchUp) { seen = append(seen, p) })
			if !errors.Is(err, errLinkCut) || got != 6 || len(seen) != 2 {
				t.Fatalf("cut at the third page: %d changes, %d pages told, %v; want 6, 2 and the cut", got, len(seen), err)
			}
			if p := seen[1]; p.From != 0 || p.Applied != 6 || p.Cursor <= seen[0].Cursor || p.Fraction() <= 0 || p.Fraction() >= 1 {
				t.Errorf("progress after two pages: %+v (%.2f), want part of the way", p, p.Fraction())
			}
			if need, _ := j.NeedsSetup(); need {
				t.Error("the sede's set-up, in the first page, is not applied")
			}
			cursor, err := ls.SyncCursor()
			if err != nil || cursor != seen[1].Cursor {
				t.Errorf("cursor stored %d, %v; want the second page's %d", cursor, err, seen[1].Cursor)
			}

			// Stopped and started again on its store: it resumes.
			if err := ls.Close(); err != nil {
				t.Fatal(err)
			}
			ls, err = local.Open(path, keyPath)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ls.Close() })
			ls.SetDesk("04")
			j, jc = open(ls, 0)
			seen = nil
			if _, err := jc.CatchUp(ctx, func(p pinsede.CatchUp) { seen = append(seen, p) }); err != nil {
				t.Fatal(err)
			}
			last := seen[len(seen)-1]
			if seen[0].From != cursor || last.Fraction() != 1 || last.Cursor != last.Latest {
				t.Errorf("the resumed catch-up: first %+v, last %+v; want from the stored cursor to the newest change", seen[0], last)
			}

			sa, oa, ca := records(t, a.ls, cfs)
			sj, oj, cj := records(t, ls, cfs)
			if sa != sj {
				t.Errorf("sede at the new desk %+v, at A %+v", sj, sa)
			}
			if !reflect.DeepEqual(oa, oj) {
				t.Errorf("operators at the new desk %+v,\nat A %+v", oj, oa)
			}
			if len(ca) != 6 || !reflect.DeepEqual(ca, cj) {
				t.Errorf("credentials at the new desk %+v,\nat A %+v", cj, ca)
			}
			for i, cf := range cfs {
				want := "issued"
				if i%2 == 0 {
					want += " handed_over"
				}
				var acts []string
				err := ls.View(func(tx pinsede.Tx) error {
					es, err := tx.AuditFor(cf)
					for _, e := range es {
						acts = append(acts, strings.TrimPrefix(string(e.Action), "credential."))
					}
					return err
				})
				if got := strings.Join(acts, " "); err != nil || got != want {
					t.Errorf("audit of %s at the new desk: %q, %v; want %q, each act once", cf, got, err, want)
				}
			}
			if n, err := ls.OutboxLen(); err != nil || n != 0 {
				t.Errorf("the new desk's outbox: %d, %v; want empty", n, err)
			}
			if _, err := j.Login("sup", "password-lunga"); err != nil {
				t.Errorf("A's supervisor at the new desk: %v", err)
			}
			if _, err := j.Login("l.verdi", pw); err != nil {
				t.Errorf("A's operator at the new desk: %v", err)
			}
			if _, err := milano.desk.Login("l.verdi", pw); !errors.Is(err, pinsede.ErrBadCredentials) {
				t.Errorf("at MILA01: %v, want unknown", err)
			}
		})
	}
}

// Ensure that a lock-out after failed logins at desk A reaches desk C of
// the sede through a real centrale on both stores, as far as the link
// allows: C lets the operator in before its pull, refuses them after it,
// and lets them in again once a supervisor at A has unlocked the account
// and C has pulled the unlock.
func TestLockOutAcrossDesks(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			a := newDeskPC(t, env, clock, "ROMA01", "01")
			c := newDeskPC(t, env, clock, "ROMA01", "03")
			const pw = "password-di-luca"
			addOperator(t, a.desk, a.sess, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: pw})
			a.sync(t)
			c.sync(t)
			for range pinsede.MaxFailedLogins {
				a.desk.Login("l.verdi", "sbagliata-sbagliata")
			}
			a.sync(t)
			if _, err := c.desk.Login("l.verdi", pw); err != nil {
				t.Errorf("at C before its pull: %v, want in (C knows nothing yet)", err)
			}
			c.sync(t)
			if _, err := c.desk.Login("l.verdi", pw); !errors.Is(err, pinsede.ErrBadCredentials) {
				t.Errorf("at C after its pull: %v, want refused", err)
			}
			if err := a.desk.UnlockOperator(a.sess, "l.verdi"); err != nil {
				t.Fatal(err)
			}
			a.sync(t)
			c.sync(t)
			if _, err := c.desk.Login("l.verdi", pw); err != nil {
				t.Errorf("at C after the unlock at A: %v", err)
			}
			for _, x := range []*deskPC{a, c} {
				if n, err := x.desk.NotAcceptedEvents(); err != nil || len(n) != 0 {
					t.Errorf("desk %s: events not accepted %+v, %v", x.id, n, err)
				}
			}
		})
	}
}
