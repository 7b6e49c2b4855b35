package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	"github.com/pinsede/pinsede/ui/i18n"
)

// Ensure that a desk whose clock runs ahead of centrale's by more than
// -max-clock-skew (a PC set to the Italian time in the UTC time zone is
// an hour or two ahead) loses none of the PINs it issued before it knew,
// and that none waits: the push says what the desk's clock reads, and
// centrale keeps the events in its own clock, an hour back, the expiry
// with the issue; none is "not accepted", the citizen's PIN works at the
// portal at once, and the desk, which now knows its clock is ahead,
// issues no more PINs until it is put right. On both stores.
func TestDeskClockAhead(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			cd := newClockDesk(t, st.open(t))
			env, pc, printer, ahead := cd.env, cd.pc, cd.printer, time.Hour
			ctx := context.Background()
			req, cred := cd.issue(t)
			cd.sync(t, pc.c)
			rec := centralRecord(t, env, req.CodiceFiscale, cred.ID)
			if want := cred.IssuedAt.Add(-ahead); !rec.Credential.IssuedAt.Equal(want) || !storetest.ExpiryKept(rec.Credential, cred) {
				t.Errorf("centrale keeps the issue at %v, expiring %v; want an hour back, %v, and the expiry the issue plus %d months as far off as the desk's %v, or the slip's moved with the issue",
					rec.Credential.IssuedAt, rec.Credential.ExpiresAt, want, pinsede.ValidityMonths, cred.ExpiresAt)
			}
			if local := heldCredential(t, pc, cred.ID); !local.IssuedAt.Equal(cred.IssuedAt) {
				t.Errorf("the desk's record moved: issued %v, want its own %v", local.IssuedAt, cred.IssuedAt)
			}
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last()}); got.Outcome != wire.ChangeRequired {
				t.Errorf("first login with the PIN issued: %+v, want change_required", got)
			}
			// The desk now knows its clock is ahead: it issues no more PINs,
			// whose slips would carry its dates, and says by how much.
			var p *pinsede.Problem
			if _, err := pc.desk.Issue(ctx, pc.sess, person(2), verification()); !errors.Is(err, pinsede.ErrClockAhead) || !errors.As(err, &p) {
				t.Errorf("second issue with the clock an hour ahead: %v, want it refused (ErrClockAhead)", err)
			} else if d := p.Args["Ahead"].(time.Duration) - ahead; d.Abs() > time.Second {
				t.Errorf("refusal says the clock is %v ahead, want %v", p.Args["Ahead"], ahead)
			}
			if printer.count() != 1 {
				t.Errorf("%d slips printed, want the first only", printer.count())
			}
		})
	}
}

// Ensure that a PIN issued while the desk's clock ran an hour ahead,
// before the desk knew, then revoked once the clock was put right, is
// refused at the portal as soon as the desk syncs: the issue does not
// hold the revocation back until centrale's clock reaches its time.
// Centrale keeps both in its clock, the issue no later than the
// revocation nor than its own clock, the expiry the issue plus its
// validity; the desk keeps its own times, its audit entries go through
// and its chain holds every head centrale keeps (pinctl audit verify:
// the chain is not moved), and another desk of the sede pulls the PIN
// revoked. On both stores.
func TestDeskClockPutRight(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			cd := newClockDesk(t, st.open(t))
			env, pc, printer := cd.env, cd.pc, cd.printer
			req, cred := cd.issue(t)
			cd.ahead.Store(0) // the clerk puts the clock right
			revoked, err := pc.desk.Revoke(pc.sess, cred.ID, "richiesta del cittadino")
			if err != nil {
				t.Fatal(err)
			}
			cd.sync(t, pc.c)
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last()}); got.Outcome != wire.Revoked {
				t.Errorf("login with the revoked PIN: %+v, want revoked", got)
			}
			rec := centralRecord(t, env, req.CodiceFiscale, cred.ID)
			c := rec.Credential
			if rec.Status != central.StatusRevoked || !c.RevokedAt.Equal(revoked.RevokedAt) {
				t.Errorf("centrale holds %s, revoked at %v; want revoked at %v", rec.Status, c.RevokedAt, revoked.RevokedAt)
			}
			if c.IssuedAt.After(c.RevokedAt) || c.IssuedAt.After(testclock.Now()) || c.PrintedAt.After(c.RevokedAt) {
				t.Errorf("centrale keeps the issue at %v, printed %v, revoked %v, its clock %v: want none after the revocation", c.IssuedAt, c.PrintedAt, c.RevokedAt, testclock.Now())
			}
			if !storetest.ExpiryKept(c, cred) {
				t.Errorf("centrale keeps the issue at %v, expiring %v; the desk's %v, %v: want the issue plus %d months as far off as the desk's, or the slip's expiry moved with the issue", c.IssuedAt, c.ExpiresAt, cred.IssuedAt, cred.ExpiresAt, pinsede.ValidityMonths)
			}
			if local := heldCredential(t, pc, cred.ID); !local.IssuedAt.Equal(cred.IssuedAt) {
				t.Errorf("the desk's record moved: issued %v, want its own %v", local.IssuedAt, cred.IssuedAt)
			}
			// pinctl audit verify: the desk's chain holds every head centrale
			// keeps of it, its times as the desk stamped them.
			if r, err := checkAnchors(context.Background(), pc.c, pc.ls); err != nil || r.Matched == 0 || len(r.Problems) != 0 {
				t.Errorf("the desk's chain against centrale's heads: %+v (%v); want every head held", r, err)
			}
			other := newDeskPC(t, env, testclock.Now, "ROMA01", "02")
			other.sync(t)
			if got := heldCredential(t, other, cred.ID); got.State != pinsede.StateRevocato || !got.IssuedAt.Equal(c.IssuedAt) {
				t.Errorf("the other desk holds the PIN %s, issued %v; want revoked, issued %v as centrale", got.State, got.IssuedAt, c.IssuedAt)
			}
		})
	}
}

// clockDesk is centrale on a clock, the suite's unless a test says, and
// desk 01 of ROMA01, whose clock runs ahead of it by ahead (an hour until
// a test puts it right), its sync client its link.
type clockDesk struct {
	env     *testenv.Env
	now     func() time.Time // centrale's clock
	pc      *deskPC
	printer *capture
	ahead   *atomic.Int64
}

// newClockDesk starts a clockDesk on store, on the suite's clock.
func newClockDesk(t *testing.T, store central.Store) *clockDesk {
	t.Helper()
	return newClockDeskAt(t, store, testclock.Now)
}

// newClockDeskAt starts a clockDesk on store, centrale's clock now.
func newClockDeskAt(t *testing.T, store central.Store, now func() time.Time) *clockDesk {
	t.Helper()
	cd := &clockDesk{env: testenv.NewAt(t, store, now), now: now, ahead: new(atomic.Int64)}
	cd.ahead.Store(int64(time.Hour))
	cd.pc = newDeskPC(t, cd.env, cd.clock, "ROMA01", "01")
	cd.pc.desk.Link = cd.pc.c
	cd.printer = cd.pc.desk.Printer.(*capture)
	return cd
}

// clock is the desk's clock.
func (cd *clockDesk) clock() time.Time { return cd.now().Add(time.Duration(cd.ahead.Load())) }

// issue issues a PIN to person(1), and returns the request and the
// credential as the desk keeps it.
func (cd *clockDesk) issue(t *testing.T) (pinsede.Request, pinsede.Credential) {
	t.Helper()
	req := person(1)
	is, err := cd.pc.desk.Issue(context.Background(), cd.pc.sess, req, verification())
	if err != nil {
		t.Fatal(err)
	}
	return req, is.Credential
}

// sync syncs the desk through c, and checks that every event went and
// was accepted, and that the state tells no fault.
func (cd *clockDesk) sync(t *testing.T, c *client.Client) {
	t.Helper()
	if err := c.Sync(context.Background()); err != nil {
		t.Fatalf("sync with the desk's clock %v ahead: %v", time.Duration(cd.ahead.Load()), err)
	}
	if s := c.State(); s.Pending != 0 || len(s.NotAccepted) != 0 || s.Fault != client.FaultNone {
		t.Errorf("state after the push: pending %d, not accepted %+v, fault %v; want all accepted", s.Pending, s.NotAccepted, s.Fault)
	}
}

// centralRecord returns the record centrale holds of credential id of cf.
func centralRecord(t *testing.T, env *testenv.Env, cf pinsede.CodiceFiscale, id string) central.Record {
	t.Helper()
	recs, err := env.Store.Credentials(context.Background(), cf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Credential.ID == id {
			return r
		}
	}
	t.Fatalf("centrale holds no credential %s of %s", id, cf)
	return central.Record{}
}

// heldCredential returns the credential id the desk holds.
func heldCredential(t *testing.T, d *deskPC, id string) pinsede.Credential {
	t.Helper()
	var c pinsede.Credential
	if err := d.ls.View(func(tx pinsede.Tx) (err error) {
		c, err = tx.Credential(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that the desk measures how far its clock is from centrale's at
// every sync, from the Date of centrale's answers (written from centrale's
// clock, the test's) and the skew centrale says it allows: a desk an hour
// ahead is told so (ClockAhead, which refuses its issues), one within
// centrale's skew (here 30 minutes, not the default 15: the desk takes
// centrale's) or behind is not, one behind is told Behind; and a sync
// that does not reach centrale forgets the reading.
func TestClockOffset(t *testing.T) {
	const skew = 30 * time.Minute
	env := testenv.NewAt(t, stores[0].open(t), testclock.Now)
	limits := testenv.Limits
	limits.MaxSkew = skew
	env.Server.SetLimits(limits)
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		offset        time.Duration // the desk's clock minus centrale's
		ahead, behind bool
	}{
		{"ahead an hour", time.Hour + 2*time.Minute, true, false},
		{"ahead within the skew", 20 * time.Minute, false, false},
		{"behind an hour", -time.Hour - 2*time.Minute, false, true},
		{"on time", 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, _, _ := newLocal(t)
			defer ls.Close()
			deskClock := func() time.Time { return testclock.Now().Add(tc.offset) }
			c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls,
				Desk: pinsede.NewDesk(ls, nil, deskClock), Now: deskClock})
			if got := c.ClockAhead(); got != 0 {
				t.Errorf("before any sync: ClockAhead %v, want 0 (unknown)", got)
			}
			if err := c.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			r := c.State().Clock
			if d := r.Offset - tc.offset; d.Abs() > r.Error || r.Error > 2*time.Second {
				t.Errorf("measured offset %v ± %v, want %v", r.Offset, r.Error, tc.offset)
			}
			if r.MaxSkew != skew || !r.At.Equal(deskClock()) {
				t.Errorf("reading %+v: want centrale's skew %v, measured at %v", r, skew, deskClock())
			}
			if got := c.ClockAhead(); (got != 0) != tc.ahead || tc.ahead && got != r.Offset {
				t.Errorf("ClockAhead %v, want ahead %v (%v)", got, tc.ahead, r.Offset)
			}
			if got := r.Behind(); (got != 0) != tc.behind {
				t.Errorf("Behind %v, want behind %v", got, tc.behind)
			}
		})
	}

	// A sync that does not reach centrale, stopped by a proxy (whose Date
	// is its own clock's) or by no answer at all: the PC's clock may be
	// put right meanwhile, and the desk cannot tell; it issues as before.
	ls, _, _ := newLocal(t)
	defer ls.Close()
	deskClock := func() time.Time { return testclock.Now().Add(time.Hour) }
	hc := env.Client(t, pki.RoleSede, "ROMA01")
	proxy := &proxyDown{next: hc.Transport}
	hc.Transport = proxy
	c := client.New(client.Config{URL: env.URL, HTTP: hc, Sede: "ROMA01", Local: ls,
		Desk: pinsede.NewDesk(ls, nil, deskClock), Now: deskClock})
	for _, down := range []func(){func() { proxy.down.Store(true) }, env.HTTP.Close} {
		proxy.down.Store(false)
		if err := c.Sync(ctx); err != nil || c.ClockAhead() == 0 {
			t.Fatalf("sync: %v, ClockAhead %v, want an hour", err, c.ClockAhead())
		}
		down()
		if err := c.Sync(ctx); err == nil {
			t.Fatal("sync with centrale down: no error")
		}
		if s := c.State(); s.Clock != (pinsede.ClockReading{}) || c.ClockAhead() != 0 {
			t.Errorf("after a sync that did not reach centrale: reading %+v, ClockAhead %v; want none", s.Clock, c.ClockAhead())
		}
	}
}

// proxyDown is a transport that answers as a proxy in front of centrale
// would while centrale is down: 502, with a Date of its own clock (a day
// off), while down is set.
type proxyDown struct {
	next http.RoundTripper
	down atomic.Bool
}

func (p *proxyDown) RoundTrip(req *http.Request) (*http.Response, error) {
	if !p.down.Load() {
		return p.next.RoundTrip(req)
	}
	h := http.Header{"Date": {testclock.Now().Add(-24 * time.Hour).UTC().Format(http.TimeFormat)}}
	return &http.Response{StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway", Header: h,
		Body: io.NopCloser(strings.NewReader("bad gateway")), Request: req}, nil
}

// Ensure that a push whose answer is lost, sent while the desk's clock
// ran an hour ahead, and sent again once it was put right, with another
// reading of the clock, is applied once: every event a duplicate the
// second time, the issue kept at the time the first push put it at, an
// hour back. On both stores.
func TestDeskClockReplay(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			cd := newClockDesk(t, st.open(t))
			env, pc := cd.env, cd.pc
			cfg, _ := env.DeskTLS(t, "ROMA01", "01")
			lost := &lostAnswer{next: &http.Transport{TLSClientConfig: cfg}}
			lost.lose.Store(true)
			c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: lost},
				Sede: "ROMA01", Local: pc.ls, Desk: pc.desk, Now: cd.clock})
			ctx := context.Background()
			req, cred := cd.issue(t)
			if err := c.Sync(ctx); err == nil {
				t.Fatal("sync whose answer was lost: no error")
			}
			n, err := env.Store.Events(ctx)
			if err != nil || n == 0 {
				t.Fatalf("centrale holds %d events of the push whose answer was lost (%v)", n, err)
			}
			cd.ahead.Store(0)
			cd.sync(t, c)
			if again, err := env.Store.Events(ctx); err != nil || again != n {
				t.Errorf("centrale holds %d events after the replay, want %d (%v)", again, n, err)
			}
			if rec := centralRecord(t, env, req.CodiceFiscale, cred.ID); !rec.Credential.IssuedAt.Equal(cred.IssuedAt.Add(-time.Hour)) {
				t.Errorf("centrale keeps the issue at %v, want %v as the first push put it", rec.Credential.IssuedAt, cred.IssuedAt.Add(-time.Hour))
			}
		})
	}
}

// lostAnswer is a transport that loses the answer of the first push
// while lose is set: centrale applied it, the desk never hears.
type lostAnswer struct {
	next http.RoundTripper
	lose atomic.Bool
}

func (l *lostAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil || req.URL.Path != "/v1/events" || !l.lose.CompareAndSwap(true, false) {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection lost after the push was sent")
}

// Ensure that a desk whose clock runs more than a day ahead of centrale's
// (a PC set to another day), which issued two PINs before it knew, has
// its pushes refused whole and its outbox kept: the clerk is told, in
// Italian, that the PC's clock is ahead and must be put right (the sync
// state's fault is the clock's, with the reading the status bar writes;
// a new PIN is refused with the words to fix it), and may still revoke
// a PIN; and that once the clock is put right the outbox drains at the
// next sync, every event accepted once, none lost nor doubled, the
// times still a day ahead kept no later than centrale's clock (the act
// was done before the push came): one PIN works at the portal, the
// revoked one is refused. On both stores.
func TestDeskClockDayAhead(t *testing.T) {
	if err := i18n.Load("it"); err != nil {
		t.Fatal(err)
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			cd := newClockDesk(t, st.open(t))
			env, pc, printer := cd.env, cd.pc, cd.printer
			ctx := context.Background()
			ahead := central.MaxAhead + time.Hour
			cd.ahead.Store(int64(ahead))
			var creds []pinsede.Credential
			pins := map[string]string{}
			for i := 1; i <= 2; i++ {
				is, err := pc.desk.Issue(ctx, pc.sess, person(i), verification())
				if err != nil {
					t.Fatal(err)
				}
				creds, pins[is.Credential.ID] = append(creds, is.Credential), printer.last()
			}
			outbox := func() int {
				n, err := pc.ls.OutboxLen()
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			refused := func(when string) {
				t.Helper()
				err := pc.c.Sync(ctx)
				var p *wire.Problem
				if !errors.As(err, &p) || p.Type != wire.ProblemClockAhead {
					t.Fatalf("%s: sync with the clock %v ahead: %v, want centrale's %s", when, ahead, err, wire.ProblemClockAhead)
				}
				s := pc.c.State()
				if s.Status != client.Offline || s.Fault != client.FaultClock || s.Pending != outbox() || s.Pending == 0 {
					t.Errorf("%s: state %s, fault %v, %d pending; want offline, the clock's fault, the %d events of the outbox waiting", when, s.Status, s.Fault, s.Pending, outbox())
				}
				// The status bar and the details write the reading: the PC's
				// clock so far ahead (sync.fault.clock.ahead).
				if got := s.Clock.Ahead(); (got-ahead).Abs() > s.Clock.Error || s.Clock.Error > 2*time.Second {
					t.Errorf("%s: the reading says the clock is %v ahead (± %v), want %v", when, got, s.Clock.Error, ahead)
				}
				if n, err := env.Store.Events(ctx); err != nil || n != 0 {
					t.Errorf("%s: centrale stored %d events of pushes it refused (%v)", when, n, err)
				}
			}
			refused("first sync")
			_, err := pc.desk.Issue(ctx, pc.sess, person(3), verification())
			if msg := i18n.Message(err); !errors.Is(err, pinsede.ErrClockAhead) ||
				!strings.Contains(msg, "L'orologio di questo PC è avanti di 25 ore") || !strings.Contains(msg, "Fai correggere data, ora e fuso orario del PC") {
				t.Errorf("issue with the clock a day ahead: %v, the clerk reads %q; want it refused, saying the clock is 25 hours ahead and to put it right", err, msg)
			}
			if want := "L'orologio di questo PC è avanti di 25 ore rispetto all'archivio centrale, che non accetta i dati"; !strings.Contains(
				lang.L("sync.fault.clock.ahead", map[string]any{"Ahead": i18n.Duration(pc.c.State().Clock.Ahead())}), want) {
				t.Errorf("the sync details lack %q", want)
			}
			revoked, err := pc.desk.Revoke(pc.sess, creds[1].ID, "richiesta del cittadino")
			if err != nil {
				t.Fatal(err)
			}
			refused("sync after the revocation")
			n := outbox()

			cd.ahead.Store(0) // the clerk has the PC's clock put right
			cd.sync(t, pc.c)
			if got, err := env.Store.Events(ctx); err != nil || got != n {
				t.Errorf("centrale holds %d events, want the %d of the outbox (%v)", got, n, err)
			}
			cd.sync(t, pc.c)
			if got, err := env.Store.Events(ctx); err != nil || got != n {
				t.Errorf("after another sync centrale holds %d events, want %d (%v)", got, n, err)
			}
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			for i, c := range creds {
				want := wire.ChangeRequired
				if c.ID == revoked.ID {
					want = wire.Revoked
				}
				if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(c.CodiceFiscale), PIN: pins[c.ID]}); got.Outcome != want {
					t.Errorf("PIN %d at the portal: %+v, want %s", i+1, got, want)
				}
				rec := centralRecord(t, env, c.CodiceFiscale, c.ID).Credential
				if rec.IssuedAt.After(testclock.Now()) || !storetest.ExpiryKept(rec, c) {
					t.Errorf("centrale keeps PIN %d issued %v, expiring %v; want no later than its clock %v, expiring the issue plus %d months",
						i+1, rec.IssuedAt, rec.ExpiresAt, testclock.Now(), pinsede.ValidityMonths)
				}
				if c.ID == revoked.ID && (rec.RevokedAt.Before(rec.IssuedAt) || rec.RevokedAt.After(testclock.Now())) {
					t.Errorf("centrale keeps the revocation at %v, the issue at %v, its clock %v: want it after the issue, no later than the clock", rec.RevokedAt, rec.IssuedAt, testclock.Now())
				}
			}
		})
	}
}

// Ensure that a PIN issued on a desk whose clock ran an hour ahead, and
// revoked in another push once the clock was changed, is revoked at
// centrale no earlier than it was issued there, and refused at the
// portal after the sync: the issue pushed while the clock was ahead, the
// revocation once it was put right, or an hour behind; and the issue
// stamped ahead before the desk knew, pushed with the clock put right
// in a push of its own (a batch's end) and the revocation, made before
// that push, in the next. Centrale's clock moves at each read, as the
// desk's. On both stores.
func TestDeskClockRevokedApart(t *testing.T) {
	const hour = int64(time.Hour)
	for _, st := range stores {
		for _, tc := range []struct {
			name         string
			issue, later int64 // the desk's clock ahead at the issue and at the revocation
			syncIssue    bool  // the issue pushed before the revocation is made
		}{
			{"issue pushed ahead, revoked on time", hour, 0, true},
			{"issue pushed ahead, revoked behind", hour, -hour, true},
			{"issued ahead, revoked on time, pushed apart", hour, 0, false},
			{"issued ahead, revoked behind, pushed apart", hour, -hour, false},
		} {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				cd := newClockDeskAt(t, st.open(t), testclock.Stepping(time.Microsecond))
				env, pc, printer := cd.env, cd.pc, cd.printer
				// One event a push: the issue and its revocation go apart.
				cfg, _ := env.DeskTLS(t, "ROMA01", "01")
				c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
					Sede: "ROMA01", Local: pc.ls, Desk: pc.desk, Now: cd.clock, Batch: 1})
				cd.ahead.Store(tc.issue)
				req, cred := cd.issue(t)
				if tc.syncIssue {
					cd.sync(t, c)
				}
				cd.ahead.Store(tc.later)
				if _, err := pc.desk.Revoke(pc.sess, cred.ID, "richiesta del cittadino"); err != nil {
					t.Fatal(err)
				}
				cd.sync(t, c)
				portal := env.Client(t, pki.RolePortal, "PORTALE")
				if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last()}); got.Outcome != wire.Revoked {
					t.Errorf("login with the revoked PIN: %+v, want revoked", got)
				}
				rec := centralRecord(t, env, req.CodiceFiscale, cred.ID)
				c2 := rec.Credential
				if now := cd.now(); rec.Status != central.StatusRevoked || c2.RevokedAt.Before(c2.IssuedAt) || c2.PrintedAt.After(c2.RevokedAt) || c2.RevokedAt.After(now) {
					t.Errorf("centrale holds %s, issued %v, printed %v, revoked %v, its clock %v; want revoked, no earlier than issued and printed, no later than its clock",
						rec.Status, c2.IssuedAt, c2.PrintedAt, c2.RevokedAt, now)
				}
			})
		}
	}
}

// Ensure that pushes of one sede from two desks, one on centrale's clock
// and one three hours ahead, released together round after round, each
// with a PIN issued to the same citizen, are each moved by their own
// offset only: the first desk's issue kept as stamped, the second's
// three hours back, neither at the push's arrival; every event stored
// once; one active PIN for each citizen, the other superseded; and each
// desk's audit chain holding every head centrale keeps of it. On both
// stores.
func TestDeskClocksConcurrent(t *testing.T) {
	const rounds, ahead = 50, 3 * time.Hour
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			var elapsed atomic.Int64 // centrale's clock, from the suite's
			now := func() time.Time { return testclock.Now().Add(time.Duration(elapsed.Load())) }
			env := testenv.NewAt(t, st.open(t), now)
			ctx := context.Background()
			var gate atomic.Pointer[barrier]
			desks := []struct {
				pc     *deskPC
				c      *client.Client
				offset time.Duration
			}{{offset: 0}, {offset: ahead}}
			for i := range desks {
				d := &desks[i]
				clock := func() time.Time { return now().Add(d.offset) }
				d.pc = newDeskPC(t, env, clock, "ROMA01", fmt.Sprintf("%02d", i+1))
				cfg, _ := env.DeskTLS(t, "ROMA01", d.pc.id)
				d.c = client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &gated{next: &http.Transport{TLSClientConfig: cfg}, gate: &gate}},
					Sede: "ROMA01", Local: d.pc.ls, Desk: d.pc.desk, Now: clock})
				if err := d.c.Sync(ctx); err != nil {
					t.Fatalf("desk %s: %v", d.pc.id, err)
				}
			}
			for r := range rounds {
				req := person(10 + r)
				creds := make([]pinsede.Credential, len(desks))
				pending := 0
				for i, d := range desks {
					is, err := d.pc.desk.Issue(ctx, d.pc.sess, req, verification())
					if err != nil {
						t.Fatalf("round %d, desk %s: %v", r, d.pc.id, err)
					}
					creds[i] = is.Credential
					n, err := d.pc.ls.OutboxLen()
					if err != nil {
						t.Fatal(err)
					}
					pending += n
				}
				before, err := env.Store.Events(ctx)
				if err != nil {
					t.Fatal(err)
				}
				elapsed.Add(int64(time.Minute)) // the pushes leave a minute after the issues
				b := newBarrier(len(desks))
				gate.Store(b)
				errs := make(chan error, len(desks))
				for _, d := range desks {
					go func() {
						defer b.open() // a sync that fails before its push holds no one
						errs <- d.c.Sync(ctx)
					}()
				}
				for range desks {
					if err := <-errs; err != nil {
						t.Fatalf("round %d: %v", r, err)
					}
				}
				if after, err := env.Store.Events(ctx); err != nil || after-before != pending {
					t.Fatalf("round %d: centrale stored %d events, want the %d pushed, each once (%v)", r, after-before, pending, err)
				}
				active := 0
				for i, d := range desks {
					rec := centralRecord(t, env, req.CodiceFiscale, creds[i].ID)
					if want := creds[i].IssuedAt.Add(-d.offset); !rec.Credential.IssuedAt.Equal(want) || !storetest.ExpiryKept(rec.Credential, creds[i]) {
						t.Errorf("round %d, desk %s (%v ahead): centrale keeps the issue at %v, want %v, expiring the issue plus %d months",
							r, d.pc.id, d.offset, rec.Credential.IssuedAt, want, pinsede.ValidityMonths)
					}
					if s := d.c.State(); len(s.NotAccepted) != 0 {
						t.Fatalf("round %d, desk %s: not accepted %+v", r, d.pc.id, s.NotAccepted)
					}
					switch rec.Status {
					case central.StatusActive:
						active++
					case central.StatusSuperseded:
					default:
						t.Errorf("round %d, desk %s: the PIN is %s, want active or superseded", r, d.pc.id, rec.Status)
					}
				}
				if active != 1 {
					t.Errorf("round %d: %d active PINs of %s, want 1", r, active, req.CodiceFiscale)
				}
				elapsed.Add(int64(time.Minute))
			}
			gate.Store(nil)
			for _, d := range desks {
				if r, err := checkAnchors(ctx, d.c, d.pc.ls); err != nil || r.Matched == 0 || r.Others == 0 || r.Unheld != 0 || len(r.Problems) != 0 {
					t.Errorf("desk %s: its chain against centrale's heads: %+v (%v); want every head of it held, the other desk's apart", d.pc.id, r, err)
				}
			}
		})
	}
}

// gated is a transport whose pushes wait at the barrier gate holds,
// when one: the desks' pushes leave together.
type gated struct {
	next http.RoundTripper
	gate *atomic.Pointer[barrier]
}

func (g *gated) RoundTrip(req *http.Request) (*http.Response, error) {
	if b := g.gate.Load(); b != nil && req.Method == http.MethodPost && req.URL.Path == "/v1/events" {
		b.wait()
	}
	return g.next.RoundTrip(req)
}

// barrier lets its waiters go when n have come, or when opened.
type barrier struct {
	left  atomic.Int64
	ch    chan struct{}
	close sync.Once
}

// newBarrier returns a barrier for n waiters.
func newBarrier(n int) *barrier {
	b := &barrier{ch: make(chan struct{})}
	b.left.Store(int64(n))
	return b
}

// wait waits until n have come, or the barrier is opened.
func (b *barrier) wait() {
	if b.left.Add(-1) == 0 {
		b.open()
	}
	<-b.ch
}

// open lets every waiter go, now and after.
func (b *barrier) open() { b.close.Do(func() { close(b.ch) }) }

// Ensure that the slip of a PIN telefonico of a month, replaced on 31
// January at 23:30 on a desk an hour behind centrale's clock (1 February
// 00:30 there) with 40 minutes of the PIN's life left, reaches centrale
// accepted, expiring when the PIN it replaces expires there, and works at
// the portal; the replaced PIN does not. The desk has not synced since
// the PIN's issue, on the same clock (it would know its clock behind, and
// issue nothing: pinsede.ErrClockBehind): issue and replacement go in one
// push. Centrale's clock and the desk's are those days', in Rome. On both
// stores.
func TestTelephoneSlipMonthEnd(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			var at atomic.Pointer[time.Time] // centrale's clock
			set := func(t time.Time) { at.Store(&t) }
			now := func() time.Time { return *at.Load() }
			set(time.Date(2027, time.January, 1, 1, 10, 0, 0, rome))
			cd := newClockDeskAt(t, st.open(t), now)
			cd.ahead.Store(int64(-time.Hour))
			env, pc, printer := cd.env, cd.pc, cd.printer
			ctx := context.Background()
			req := person(1)
			old, err := pc.desk.IssueTelephonePIN(ctx, pc.sess, req, verificationOn(cd.clock()), pinsede.ValidityMonth)
			if err != nil {
				t.Fatal(err)
			}
			set(time.Date(2027, time.February, 1, 0, 30, 0, 0, rome)) // the PIN expires at 00:10 on the desk, 01:10 at centrale
			addOperator(t, pc.desk, pc.sess, pinsede.NewOperator{ID: "sup2", Name: "Carla Verdi", Role: pinsede.RoleSupervisore, Password: "password-sup2"})
			is, err := pc.desk.ReplaceSlip(ctx, pc.sess, old.Credential.ID, pinsede.ReasonSlipLost, verificationOn(cd.clock()), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
			if err != nil {
				t.Fatal(err)
			}
			cd.sync(t, pc.c)
			was := centralRecord(t, env, req.CodiceFiscale, old.Credential.ID).Credential
			rec := centralRecord(t, env, req.CodiceFiscale, is.Credential.ID)
			if c := rec.Credential; rec.Status != central.StatusActive || !c.ExpiresAt.Equal(was.ExpiresAt) || !c.IssuedAt.Equal(now()) {
				t.Errorf("centrale holds the replacement %s, issued %v, expiring %v; want active, issued %v, expiring with the PIN replaced, %v",
					rec.Status, c.IssuedAt, c.ExpiresAt, now(), was.ExpiresAt)
			}
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last(), Type: pinsede.Telefonico}); got.Outcome != wire.Valid {
				t.Errorf("the replacement PIN telefonico at the portal: %+v, want valid", got)
			}
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.pins[0], Type: pinsede.Telefonico}); got.Outcome == wire.Valid {
				t.Errorf("the replaced PIN telefonico at the portal: %+v, want refused", got)
			}
		})
	}
}

// Ensure that a conversion and a delegation's revocation made on a desk
// whose clock was put right (or an hour behind), of a PIN ordinario or a
// delegation recorded on it while it ran an hour ahead, before the desk
// knew, are kept at centrale no earlier than the record they act on:
// the record was pushed on its own with the clock put right (a batch's
// end), and centrale put it at that push's arrival, after the act made
// before that push and sent in the next. The PIN ordinario is one the
// desk holds (issued by it before PINs dispositivo only); the converted
// PIN verifies as dispositivo. Centrale's clock moves at each read, as
// the desk's. On both stores.
func TestDeskClockActsApart(t *testing.T) {
	const hour = int64(time.Hour)
	const pin = "ACEFHJKMNPRTUVWX"
	for _, st := range stores {
		for _, tc := range []struct {
			name       string
			later      int64 // the desk's clock ahead at the act
			delegation bool  // a delegation revoked; a PIN converted when not
		}{
			{"converted on time", 0, false},
			{"converted behind", -hour, false},
			{"delegation revoked on time", 0, true},
			{"delegation revoked behind", -hour, true},
		} {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				cd := newClockDeskAt(t, st.open(t), testclock.Stepping(time.Microsecond))
				env, pc := cd.env, cd.pc
				ctx := context.Background()
				// One event a push: the record and the act go apart.
				cfg, _ := env.DeskTLS(t, "ROMA01", "01")
				c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
					Sede: "ROMA01", Local: pc.ls, Desk: pc.desk, Now: cd.clock, Batch: 1})
				if tc.delegation {
					dl, err := pc.desk.RegisterDelegation(pc.sess, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: party(1), Delegato: party(2)})
					if err != nil {
						t.Fatal(err)
					}
					cd.ahead.Store(tc.later)
					if _, err := pc.desk.RevokeDelegation(pc.sess, dl.ID, "revocata dal delegante in sede"); err != nil {
						t.Fatal(err)
					}
					cd.sync(t, c)
					rec, err := env.Store.Delegation(ctx, dl.ID)
					if d := rec.Delegation; err != nil || rec.Status != central.DelegationRevoked || d.RevokedAt.Before(d.RegisteredAt) || d.RevokedAt.After(cd.now()) {
						t.Errorf("centrale holds the delegation %s, registered %v, revoked %v, its clock %v (%v); want revoked, no earlier than registered, no later than its clock",
							rec.Status, d.RegisteredAt, d.RevokedAt, cd.now(), err)
					}
					return
				}
				ord := putOrdinario(t, &sedeDesk{store: pc.ls, sess: pc.sess}, person(1).CodiceFiscale, "ord-1", pin, cd.clock())
				cd.ahead.Store(tc.later)
				if _, err := pc.desk.Convert(pc.sess, ord.ID, verificationOn(cd.clock())); err != nil {
					t.Fatal(err)
				}
				cd.sync(t, c)
				portal := env.Client(t, pki.RolePortal, "PORTALE")
				if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(ord.CodiceFiscale), PIN: pin}); got.Type != pinsede.Dispositivo {
					t.Errorf("login with the converted PIN: %+v, want dispositivo", got)
				}
				rec := centralRecord(t, env, ord.CodiceFiscale, ord.ID).Credential
				if now := cd.now(); rec.Type != pinsede.Dispositivo || rec.ConvertedAt.Before(rec.IssuedAt) || rec.ConvertedAt.After(now) {
					t.Errorf("centrale holds the PIN %s, issued %v, converted %v, its clock %v; want dispositivo, converted no earlier than issued, no later than its clock",
						rec.Type, rec.IssuedAt, rec.ConvertedAt, now)
				}
			})
		}
	}
}

// Ensure that a PIN whose validity is in months, issued on the last days
// of a month on a desk whose clock is an hour behind centrale's or ahead
// (its issue moved by centrale into the next day, or the day before,
// across the end of the month), ends at centrale as its slip says: the
// slip prints the expiry the desk keeps, the issue plus the validity by
// pinsede.AddMonths (a month from 31 January is the last day of
// February); centrale accepts it and keeps the instant the slip's expiry
// is in its clock, or, counted again by the same rule from the moved
// issue, a time on the day the slip prints, where the shorter month ends
// alike for the two issues (from 30 and 31 January). And that a PIN telefonico's slip replaced
// past midnight, on a clock that is right, keeps the day of the slip it
// replaces and is accepted: from 31 January at 23:30 to 1 February (a
// month from the replacement ends before 3 March, which AddDate made of
// the first), and from 30 January at 21:30 to 31 January (a month from
// the replacement ends at 00:30 on 28 February, before the first's
// 21:30). The days are those of the year after the suite's clock, and
// of the first leap year from it; centrale's clock and the desk's are
// those days', in Rome. On both stores.
func TestMonthEndExpiry(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	y := testclock.Now().In(rome).Year() + 1
	leap := y
	for time.Date(leap, time.February, 29, 0, 0, 0, 0, rome).Day() != 29 {
		leap++
	}
	on := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, rome) }
	const hour = time.Hour
	for _, st := range stores {
		for _, tc := range []struct {
			name     string
			issued   time.Time // on the desk's clock
			ahead    time.Duration
			validity pinsede.TelephoneValidity // "" for a PIN dispositivo
			replaced time.Time                 // when the slip is replaced, on the desk's clock; zero for none
		}{
			{"month from 31 January, behind", on(y, time.January, 31, 23, 30), -hour, pinsede.ValidityMonth, time.Time{}},
			{"month from 30 January, behind", on(y, time.January, 30, 23, 30), -hour, pinsede.ValidityMonth, time.Time{}},
			{"month from 1 February, ahead", on(y, time.February, 1, 0, 30), hour, pinsede.ValidityMonth, time.Time{}},
			{"month from 31 January of a leap year, behind", on(leap, time.January, 31, 23, 30), -hour, pinsede.ValidityMonth, time.Time{}},
			{"three months from 30 November, behind", on(y, time.November, 30, 23, 30), -hour, pinsede.ValidityThreeMonths, time.Time{}},
			{"six months from 31 August, behind", on(y, time.August, 31, 23, 30), -hour, "", time.Time{}},
			{"six months from 29 February, behind", on(leap, time.February, 29, 23, 30), -hour, "", time.Time{}},
			{"six months from 31 December, ahead", on(y, time.December, 31, 0, 30), hour, "", time.Time{}},
			{"month from 31 January, replaced on 1 February", on(y, time.January, 31, 23, 30), 0, pinsede.ValidityMonth, on(y, time.February, 1, 0, 30)},
			{"month from 30 January at 21:30, replaced on 31 January", on(y, time.January, 30, 21, 30), 0, pinsede.ValidityMonth, on(y, time.January, 31, 0, 30)},
		} {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				var at atomic.Pointer[time.Time] // centrale's clock
				set := func(t time.Time) { at.Store(&t) }
				now := func() time.Time { return *at.Load() }
				set(tc.issued.Add(-tc.ahead))
				cd := newClockDeskAt(t, st.open(t), now)
				cd.ahead.Store(int64(tc.ahead))
				env, pc, printer := cd.env, cd.pc, cd.printer
				ctx := context.Background()
				req := person(1)
				var is pinsede.Issued
				if tc.validity == "" {
					is, err = pc.desk.Issue(ctx, pc.sess, req, verificationOn(cd.clock()))
				} else {
					is, err = pc.desk.IssueTelephonePIN(ctx, pc.sess, req, verificationOn(cd.clock()), tc.validity)
				}
				if err != nil {
					t.Fatal(err)
				}
				end := func(c pinsede.Credential) time.Time {
					if c.Type == pinsede.Telefonico {
						return c.Validity.Expiry(c.IssuedAt)
					}
					return pinsede.Expiry(c.IssuedAt)
				}
				held := is.Credential
				if !tc.replaced.IsZero() {
					first := printer.lastExpiry()
					set(tc.replaced.Add(-tc.ahead))
					addOperator(t, pc.desk, pc.sess, pinsede.NewOperator{ID: "sup2", Name: "Carla Verdi", Role: pinsede.RoleSupervisore, Password: "password-sup2"})
					if is, err = pc.desk.ReplaceSlip(ctx, pc.sess, held.ID, pinsede.ReasonSlipLost, verificationOn(cd.clock()), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"}); err != nil {
						t.Fatal(err)
					}
					held = is.Credential
					if got := printer.lastExpiry(); pinsede.DateOf(got.In(rome)) != pinsede.DateOf(first.In(rome)) || got.After(first) || got.After(end(held)) {
						t.Errorf("the replacement slip prints %v; want the day of the slip replaced, %v, no later, nor after its own issue plus the validity", got, first)
					}
				} else if slip := printer.lastExpiry(); !slip.Equal(held.ExpiresAt) || !held.ExpiresAt.Equal(end(held)) {
					t.Errorf("the slip prints %v, the desk keeps %v; want both the issue %v plus the validity, %v", slip, held.ExpiresAt, held.IssuedAt, end(held))
				}
				slip := printer.lastExpiry()
				cd.sync(t, pc.c) // every event accepted
				c := centralRecord(t, env, req.CodiceFiscale, held.ID).Credential
				inClock := slip.Add(-tc.ahead) // the slip's expiry in centrale's clock
				if d := c.ExpiresAt.Sub(inClock); d.Abs() > central.ExpirySlack && pinsede.DateOf(c.ExpiresAt.In(rome)) != pinsede.DateOf(slip.In(rome)) {
					t.Errorf("centrale keeps the PIN expiring %v; its slip prints %v (%v in centrale's clock): want that instant, or the day it prints",
						c.ExpiresAt.In(rome), pinsede.DateOf(slip.In(rome)).Italian(), inClock.In(rome))
				}
			})
		}
	}
}

// Ensure that a PIN telefonico of a month issued on a desk whose clock
// ran two hours ahead, before the desk knew, whose slip is replaced once
// the clock was put right, reaches centrale accepted, issue and
// replacement pushed apart (the issue alone at a batch's end): the
// replacement keeps the expiry of the PIN it replaces no later than its
// own issue plus the month, which centrale checks. It kept the first
// slip's, two hours after that: centrale rejected it, and the citizen's
// new PIN never worked. It works at the portal, the replaced one does
// not, and it expires no later than the replaced one at centrale.
// Centrale's clock moves at each read, as the desk's. On both stores.
func TestDeskClockSlipReplacedApart(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			cd := newClockDeskAt(t, st.open(t), testclock.Stepping(time.Microsecond))
			cd.ahead.Store(int64(2 * time.Hour))
			env, pc, printer := cd.env, cd.pc, cd.printer
			ctx := context.Background()
			cfg, _ := env.DeskTLS(t, "ROMA01", "01")
			c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
				Sede: "ROMA01", Local: pc.ls, Desk: pc.desk, Now: cd.clock, Batch: 1})
			req := person(1)
			old, err := pc.desk.IssueTelephonePIN(ctx, pc.sess, req, verificationOn(cd.clock()), pinsede.ValidityMonth)
			if err != nil {
				t.Fatal(err)
			}
			cd.ahead.Store(0) // the clerk puts the clock right
			addOperator(t, pc.desk, pc.sess, pinsede.NewOperator{ID: "sup2", Name: "Carla Verdi", Role: pinsede.RoleSupervisore, Password: "password-sup2"})
			is, err := pc.desk.ReplaceSlip(ctx, pc.sess, old.Credential.ID, pinsede.ReasonSlipLost, verificationOn(cd.clock()), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
			if err != nil {
				t.Fatal(err)
			}
			cd.sync(t, c) // every event accepted
			was := centralRecord(t, env, req.CodiceFiscale, old.Credential.ID).Credential
			rec := centralRecord(t, env, req.CodiceFiscale, is.Credential.ID)
			if r := rec.Credential; rec.Status != central.StatusActive || r.ExpiresAt.After(was.ExpiresAt) || !r.ExpiresAt.After(r.IssuedAt) {
				t.Errorf("centrale holds the replacement %s, issued %v, expiring %v; want active, expiring after its issue and no later than the PIN replaced, %v",
					rec.Status, r.IssuedAt, r.ExpiresAt, was.ExpiresAt)
			}
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last(), Type: pinsede.Telefonico}); got.Outcome != wire.Valid {
				t.Errorf("the replacement PIN telefonico at the portal: %+v, want valid", got)
			}
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.pins[0], Type: pinsede.Telefonico}); got.Outcome == wire.Valid {
				t.Errorf("the replaced PIN telefonico at the portal: %+v, want refused", got)
			}
		})
	}
}
