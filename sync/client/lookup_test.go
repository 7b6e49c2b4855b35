package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testnet"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// putOrdinario stores at sede s an active PIN ordinario of cf with the
// hash of pin, issued at issued, and queues its issue event.
func putOrdinario(t *testing.T, s *sedeDesk, cf pinsede.CodiceFiscale, id, pin string, issued time.Time) pinsede.Credential {
	t.Helper()
	c := pinsede.Credential{
		ID: id, CodiceFiscale: cf, Type: pinsede.Ordinario, State: pinsede.StateAttivo, PINHash: storetest.Hash(t, pin),
		IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued), IssuedBy: s.sess.Operator.ID, Sede: s.sess.Sede.Code,
	}
	err := s.store.Update(func(tx pinsede.Tx) error {
		if err := tx.PutCredential(c); err != nil {
			return err
		}
		return tx.Enqueue(pinsede.Event{ID: "issued-" + id, Kind: pinsede.EventIssued, Time: issued, Sede: c.Sede, Credential: c})
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that a sede finds at centrale a PIN ordinario another sede
// issued, converts it at its desk, and that centrale accepts it: the PIN
// verifies as dispositivo at once, the converting sede's copy has no hash,
// and the issuing sede's copy becomes dispositivo at its next pull.
func TestConvertAcrossSedi(t *testing.T) {
	testclock.RealDayOnly(t, "a conversion across sedi")
	const pin = "ACEFHJKMNPRTUVWX"
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			ctx := context.Background()
			roma, mila := newSedeDesk(t, env, "ROMA01"), newSedeDesk(t, env, "MILA01")
			roma.desk.Central = roma.client
			cf := person(1).CodiceFiscale
			ord := putOrdinario(t, mila, cf, "mila-ord", pin, testclock.Now().AddDate(0, -1, 0)) // a month ago
			if err := mila.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}

			found, err := roma.desk.CentralCredentials(ctx, roma.sess, cf)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].ID != ord.ID || found[0].Type != pinsede.Ordinario || found[0].Sede != "MILA01" ||
				found[0].State != pinsede.StateAttivo || found[0].PINHash != "" || !found[0].ExpiresAt.Equal(ord.ExpiresAt) {
				t.Fatalf("found %+v", found)
			}
			if _, err := roma.desk.ConvertCentral(ctx, roma.sess, cf, ord.ID, verification()); err != nil {
				t.Fatal(err)
			}
			if err := roma.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if na, _ := deskOn(roma.store).NotAcceptedEvents(); len(na) != 0 {
				t.Fatalf("ROMA01's events not accepted: %+v", na)
			}
			if c := roma.credential(t, ord.ID); c.PINHash != "" || c.Type != pinsede.Dispositivo || c.Sede != "MILA01" {
				t.Errorf("ROMA01's copy %+v", c)
			}

			portal := env.Client(t, pki.RolePortal, "PORTALE")
			got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pin})
			if got.Outcome != wire.ChangeRequired || got.Type != pinsede.Dispositivo {
				t.Fatalf("after the conversion: %+v, want change_required, dispositivo", got)
			}

			if err := mila.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			c := mila.credential(t, ord.ID)
			if c.Type != pinsede.Dispositivo || c.ConvertedBy != "ROMA01" || c.ConvertedAt.IsZero() || c.PINHash != ord.PINHash {
				t.Errorf("MILA01's copy after its pull: %+v", c)
			}
			if a := mila.audit(t, cf); len(a) == 0 || a[len(a)-1].Action != pinsede.ActionConverted || a[len(a)-1].Actor != pinsede.ActorCentrale {
				t.Errorf("MILA01's audit %+v", a)
			}
			if again, err := roma.desk.CentralCredentials(ctx, roma.sess, cf); err != nil || len(again) != 0 {
				t.Errorf("ROMA01 looks up again: %+v, %v (its copy is known)", again, err)
			}
		})
	}
}

// Ensure that a lookup that cannot reach centrale, or that centrale
// refuses, is a problem the desk can tell in words, and wraps the cause.
func TestLookupFails(t *testing.T) {
	env := testenv.New(t, stores[0].open(t)) // bolt
	closed := "https://" + testnet.RefusedAddr(t)
	for _, tc := range []struct {
		name string
		url  string
		http *http.Client
		key  string
	}{
		{"unreachable", closed, env.Client(t, pki.RoleSede, "ROMA01"), client.KeyLookupUnreachable},
		{"kiosk certificate", env.URL, env.Client(t, pki.RoleKiosk, "ROMA01"), client.KeyLookupCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, _, _ := newLocal(t)
			defer ls.Close()
			c := client.New(client.Config{URL: tc.url, HTTP: tc.http, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
			_, err := c.Credentials(context.Background(), person(1).CodiceFiscale)
			var p *pinsede.Problem
			if !errors.As(err, &p) || p.Key != tc.key || p.Err == nil {
				t.Fatalf("got %v, want a problem %s", err, tc.key)
			}
		})
	}
}

// Ensure that a lookup centrale refuses for its rate (429, the
// certificate's lookups spent) is told as centrale being busy, to try
// again in a minute: it said "Centrale non raggiungibile: ha risposto con
// un errore (Too many lookups)", in English within the Italian.
func TestLookupRateLimited(t *testing.T) {
	env := testenv.New(t, stores[0].open(t)) // bolt
	env.Server.SetLookupLimits(server.LookupLimits{Rate: 1.0 / 3600, Burst: 1})
	ls, _, _ := newLocal(t)
	defer ls.Close()
	c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	if _, err := c.Credentials(context.Background(), person(1).CodiceFiscale); err != nil {
		t.Fatalf("the first lookup: %v", err)
	}
	_, err := c.Credentials(context.Background(), person(2).CodiceFiscale)
	var p *pinsede.Problem
	if !errors.As(err, &p) || p.Key != client.KeyLookupBusy || p.Err == nil {
		t.Fatalf("got %v, want a problem %s", err, client.KeyLookupBusy)
	}
}
