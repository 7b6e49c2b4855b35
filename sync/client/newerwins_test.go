package client_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// movingClock is a clock that steps a microsecond at each read, as
// testclock.Stepping, and that the test moves on by hours.
type movingClock struct {
	step func() time.Time
	off  atomic.Int64
}

func newMovingClock() *movingClock { return &movingClock{step: testclock.Stepping(time.Microsecond)} }

func (c *movingClock) now() time.Time          { return c.step().Add(time.Duration(c.off.Load())) }
func (c *movingClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// twoDesks starts a centrale on a store that open opens and, on it,
// desk a of sede as and desk b of sede bs, all on one movingClock.
func twoDesks(t *testing.T, open func(testing.TB) central.Store, as, a, bs, b string) (*movingClock, *testenv.Env, *deskPC, *deskPC) {
	t.Helper()
	clk := newMovingClock()
	env := testenv.NewAt(t, open(t), clk.now)
	return clk, env, newDeskPC(t, env, clk.now, as, a), newDeskPC(t, env, clk.now, bs, b)
}

// issueAt issues a PIN to req at d, at the clock's time.
func issueAt(t *testing.T, d *deskPC, clk *movingClock, req pinsede.Request) pinsede.Issued {
	t.Helper()
	is, err := d.desk.Issue(context.Background(), d.sess, req, verificationOn(clk.now()))
	if err != nil {
		t.Fatalf("desk %s: %v", d.id, err)
	}
	return is
}

// Ensure that the newer PIN wins whatever order the desks sync in: desk 01
// of ROMA01, offline, issues at +1h; desk 02, online, issues at +2h for
// the same citizen and syncs; desk 01 syncs three days later. Centrale
// keeps desk 02's PIN active and the portal answers for it; desk 01's
// issue is answered superseded and listed as not accepted there, and both
// desks hold desk 01's PIN revoked, with the newer one's issue day, and
// desk 02's active.
func TestNewerIssueWinsOverOlderSyncedLater(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			// Given both desks holding the citizen's PIN.
			clk, env, a, b := twoDesks(t, st.open, "ROMA01", "01", "ROMA01", "02")
			ctx := context.Background()
			pa, pb := &capture{}, &capture{}
			a.desk.Printer, b.desk.Printer = pa, pb
			req := person(7)
			cf := req.CodiceFiscale
			issueAt(t, a, clk, req)
			a.sync(t)
			b.sync(t)

			// When desk 01 issues offline, desk 02 issues an hour later
			// and syncs, and desk 01 comes back days later.
			clk.advance(time.Hour)
			older := issueAt(t, a, clk, req)
			clk.advance(time.Hour)
			newer := issueAt(t, b, clk, req)
			b.sync(t)
			clk.advance(72 * time.Hour)
			for _, d := range []*deskPC{a, b, a} {
				d.sync(t)
			}

			// Then the newer PIN is the active one, and the portal takes
			// its envelope, not the older one.
			cur, err := env.Store.Current(ctx, cf, central.SlotPIN)
			if err != nil || cur.Credential.ID != newer.Credential.ID || cur.Status != central.StatusActive {
				t.Fatalf("centrale's current PIN %s %s (%v), want desk 02's %s active", cur.Credential.ID, cur.Status, err, newer.Credential.ID)
			}
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pb.last()}); got.Outcome == wire.Wrong {
				t.Errorf("the portal answers %s for the newer envelope", got.Outcome)
			}
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pa.last()}); got.Outcome != wire.Wrong {
				t.Errorf("the portal answers %s for the older envelope, want wrong", got.Outcome)
			}
			// Both desks hold the older PIN revoked with the newer's issue
			// day, and the newer active.
			want := pinsede.ReasonReplacedOn("02", newer.Credential.IssuedAt)
			for _, d := range []*deskPC{a, b} {
				if c := d.credential(t, older.Credential.ID); c.State != pinsede.StateRevocato || c.RevokeReason != want {
					t.Errorf("desk %s holds the older PIN %s for %q, want revocato for %q", d.id, c.State, c.RevokeReason, want)
				}
				if c := d.credential(t, newer.Credential.ID); c.State != pinsede.StateAttivo {
					t.Errorf("desk %s holds the newer PIN %s for %q, want attivo", d.id, c.State, c.RevokeReason)
				}
			}
			// Desk 01 lists its issue as superseded by the newer PIN.
			if !notAcceptedIssue(t, a, older.Credential.ID, newer.Credential.ID) {
				t.Errorf("desk 01 does not list its issue as superseded by %s", newer.Credential.ID)
			}
		})
	}
}

// Ensure that the newer PIN wins across sedi too: ROMA01, offline, issues
// at +1h; MILA01 issues at +2h, hands the envelope over and syncs; ROMA01
// syncs three days later. MILA01's PIN stays active, and nothing of it is
// revoked; ROMA01's is revoked for a PIN of MILA01 of the day it was
// issued, and its issue listed as superseded.
func TestNewerIssueWinsAcrossSedi(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clk, env, r, m := twoDesks(t, st.open, "ROMA01", "01", "MILA01", "01")
			pm := &capture{}
			m.desk.Printer = pm
			r.sync(t)
			req := person(12)
			clk.advance(time.Hour)
			older := issueAt(t, r, clk, req)
			clk.advance(time.Hour)
			newer := issueAt(t, m, clk, req)
			if _, err := m.desk.RecordHandover(m.sess, newer.Credential.ID); err != nil {
				t.Fatal(err)
			}
			m.sync(t)
			clk.advance(72 * time.Hour)
			r.sync(t)
			m.sync(t)

			portal := env.Client(t, pki.RolePortal, "PORTALE")
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: pm.last()}); got.Outcome == wire.Wrong {
				t.Errorf("the portal answers %s for MILA01's newer envelope", got.Outcome)
			}
			if c := m.credential(t, newer.Credential.ID); c.State != pinsede.StateAttivo {
				t.Errorf("MILA01 holds its PIN %s for %q, want attivo", c.State, c.RevokeReason)
			}
			if rv := m.c.State().Revoked; len(rv) != 0 {
				t.Errorf("MILA01 is shown revocations %+v", rv)
			}
			want := pinsede.ReasonSupersededBy("MILA01", "01", newer.Credential.IssuedAt)
			if c := r.credential(t, older.Credential.ID); c.State != pinsede.StateRevocato || c.RevokeReason != want {
				t.Errorf("ROMA01 holds its PIN %s for %q, want revocato for %q", c.State, c.RevokeReason, want)
			}
			if !notAcceptedIssue(t, r, older.Credential.ID, newer.Credential.ID) {
				t.Errorf("ROMA01 does not list its issue as superseded by %s", newer.Credential.ID)
			}
		})
	}
}

// Ensure that a newer PIN revoked before an older one reaches centrale
// does not bring the older back to life: desk 01 of ROMA01, offline,
// issues at +1h; desk 02 issues at +2h, its envelope is lost (busta
// smarrita) and it revokes the PIN online; desk 01 syncs three days
// later. Centrale keeps desk 01's PIN superseded by desk 02's, the portal
// answers neither envelope, and desk 01 is told: its issue listed as
// superseded, its PIN revoked for desk 02's of the day it was issued.
func TestOlderIssueStaysOutAfterNewerRevoked(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clk, env, a, b := twoDesks(t, st.open, "ROMA01", "01", "ROMA01", "02")
			ctx := context.Background()
			pa, pb := &capture{}, &capture{}
			a.desk.Printer, b.desk.Printer = pa, pb
			a.sync(t)
			b.sync(t)
			req := person(15)
			clk.advance(time.Hour)
			older := issueAt(t, a, clk, req)
			clk.advance(time.Hour)
			newer := issueAt(t, b, clk, req)
			if _, err := b.desk.Revoke(b.sess, newer.Credential.ID, "busta smarrita"); err != nil {
				t.Fatal(err)
			}
			b.sync(t)
			clk.advance(72 * time.Hour)
			for _, d := range []*deskPC{a, b, a} {
				d.sync(t)
			}

			recs, err := env.Store.Credentials(ctx, req.CodiceFiscale)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if r.Status == central.StatusActive {
					t.Errorf("centrale holds %s active, want none", r.Credential.ID)
				}
				if r.Credential.ID == older.Credential.ID && (r.Status != central.StatusSuperseded || r.SupersededBy != newer.Credential.ID) {
					t.Errorf("centrale holds the older PIN %s by %q, want superseded by %s", r.Status, r.SupersededBy, newer.Credential.ID)
				}
			}
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			for name, pin := range map[string]string{"older": pa.last(), "newer": pb.last()} {
				if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: pin}); got.Outcome == wire.Valid || got.Outcome == wire.ChangeRequired {
					t.Errorf("the portal takes the %s envelope: %s", name, got.Outcome)
				}
			}
			want := pinsede.ReasonReplacedOn("02", newer.Credential.IssuedAt)
			if c := a.credential(t, older.Credential.ID); c.State != pinsede.StateRevocato || c.RevokeReason != want {
				t.Errorf("desk 01 holds its PIN %s for %q, want revocato for %q", c.State, c.RevokeReason, want)
			}
			if !notAcceptedIssue(t, a, older.Credential.ID, newer.Credential.ID) {
				t.Errorf("desk 01 does not list its issue as superseded by %s", newer.Credential.ID)
			}
		})
	}
}

// notAcceptedIssue reports whether d lists the issue of credential id as
// superseded by the credential by.
func notAcceptedIssue(t *testing.T, d *deskPC, id, by string) bool {
	t.Helper()
	na, err := d.desk.NotAcceptedEvents()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range na {
		if n.Event.Kind != pinsede.EventIssued || n.Event.Credential.ID != id {
			continue
		}
		code, detail := n.Code()
		return n.Verdict == pinsede.VerdictSuperseded && code == pinsede.RefusedSuperseded && detail == by
	}
	return false
}

// Ensure that a PIN superseded by a newer one of another sede, pushed
// days after its issue, is revoked with the day the newer one was issued,
// not the day centrale accepted it: ROMA01 issues and syncs; MILA01,
// offline, issues an hour later and syncs three days later.
func TestSupersededReasonNamesIssueDay(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clk, _, r, m := twoDesks(t, st.open, "ROMA01", "01", "MILA01", "01")
			req := person(13)
			older := issueAt(t, r, clk, req)
			r.sync(t)
			clk.advance(time.Hour)
			newer := issueAt(t, m, clk, req)
			clk.advance(72 * time.Hour)
			m.sync(t)
			r.sync(t)

			want := pinsede.ReasonSupersededBy("MILA01", "01", newer.Credential.IssuedAt)
			if c := r.credential(t, older.Credential.ID); c.State != pinsede.StateRevocato || c.RevokeReason != want {
				t.Errorf("ROMA01 holds its PIN %s for %q, want revocato for %q", c.State, c.RevokeReason, want)
			}
			if c := m.credential(t, newer.Credential.ID); c.State != pinsede.StateAttivo {
				t.Errorf("MILA01 holds its PIN %s for %q, want attivo", c.State, c.RevokeReason)
			}
		})
	}
}

// Ensure that issues are ordered by centrale's clock, as it corrects a
// desk's: desk 01 of ROMA01, its clock two hours behind, issues an hour
// after desk 02 issued offline, and syncs first; desk 02's PIN, stamped
// later than desk 01's by the desks' clocks, is the older one, and is
// kept superseded when desk 02 syncs.
func TestNewerIssueWinsByCentralesClock(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clk := newMovingClock()
			env := testenv.NewAt(t, st.open(t), clk.now)
			behind := func() time.Time { return clk.now().Add(-2 * time.Hour) }
			a, b := newDeskPC(t, env, behind, "ROMA01", "01"), newDeskPC(t, env, clk.now, "ROMA01", "02")
			a.sync(t)
			b.sync(t)
			req := person(14)
			clk.advance(time.Hour)
			older := issueAt(t, b, clk, req)
			clk.advance(time.Hour)
			newer, err := a.desk.Issue(context.Background(), a.sess, req, verificationOn(behind()))
			if err != nil {
				t.Fatal(err)
			}
			a.sync(t)
			clk.advance(time.Hour)
			b.sync(t)
			a.sync(t)

			if cur, err := env.Store.Current(context.Background(), req.CodiceFiscale, central.SlotPIN); err != nil || cur.Credential.ID != newer.Credential.ID {
				t.Fatalf("centrale's current PIN %s (%v), want desk 01's %s, issued an hour after desk 02's", cur.Credential.ID, err, newer.Credential.ID)
			}
			if !notAcceptedIssue(t, b, older.Credential.ID, newer.Credential.ID) {
				t.Errorf("desk 02 does not list its issue as superseded by %s", newer.Credential.ID)
			}
			for _, d := range []*deskPC{a, b} {
				if c := d.credential(t, older.Credential.ID); c.State != pinsede.StateRevocato {
					t.Errorf("desk %s holds desk 02's PIN %s, want revocato", d.id, c.State)
				}
				if c := d.credential(t, newer.Credential.ID); c.State != pinsede.StateAttivo {
					t.Errorf("desk %s holds desk 01's PIN %s for %q, want attivo", d.id, c.State, c.RevokeReason)
				}
			}
		})
	}
}
