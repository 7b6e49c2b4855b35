package pinsede_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the clerk revokes a PIN they issued with a reason, in one
// transaction with its audit entry and its outbox event, and that the link
// is asked to push it once it is committed; and that a short reason, a
// credential already revoked and an unknown one are refused.
func TestRevoke(t *testing.T) {
	// Given a PIN issued by the supervisor, on a desk with a link,
	f := newFixture(t)
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	id := out.Credential.ID
	pushed := len(link.pending)

	// when the reason is missing, too short or too long, then nothing is
	// revoked;
	for _, why := range []string{"", "   ", "perché", strings.Repeat("p", 121)} {
		_, err := f.desk.Revoke(f.sup, id, why)
		var es pinsede.FieldErrors
		if !errors.As(err, &es) {
			t.Fatalf("reason %q: %v", why, err)
		}
		if _, ok := es.For(pinsede.FieldRevokeReason); !ok {
			t.Fatalf("reason %q: %v", why, es)
		}
	}

	// when revoked with a reason, then it is revoked, audited, queued and pushed.
	const why = "richiesta del cittadino allo sportello"
	c, err := f.desk.Revoke(f.sup, id, "  "+why+" ")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != pinsede.StateRevocato || c.RevokeReason != why || c.RevokedBy != "sup" || !c.RevokedAt.Equal(f.now) {
		t.Fatalf("revoked %+v", c)
	}
	cp, err := f.desk.Citizen(f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if got := cp.Credentials[0]; got.ID != id || got.State != pinsede.StateRevocato {
		t.Fatalf("stored %+v", got)
	}
	last := cp.History[len(cp.History)-2] // before the page view
	if last.Action != pinsede.ActionRevoked || last.Credential != id || last.Detail != why || last.Actor != "sup" {
		t.Fatalf("audit entry %+v", last)
	}
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	if ev := items[len(items)-1].Event; ev.Kind != pinsede.EventRevoked || ev.Credential.ID != id || ev.Credential.State != pinsede.StateRevocato {
		t.Fatalf("last event %+v", ev)
	}
	if len(link.pending) != pushed+1 || link.pending[pushed] != len(items) {
		t.Fatalf("link notified %v, want once with %d events pending", link.pending[pushed:], len(items))
	}

	// when revoked again, or an unknown id, then it is refused.
	if _, err := f.desk.Revoke(f.sup, id, why); !errors.Is(err, pinsede.ErrNotActive) || !errors.Is(err, pinsede.ErrTransition) {
		t.Fatalf("second revocation: %v", err)
	}
	if _, err := f.desk.Revoke(f.sup, "nope", why); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("unknown credential: %v", err)
	}
}

// Ensure that revoking a PIN issued by another operator needs a
// supervisor's approval, that the asker's own approval, a wrong password
// and an operator's approval are refused, and that the approver is in the
// audit entry.
func TestRevokeOtherOperator(t *testing.T) {
	f := newFixture(t)
	for _, n := range []pinsede.NewOperator{
		{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"},
		{ID: "op2", Name: "Sara Gialli", Role: pinsede.RoleOperatore, Password: "password-op2"},
	} {
		f.addOperator(t, n)
	}
	op1, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	op2, err := f.desk.Login("op2", "password-op2")
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.desk.Issue(context.Background(), op1, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	id := out.Credential.ID
	const why = "il cittadino ha chiesto la revoca"

	if _, err := f.desk.Revoke(op2, id, why); !errors.Is(err, pinsede.ErrApprovalNeeded) {
		t.Fatalf("without approval: %v", err)
	}
	for _, tc := range []struct {
		name string
		a    pinsede.Approval
		want error
	}{
		{"own approval", pinsede.Approval{SupervisorID: "op2", Password: "password-op2"}, pinsede.ErrSameApprover},
		{"wrong password", pinsede.Approval{SupervisorID: "sup", Password: "sbagliata-sbagliata"}, pinsede.ErrBadCredentials},
		{"not a supervisor", pinsede.Approval{SupervisorID: "op1", Password: "password-op1"}, pinsede.ErrForbidden},
	} {
		if _, err := f.desk.RevokeApproved(op2, id, why, tc.a); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	c, err := f.desk.RevokeApproved(op2, id, why, pinsede.Approval{SupervisorID: "sup", Password: "password-lunga"})
	if err != nil || c.State != pinsede.StateRevocato || c.RevokedBy != "op2" {
		t.Fatalf("approved revocation %+v, %v", c, err)
	}
	cp, err := f.desk.Citizen(f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if e := cp.History[len(cp.History)-2]; e.Action != pinsede.ActionRevoked || e.Detail != why+", approvato da sup" || e.Actor != "op2" {
		t.Fatalf("audit entry %+v", e)
	}
	// The issuing operator revokes their own PIN without approval.
	out, err = f.desk.Issue(context.Background(), op1, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Revoke(op1, out.Credential.ID, why); err != nil {
		t.Fatalf("own issue: %v", err)
	}
}

// Ensure that the desk neither revokes nor replaces the slip of a
// credential the central records manage: another sede's, the online
// channel's copy converted here (no PIN hash), or a copy of its own sede
// with no PIN hash. Each is refused with a problem the clerk can read, and
// nothing is written.
func TestManagedElsewhereRefused(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, pinsede.NewOperator{
		ID: "sup2", Name: "Carla Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2",
	})
	approval := pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"}
	before, err := f.desk.Summary() // the new account's event waits
	if err != nil {
		t.Fatal(err)
	}
	const hash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"
	if err := f.store.Update(func(tx pinsede.Tx) error {
		return tx.PutCitizen(pinsede.Citizen{Request: request(), UpdatedAt: f.now})
	}); err != nil {
		t.Fatal(err)
	}
	const why = "il cittadino ha chiesto la revoca"
	actions := []struct {
		name string
		do   func(id string) error
	}{
		{"revoke", func(id string) error { _, err := f.desk.Revoke(f.sup, id, why); return err }},
		{"revoke approved", func(id string) error { _, err := f.desk.RevokeApproved(f.sup, id, why, approval); return err }},
		{"replace slip", func(id string) error {
			_, err := f.desk.ReplaceSlip(context.Background(), f.sup, id, pinsede.ReasonSlipLost, verification(), approval)
			return err
		}},
	}
	for _, tc := range []struct {
		name, sede, hash string
	}{
		{"online copy", "WEB", ""},
		{"another sede", "MILANO01", hash},
		{"own sede, no hash", "ROMA01", ""},
	} {
		for _, act := range actions {
			t.Run(tc.name+"/"+act.name, func(t *testing.T) {
				issued := f.now.AddDate(0, -1, 0)
				c := pinsede.Credential{
					ID: tc.name + act.name, CodiceFiscale: request().CodiceFiscale, Type: pinsede.Dispositivo, State: pinsede.StateAttivo,
					PINHash: tc.hash, IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued), IssuedBy: "sup", Sede: tc.sede,
				}
				if err := f.store.Update(func(tx pinsede.Tx) error { return tx.PutCredential(c) }); err != nil {
					t.Fatal(err)
				}
				err := act.do(c.ID)
				var p *pinsede.Problem
				if !errors.As(err, &p) || p.Key != pinsede.KeyOtherSede || p.Args["Sede"] != tc.sede || !errors.Is(err, pinsede.ErrOtherSede) {
					t.Fatalf("got %v, want the problem %s", err, pinsede.KeyOtherSede)
				}
				var got pinsede.Credential
				err = f.store.View(func(tx pinsede.Tx) (err error) { got, err = tx.Credential(c.ID); return err })
				if sum, _ := f.desk.Summary(); err != nil || got.State != pinsede.StateAttivo || sum.PendingSync != before.PendingSync || len(f.printer.pins) != 0 {
					t.Fatalf("a refused action wrote: %+v, %d events, %d slips, %v", got, sum.PendingSync-before.PendingSync, len(f.printer.pins), err)
				}
			})
		}
	}
}
