package pinsede_test

import (
	"context"
	"errors"
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

	// when the reason is missing or too short, then nothing is revoked;
	for _, why := range []string{"", "   ", "perché"} {
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
		if err := f.desk.AddOperator(f.sup, n); err != nil {
			t.Fatal(err)
		}
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
