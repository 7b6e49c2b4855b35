package pinsede_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// fakeLink is a pinsede.Link whose state the test sets. At each Notify it
// notes how many events wait in the outbox: they must be committed by then.
type fakeLink struct {
	online  bool
	ahead   time.Duration
	behind  time.Duration
	pending []int
	desk    *pinsede.Desk
}

func (l *fakeLink) Online() bool { return l.online }

func (l *fakeLink) ClockAhead() time.Duration { return l.ahead }

func (l *fakeLink) ClockBehind() time.Duration { return l.behind }

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

// Ensure that no PIN is issued while the link says this PC's clock runs
// ahead of the central records' or behind them by more than they take:
// the issue is refused with a Problem naming the difference, nothing is
// stored or printed, and the link is asked to sync (to measure again);
// once the clock is within bounds, the same request is issued.
func TestIssueClockOff(t *testing.T) {
	const off = time.Hour + 2*time.Minute
	for _, tc := range []struct {
		name          string
		ahead, behind time.Duration
		err           error
		key, arg      string
	}{
		{"ahead", off, 0, pinsede.ErrClockAhead, pinsede.KeyClockAhead, "Ahead"},
		{"behind", 0, off, pinsede.ErrClockBehind, pinsede.KeyClockBehind, "Behind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			link := &fakeLink{online: true, ahead: tc.ahead, behind: tc.behind, desk: f.desk}
			f.desk.Link = link
			for _, issue := range []func() (pinsede.Issued, error){
				func() (pinsede.Issued, error) {
					return f.desk.Issue(context.Background(), f.sup, request(), verification())
				},
				func() (pinsede.Issued, error) {
					return f.desk.IssueTelephonePIN(context.Background(), f.sup, request(), verification(), pinsede.TelephoneValidities()[0])
				},
				func() (pinsede.Issued, error) { // the clock before what is typed, whose dates it checks
					bad := request()
					bad.Cognome = ""
					return f.desk.Issue(context.Background(), f.sup, bad, verification())
				},
				func() (pinsede.Issued, error) { // and before the supervisor's password
					return f.desk.IssueWithOverride(context.Background(), f.sup, request(), verification(), pinsede.Override{SupervisorID: "nessuno", Reason: "x"})
				},
				func() (pinsede.Issued, error) { // a replaced slip: before the approval and the old PIN's state
					return f.desk.ReplaceSlip(context.Background(), f.sup, "nessuna", pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "nessuno", Password: "x"})
				},
			} {
				_, err := issue()
				var p *pinsede.Problem
				if !errors.Is(err, tc.err) || !errors.As(err, &p) || p.Key != tc.key || p.Args[tc.arg] != off {
					t.Fatalf("issue with the clock %s: %v (%+v), want a Problem %s with %s %v", tc.name, err, p, tc.key, tc.arg, off)
				}
			}
			sum, err := f.desk.Summary()
			if err != nil {
				t.Fatal(err)
			}
			if len(f.printer.slips) != 0 || sum.PendingSync != 0 {
				t.Errorf("refused issues printed %d slips and left %d events", len(f.printer.slips), sum.PendingSync)
			}
			if len(link.pending) != 5 {
				t.Errorf("the link was asked to sync %d times, want once per refusal (5)", len(link.pending))
			}

			link.ahead, link.behind = 0, 0
			if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); err != nil {
				t.Fatalf("issue once the clock is within bounds: %v", err)
			}
			if len(f.printer.slips) != 1 {
				t.Errorf("%d slips printed, want 1", len(f.printer.slips))
			}
		})
	}
}
