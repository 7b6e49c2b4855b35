package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// Ensure that a desk applies the policy centrale publishes once its sync
// has fetched it, that the sede keeps the newest version it has, and that
// a -policy file of a higher version wins over it.
func TestPolicyFromCentrale(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	ctx := context.Background()
	roma := newSedeDesk(t, env, "ROMA01")
	roma.desk.Policies = func() (pinsede.Policy, bool) {
		p, ok, err := roma.store.CachedPolicy()
		if err != nil {
			t.Error(err)
		}
		return p, ok
	}
	if err := roma.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := roma.store.CachedPolicy(); !ok || roma.client.State().PolicyVersion != pinsede.DefaultPolicy().Version {
		t.Errorf("after the first sync: cached %v, state version %d", ok, roma.client.State().PolicyVersion)
	}
	if _, err := roma.desk.Issue(ctx, roma.sess, person(20), verification()); err != nil {
		t.Fatalf("under the default policy: %v", err)
	}

	// Centrale publishes version 2: no PIN from today.
	closed := pinsede.Policy{Version: 2, Rules: []pinsede.Rule{{Eligible: pinsede.EligibleNone}}}
	env.Server.SetPolicy(closed)
	if _, err := roma.desk.Issue(ctx, roma.sess, person(21), verification()); err != nil {
		t.Fatalf("before the sync fetched version 2: %v", err)
	}
	if err := roma.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := roma.desk.CurrentPolicy(); got.Version != 2 {
		t.Errorf("after the sync the desk applies version %d, want 2", got.Version)
	}
	if _, err := roma.desk.Issue(ctx, roma.sess, person(22), verification()); !errors.Is(err, pinsede.ErrNotEligible) {
		t.Errorf("under version 2: %v, want ErrNotEligible", err)
	}
	if v := roma.client.State().PolicyVersion; v != 2 {
		t.Errorf("state shows policy version %d, want 2", v)
	}

	// Centrale goes back to version 1 by mistake: the sede keeps 2.
	env.Server.SetPolicy(pinsede.DefaultPolicy())
	if err := roma.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if p, _, _ := roma.store.CachedPolicy(); p.Version != 2 {
		t.Errorf("cached version %d after centrale served 1, want 2", p.Version)
	}

	// A -policy file of a higher version wins.
	open := pinsede.Policy{Version: 3, Rules: []pinsede.Rule{{Eligible: pinsede.EligibleAll}}}
	roma.desk.Policy = &open
	if _, err := roma.desk.Issue(ctx, roma.sess, person(23), verification()); err != nil {
		t.Errorf("under the file's version 3: %v", err)
	}
}
