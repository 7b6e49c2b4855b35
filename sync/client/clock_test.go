package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a desk whose clock runs ahead of centrale's by more than
// -max-clock-skew (a PC set to the Italian time in the UTC time zone is
// an hour or two ahead) loses none of the PINs it issues: centrale
// refuses the push whole and stores nothing, the events stay in the
// outbox, none is "not accepted", and the state says the desk's clock is
// ahead; once centrale's clock reaches the events' time the same push
// goes through, and the citizen's PIN works at the portal.
func TestDeskClockAhead(t *testing.T) {
	var mu sync.Mutex
	centraleNow := testclock.Now()
	centraleClock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return centraleNow
	}
	ahead := time.Hour
	deskClock := func() time.Time { return testclock.Now().Add(ahead) }

	env := testenv.NewAt(t, stores[0].open(t), centraleClock)
	ls, _, _ := newLocal(t)
	defer ls.Close()
	printer := &capture{}
	desk := pinsede.NewDesk(ls, printer, deskClock)
	desk.PasswordParams = testenv.CheapArgon2
	sess := &pinsede.Session{Operator: pinsede.Operator{ID: "op1", Name: "Maria Bianchi", Role: pinsede.RoleOperatore},
		Sede: pinsede.Sede{Code: "ROMA01", Name: "Roma Centro", Address: "Via Ciro il Grande 21, Roma"}, Started: deskClock()}
	ctx := context.Background()
	req := person(1)
	if _, err := desk.Issue(ctx, sess, req, verification()); err != nil {
		t.Fatal(err)
	}
	c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls,
		Desk: pinsede.NewDesk(ls, nil, deskClock), Now: deskClock})
	desk.Link = c

	err := c.Sync(ctx)
	if err == nil {
		t.Fatal("a push of events an hour ahead of centrale's clock was taken")
	}
	if f, _ := client.Classify(err); f != client.FaultClock {
		t.Errorf("fault %v (%v), want %v", f, err, client.FaultClock)
	}
	if s := c.State(); s.Pending != 1 || len(s.NotAccepted) != 0 || s.Fault != client.FaultClock {
		t.Errorf("state after the refused push: pending %d, not accepted %+v, fault %v; want the issue pending, none not accepted, %v",
			s.Pending, s.NotAccepted, s.Fault, client.FaultClock)
	}
	if n, _ := env.Store.Events(ctx); n != 0 {
		t.Errorf("centrale stored %d events of the refused push", n)
	}
	// The desk now knows its clock is ahead: it issues no more PINs that
	// would not work, and says by how much.
	var p *pinsede.Problem
	if _, err := desk.Issue(ctx, sess, person(2), verification()); !errors.Is(err, pinsede.ErrClockAhead) || !errors.As(err, &p) {
		t.Errorf("second issue with the clock an hour ahead: %v, want it refused (ErrClockAhead)", err)
	} else if d := p.Args["Ahead"].(time.Duration) - ahead; d.Abs() > time.Second {
		t.Errorf("refusal says the clock is %v ahead, want %v", p.Args["Ahead"], ahead)
	}
	if printer.count() != 1 {
		t.Errorf("%d slips printed, want the first only", printer.count())
	}

	mu.Lock()
	centraleNow = centraleNow.Add(ahead - central.DefaultMaxSkew)
	mu.Unlock()
	if err := c.Sync(ctx); err != nil {
		t.Fatalf("sync once centrale's clock is within the skew: %v", err)
	}
	if s := c.State(); s.Pending != 0 || len(s.NotAccepted) != 0 || s.Fault != client.FaultNone {
		t.Errorf("state after the push: %+v", s)
	}
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last()}); got.Outcome != wire.ChangeRequired {
		t.Errorf("first login with the PIN issued: %+v, want change_required", got)
	}
	// Within the skew again: the desk issues, and the issue goes through.
	if _, err := desk.Issue(ctx, sess, person(2), verification()); err != nil {
		t.Fatalf("issue with the clock within the skew: %v", err)
	}
	if err := c.Sync(ctx); err != nil {
		t.Fatalf("sync of the second issue: %v", err)
	}
	if s := c.State(); s.Pending != 0 || len(s.NotAccepted) != 0 {
		t.Errorf("state after the second push: %+v", s)
	}
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
