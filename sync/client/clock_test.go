package client_test

import (
	"context"
	"sync"
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
}
