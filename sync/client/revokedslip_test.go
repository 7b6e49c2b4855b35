package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that an envelope desk 02 revokes as lost while desk 01, not
// yet told, hands it over (centrale accepts both, the handover first
// in its records' order of acceptance, and the portal answers
// "revoked") is told at desk 01 once desk 01 pulls: with the citizen,
// the envelope, desk 02's operator, the time and the reason; and that
// desk 02, which revoked it, is told nothing. Before, desk 01 applied
// the revocation silently: no event refused, State.Revoked empty, and
// the citizen went home with a dead PIN (the reviewer's
// TestProbeRevokeWhileHandover).
func TestRevokeWhileHandoverTold(t *testing.T) {
	clock := testclock.Stepping(time.Microsecond)
	env := testenv.NewAt(t, stores[0].open(t), clock)
	ctx := context.Background()
	a, b := newDeskPC(t, env, clock, "ROMA01", "01"), newDeskPC(t, env, clock, "ROMA01", "02")
	pa := &capture{}
	a.desk.Printer = pa
	portal := env.Client(t, pki.RolePortal, "PORTALE")
	req := person(8)
	is, err := a.desk.Issue(ctx, a.sess, req, verificationOn(clock()))
	if err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	id := is.Credential.ID
	if _, err := b.desk.Revoke(b.sess, id, pinsede.ReasonSlipLost); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	ho, err := a.desk.RecordHandover(a.sess, id)
	if err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	if v := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: pa.last()}); v.Outcome != wire.Revoked {
		t.Fatalf("the portal answers %q for the envelope handed over, want %q", v.Outcome, wire.Revoked)
	}
	rs, err := a.desk.RevokedSlips()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("desk 01 tells %d envelopes revoked elsewhere, want the one handed over", len(rs))
	}
	r := rs[0]
	if r.Credential != id || r.SlipSerial != is.Credential.SlipSerial || r.Citizen != req.FullName() || r.Reason != pinsede.ReasonSlipLost ||
		r.Desk != "02" || r.Actor != "sup" || !r.HandedOver.Equal(ho.HandedOverAt) || !r.At.Before(r.HandedOver) {
		t.Errorf("desk 01 tells %+v; want envelope %s of %s handed over at %v, revoked before by sup at desk 02 as lost",
			r, is.Credential.SlipSerial, req.FullName(), ho.HandedOverAt)
	}
	if rs, err := b.desk.RevokedSlips(); err != nil || len(rs) != 0 {
		t.Errorf("desk 02, which revoked it, tells %+v, %v; want none", rs, err)
	}
}
