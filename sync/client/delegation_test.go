package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// party returns the i-th test citizen as a party of a delegation.
func party(i int) pinsede.Party {
	r := person(i)
	return pinsede.Party{CodiceFiscale: r.CodiceFiscale, Cognome: r.Cognome, Nome: r.Nome, Document: verification().Document}
}

// Ensure that the rule of one delegate per person holds across sedi: a
// second sede, which holds no delegation of that person, registers one at
// its desk, and centrale rejects it with the rule's reason, which the
// second sede keeps for its operator; the first sede's stays active until
// its sede revokes it, and then a third sede's is accepted.
func TestDelegationAcrossSedi(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			ctx := context.Background()
			roma, mila := newSedeDesk(t, env, "ROMA01"), newSedeDesk(t, env, "MILA01")
			first, err := roma.desk.RegisterDelegation(roma.sess, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: party(1), Delegato: party(2)})
			if err != nil {
				t.Fatal(err)
			}
			second, err := mila.desk.RegisterDelegation(mila.sess, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: party(1), Delegato: party(3)})
			if err != nil {
				t.Fatalf("MILA01's desk, which holds no delegation of the delegante: %v", err)
			}
			for _, s := range []*sedeDesk{roma, mila} {
				if err := s.client.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if r, err := env.Store.Delegation(ctx, first.ID); err != nil || r.Status != central.DelegationActive {
				t.Errorf("ROMA01's delegation at centrale: %+v, %v", r, err)
			}
			na, err := deskOn(mila.store).NotAcceptedEvents()
			if err != nil {
				t.Fatal(err)
			}
			if len(na) != 1 || na[0].Event.Delegation == nil || na[0].Event.Delegation.ID != second.ID ||
				na[0].Verdict != pinsede.VerdictRejected || !strings.HasPrefix(na[0].Reason, central.ReasonDeleganteHasOne) {
				t.Errorf("MILA01 not accepted: %+v", na)
			}
			if na, _ := deskOn(roma.store).NotAcceptedEvents(); len(na) != 0 {
				t.Errorf("ROMA01 not accepted: %+v", na)
			}
			// MILA01's rejected delegation is ended at MILA01 too: it no
			// longer blocks the delegante there.
			var dls []pinsede.Delegation
			if err := mila.store.View(func(tx pinsede.Tx) (err error) {
				dls, err = tx.DelegationsOf(party(1).CodiceFiscale)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(dls) != 1 || dls[0].RevokedBy != pinsede.ActorCentrale ||
				!strings.Contains(dls[0].RevokeReason, central.ReasonDeleganteHasOne) {
				t.Errorf("MILA01's copy of its rejected delegation: %+v", dls)
			}

			// Once ROMA01 revokes it, another sede registers one for the
			// same delegante, and centrale accepts it.
			if _, err := roma.desk.RevokeDelegation(roma.sess, first.ID, "revocata dal delegante in sede"); err != nil {
				t.Fatal(err)
			}
			if err := roma.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			napo := newSedeDesk(t, env, "NAPO01")
			third, err := napo.desk.RegisterDelegation(napo.sess, pinsede.Delegation{Form: pinsede.FormAA08, Delegante: party(1), Delegato: party(3)})
			if err != nil {
				t.Fatal(err)
			}
			if err := napo.client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if r, err := env.Store.Delegation(ctx, third.ID); err != nil || r.Status != central.DelegationActive {
				t.Errorf("NAPO01's delegation at centrale: %+v, %v", r, err)
			}
			if r, err := env.Store.Delegation(ctx, first.ID); err != nil || r.Status != central.DelegationRevoked {
				t.Errorf("ROMA01's delegation at centrale: %+v, %v", r, err)
			}
		})
	}
}
