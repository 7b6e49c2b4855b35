package pinsede_test

import (
	"context"
	"testing"

	"github.com/pinsede/pinsede"
)

// fakeLink is a pinsede.Link whose state the test sets. At each Notify it
// notes how many events wait in the outbox: they must be committed by then.
type fakeLink struct {
	online  bool
	pending []int
	desk    *pinsede.Desk
}

func (l *fakeLink) Online() bool { return l.online }

func (l *fakeLink) Notify() {
	sum, err := l.desk.Summary()
	if err != nil {
		panic(err)
	}
	l.pending = append(l.pending, sum.PendingSync)
}

// Ensure that the slip says "in attesa di attivazione" exactly when the
// desk has central records it cannot reach, and that the link is asked to
// push after the issue and after the handover, once their events are
// committed.
func TestIssueLink(t *testing.T) {
	for _, tc := range []struct {
		name        string
		link        bool
		online      bool
		wantPending bool
	}{
		{"no central records", false, false, false},
		{"online", true, true, false},
		{"offline", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a desk with or without a link, online or not,
			f := newFixture(t)
			var link *fakeLink
			if tc.link {
				link = &fakeLink{online: tc.online, desk: f.desk}
				f.desk.Link = link
			}
			// when a PIN is issued and handed over,
			out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.desk.RecordHandover(f.sup, out.Credential.ID); err != nil {
				t.Fatal(err)
			}
			// then the slip and the outcome say whether it waits,
			if got := f.printer.slips[0].Pending; got != tc.wantPending {
				t.Errorf("slip Pending = %v, want %v", got, tc.wantPending)
			}
			if out.Pending != tc.wantPending {
				t.Errorf("Issued.Pending = %v, want %v", out.Pending, tc.wantPending)
			}
			// and the link was asked to push each event once committed.
			if link != nil {
				if len(link.pending) != 2 || link.pending[0] != 1 || link.pending[1] != 2 {
					t.Errorf("outbox at each Notify: %v, want [1 2]", link.pending)
				}
			}
		})
	}
}
