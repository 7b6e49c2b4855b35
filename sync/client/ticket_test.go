package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a kiosk ticket of a day past in Italy is refused, however
// close to midnight (the kiosk's clock a few minutes behind), with a
// problem the kiosk takes to its spool folder, and nothing of it is
// stored: posted a minute after midnight, after the day's sweep, it
// outlived the whole next day with the citizen's request. A ticket of the
// new day goes to the sede's desk, and is wiped the day after. On both
// stores.
func TestKioskTicketAfterMidnight(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			midnight := central.NextDay(testclock.Now())
			now := midnight.Add(time.Minute)
			env := testenv.NewAt(t, st.open(t), func() time.Time { return now.UTC() })
			pc := newDeskPC(t, env, func() time.Time { return now.In(central.Italy) }, "ROMA01", "01")
			kiosk := kioskpost.Client{URL: env.URL, HTTP: env.Client(t, pki.RoleKiosk, "ROMA01"), Sede: "ROMA01"}
			env.Server.SweepTickets(ctx) // the timer's sweep of the new day

			late := storetest.Ticket("", "ACDEFG34", "K042", midnight.Add(-3*time.Minute))
			_, err := kiosk.Post(ctx, late)
			var p *wire.Problem
			if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || p.Type != wire.ProblemInvalidTicket {
				t.Errorf("a ticket of 23:57 posted at 00:01: %v, want it refused as %s", err, wire.ProblemInvalidTicket)
			}
			if _, err := env.Store.Ticket(ctx, "ROMA01", late.Code); !errors.Is(err, central.ErrNotFound) {
				t.Errorf("the ticket of the day before: %v, want none stored", err)
			}

			fresh := storetest.Ticket("", "HJKMNP67", "K001", midnight)
			if resp, err := kiosk.Post(ctx, fresh); err != nil || !resp.Stored {
				t.Fatalf("a ticket of 00:00 posted at 00:01: %+v, %v; want it stored", resp, err)
			}
			if err := pc.c.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			ts, err := pc.desk.Tickets(now.In(central.Italy))
			if err != nil || len(ts) != 1 || ts[0].Code != fresh.Code || ts[0].Request.CodiceFiscale == "" {
				t.Errorf("the desk's queue at 00:01: %+v, %v; want the new day's ticket with its request", ts, err)
			}

			now = central.NextDay(midnight).Add(time.Minute)
			env.Server.SweepTickets(ctx)
			if _, err := env.Store.Ticket(ctx, "ROMA01", fresh.Code); !errors.Is(err, central.ErrNotFound) {
				t.Errorf("the ticket the day after: %v, want it wiped", err)
			}
		})
	}
}
