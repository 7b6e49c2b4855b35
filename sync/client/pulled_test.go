package client_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// sedeDesk is one sede: its store, desk, session and sync client.
type sedeDesk struct {
	store  *local.Store
	desk   *pinsede.Desk
	sess   *pinsede.Session
	client *client.Client
}

// newSedeDesk opens a sede with code against env.
func newSedeDesk(t *testing.T, env *testenv.Env, code string) *sedeDesk {
	t.Helper()
	ls, _, _ := newLocal(t)
	t.Cleanup(func() { ls.Close() })
	desk := pinsede.NewDesk(ls, &capture{}, testclock.Now)
	desk.PasswordParams = testenv.CheapArgon2
	return &sedeDesk{
		store: ls,
		desk:  desk,
		sess: sessionOn(t, ls, pinsede.Operator{ID: "op-" + code, Name: "Operatore " + code, Role: pinsede.RoleOperatore},
			pinsede.Sede{Code: code, Name: code}),
		client: client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, code), Sede: code, Local: ls, Desk: deskOn(ls), Now: testclock.Now}),
	}
}

// credential returns a credential as the sede's store holds it.
func (s *sedeDesk) credential(t *testing.T, id string) pinsede.Credential {
	t.Helper()
	var c pinsede.Credential
	if err := s.store.View(func(tx pinsede.Tx) (err error) { c, err = tx.Credential(id); return err }); err != nil {
		t.Fatal(err)
	}
	return c
}

// audit returns the audit entries about cf at the sede.
func (s *sedeDesk) audit(t *testing.T, cf pinsede.CodiceFiscale) []pinsede.AuditEntry {
	t.Helper()
	var es []pinsede.AuditEntry
	if err := s.store.View(func(tx pinsede.Tx) (err error) { es, err = tx.AuditFor(cf); return err }); err != nil {
		t.Fatal(err)
	}
	return es
}

// Ensure that when two sedi issue for the same citizen while one is
// offline, both see the outcome after they sync: the PIN centrale accepted
// later stays active at its sede, and the other sede's local credential
// becomes revoked, with the reason and an audit entry by centrale; and
// that pulling the same changes again changes nothing.
func TestPulledSupersededRevokesLocally(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			// Given ROMA01 offline and MILA01 online, both issuing for the
			// same citizen, ROMA01 first.
			cs := st.open(t)
			env := testenv.New(t, cs)
			ctx := context.Background()
			roma, mila := newSedeDesk(t, env, "ROMA01"), newSedeDesk(t, env, "MILA01")
			req := person(7)
			fromRoma, err := roma.desk.Issue(ctx, roma.sess, req, verification())
			if err != nil {
				t.Fatal(err)
			}
			fromMila, err := mila.desk.Issue(ctx, mila.sess, req, verification())
			if err != nil {
				t.Fatal(err)
			}
			if err := mila.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}

			// When ROMA01 comes back (centrale accepts its PIN later: it
			// wins), and both sync again.
			for _, s := range []*sedeDesk{roma, mila, roma} {
				if err := s.client.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}

			// Then MILA01's credential is revoked, with the reason, and
			// ROMA01's stays active.
			lost := mila.credential(t, fromMila.Credential.ID)
			if lost.State != pinsede.StateRevocato || lost.RevokedBy != pinsede.ActorCentrale ||
				!strings.HasPrefix(lost.RevokeReason, "sostituito da un PIN emesso da un'altra sede (ROMA01, ") {
				t.Errorf("MILA01's credential: state %s by %q for %q, want revocato by centrale, superseded by ROMA01",
					lost.State, lost.RevokedBy, lost.RevokeReason)
			}
			if won := roma.credential(t, fromRoma.Credential.ID); won.State != pinsede.StateAttivo {
				t.Errorf("ROMA01's credential: %s, want attivo", won.State)
			}
			audit := mila.audit(t, req.CodiceFiscale)
			last := audit[len(audit)-1]
			if last.Actor != pinsede.ActorCentrale || last.Action != pinsede.ActionRevoked ||
				last.Credential != lost.ID || last.Detail != lost.RevokeReason {
				t.Errorf("MILA01's last audit entry %+v, want the revocation by centrale", last)
			}
			s := mila.client.State()
			if len(s.Revoked) != 1 || s.Revoked[0].CredentialID != lost.ID || s.Revoked[0].Reason != lost.RevokeReason {
				t.Errorf("MILA01's state shows revoked %+v", s.Revoked)
			}
			if len(roma.client.State().Revoked) != 0 {
				t.Errorf("ROMA01's state shows revoked %+v", roma.client.State().Revoked)
			}
			if n, _ := mila.store.OutboxLen(); n != 0 {
				t.Errorf("MILA01's outbox holds %d events: the revocation by centrale went back to it", n)
			}

			// And pulling again, or applying the same changes again from
			// the start, changes nothing (the desk keeps no change: they
			// come from centrale again).
			changes, _, _, err := cs.Changes(ctx, "MILA01", 0, 1000, &central.ChangeFilter{SedeEvents: true})
			if err != nil || len(changes) == 0 {
				t.Fatalf("changes of MILA01 at centrale: %d, %v", len(changes), err)
			}
			cur, _ := mila.store.SyncCursor()
			if err := mila.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			again, err := deskOn(mila.store).ApplyPulled(cur, changes, testclock.Now())
			if err != nil || len(again) != 0 {
				t.Errorf("applying again revoked %+v, %v", again, err)
			}
			if c := mila.credential(t, lost.ID); !reflect.DeepEqual(c, lost) {
				t.Errorf("after a replay the credential is %+v, was %+v", c, lost)
			}
			if n := len(mila.audit(t, req.CodiceFiscale)); n != len(audit) {
				t.Errorf("after a replay %d audit entries, was %d", n, len(audit))
			}
			if rep, err := mila.store.VerifyAudit(); err != nil || len(rep.Problems) != 0 {
				t.Errorf("MILA01's audit chain: %+v, %v", rep, err)
			}
		})
	}
}

// Ensure that a credential locked for good at centrale after wrong PINs
// stays active at its sede, which is told nothing, and that the desk's
// unlock after the identity check reaches centrale with the next push and
// lets the right PIN open again.
func TestLockedAtCentraleUnlockedByDesk(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	env.Server.Verifier.Lock.MaxTemporary = 0 // the first lock is permanent
	ctx := context.Background()
	roma := newSedeDesk(t, env, "ROMA01")
	req := person(8)
	issued, err := roma.desk.Issue(ctx, roma.sess, req, verification())
	if err != nil {
		t.Fatal(err)
	}
	pin := roma.desk.Printer.(*capture).last()
	if err := roma.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	login := func() wire.Outcome {
		return verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: pin}).Outcome
	}
	for range env.Server.Verifier.Lock.After {
		verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: "ACEFHJKMNPRTUVWX"})
	}
	if got := login(); got != wire.Wrong {
		t.Fatalf("the right PIN of a locked credential: %s, want wrong", got)
	}
	if err := roma.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if c := roma.credential(t, issued.Credential.ID); c.State != pinsede.StateAttivo {
		t.Errorf("credential at the sede after the lock: %s %q, want attivo", c.State, c.RevokeReason)
	}

	if _, err := roma.desk.UnlockPIN(roma.sess, issued.Credential.ID, verification()); err != nil {
		t.Fatal(err)
	}
	if err := roma.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := roma.store.OutboxLen(); n != 0 {
		t.Errorf("%d events still in the outbox", n)
	}
	if got := login(); got != wire.ChangeRequired {
		t.Errorf("the right PIN after the desk's unlock: %s, want change_required", got)
	}
}

// Ensure that a credential an operator of centrale revoked shows revoked
// at its sede after a pull, with the operator's reason, an audit entry by
// centrale, and in the state the desk shows; on both stores.
func TestPulledRevokedAtCentrale(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			ctx := context.Background()
			roma := newSedeDesk(t, env, "ROMA01")
			req := person(9)
			issued, err := roma.desk.Issue(ctx, roma.sess, req, verification())
			if err != nil {
				t.Fatal(err)
			}
			if err := roma.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := env.Store.Revoke(ctx, issued.Credential.ID, "centrale:rossi", "furto d'identità denunciato", testclock.Now()); err != nil {
				t.Fatal(err)
			}
			if err := roma.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			c := roma.credential(t, issued.Credential.ID)
			want := pinsede.ReasonRevokedAtCentrale("furto d'identità denunciato")
			if c.State != pinsede.StateRevocato || c.RevokedBy != pinsede.ActorCentrale || c.RevokeReason != want {
				t.Errorf("credential: state %s by %q for %q, want revocato by centrale for %q", c.State, c.RevokedBy, c.RevokeReason, want)
			}
			audit := roma.audit(t, req.CodiceFiscale)
			if last := audit[len(audit)-1]; last.Actor != pinsede.ActorCentrale || last.Action != pinsede.ActionRevoked || last.Detail != want {
				t.Errorf("last audit entry %+v, want the revocation by centrale", last)
			}
			s := roma.client.State()
			if len(s.Revoked) != 1 || s.Revoked[0].Kind != pinsede.ChangeRevoked || s.Revoked[0].CredentialID != c.ID {
				t.Errorf("state shows revoked %+v", s.Revoked)
			}
			if n, _ := roma.store.OutboxLen(); n != 0 {
				t.Errorf("outbox holds %d events after the pull", n)
			}
		})
	}
}
