package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// Ensure that a visit that creates no credential reaches centrale: a
// desk records a citizen's choice of SPID and refuses a PIN to a resident
// of Italy, syncs, and centrale holds both events, with the desk's outbox
// empty and no event not accepted.
func TestOutcomesReachCentrale(t *testing.T) {
	testclock.RealDayOnly(t, "outcomes reaching centrale")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			ctx := context.Background()
			roma := newSedeDesk(t, env, "ROMA01")
			if err := roma.desk.RecordDigitalIdentityChoice(roma.sess, person(1), "SPID"); err != nil {
				t.Fatal(err)
			}
			resident := person(2)
			resident.Residenza = pinsede.Address{Street: "Via Roma 1", CAP: "00184", City: "Roma", Province: "RM", Country: "IT"}
			if _, err := roma.desk.Issue(ctx, roma.sess, resident, verification()); !errors.Is(err, pinsede.ErrNotEligible) {
				t.Fatalf("a resident of Italy: %v, want a refusal", err)
			}
			if n, err := roma.store.OutboxLen(); err != nil || n != 2 {
				t.Fatalf("outbox before the sync: %d, %v; want the 2 events", n, err)
			}
			if err := roma.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if n, err := env.Store.Events(ctx); err != nil || n != 2 {
				t.Errorf("centrale holds %d events, %v; want 2", n, err)
			}
			if n, err := roma.store.OutboxLen(); err != nil || n != 0 {
				t.Errorf("outbox after the sync: %d, %v", n, err)
			}
			if na, err := deskOn(roma.store).NotAcceptedEvents(); err != nil || len(na) != 0 {
				t.Errorf("not accepted: %+v, %v", na, err)
			}
			if recs, err := env.Store.Credentials(ctx, resident.CodiceFiscale); err != nil || len(recs) != 0 {
				t.Errorf("centrale's credentials of the refused citizen: %+v, %v", recs, err)
			}
		})
	}
}
