package pinsede_test

import (
	"context"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a desk with a desk id gives it to its sessions and slips,
// and that its store puts it in the audit entries and the outbox event
// of an issue; the entries of before it named none keep their hashes.
func TestDeskID(t *testing.T) {
	f := newFixture(t) // set up with no desk id: its entries name none
	f.desk.DeskID = "03"
	f.store.SetDesk("03")
	s, err := f.desk.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if s.Desk != "03" {
		t.Errorf("session desk %q, want 03", s.Desk)
	}
	out, err := f.desk.Issue(context.Background(), s, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.printer.slips) != 1 || f.printer.slips[0].Desk != "03" {
		t.Errorf("slips %+v, want one of desk 03", f.printer.slips)
	}
	desks := map[pinsede.AuditAction][]string{}
	err = f.store.AuditEntries(1, func(e pinsede.AuditEntry) error {
		desks[e.Action] = append(desks[e.Action], e.Desk)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a    pinsede.AuditAction
		want []string
	}{
		{pinsede.ActionSetup, []string{""}},
		{pinsede.ActionLogin, []string{"", "03"}},
		{pinsede.ActionIssued, []string{"03"}},
		{pinsede.ActionPrinted, []string{"03"}},
	} {
		if got := desks[tc.a]; len(got) != len(tc.want) || len(got) > 0 && got[len(got)-1] != tc.want[len(tc.want)-1] {
			t.Errorf("%s entries of desks %q, want %q", tc.a, got, tc.want)
		}
	}
	if r, err := f.store.VerifyAudit(); err != nil || len(r.Problems) > 0 {
		t.Errorf("audit chain with entries of no desk and of desk 03: %+v %v", r, err)
	}
	items, err := f.store.Outbox(10)
	if err != nil {
		t.Fatal(err)
	}
	var issued int
	for _, it := range items {
		if it.Event.Kind == pinsede.EventIssued && it.Event.Credential.ID == out.Credential.ID {
			issued++
			if it.Event.Desk != "03" {
				t.Errorf("issue event of desk %q, want 03", it.Event.Desk)
			}
		}
	}
	if issued != 1 {
		t.Errorf("%d issue events in the outbox, want 1", issued)
	}
}
