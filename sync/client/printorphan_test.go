package client_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// Ensure that the PINs desk 02 issued and printed, envelopes waiting to
// be handed over, are left active by the start of a store that got its
// records from centrale rather than from its own issues: a new PC that
// joins the sede as desk 06 (the README's way for a PC replaced), one
// that joins as desk 02 again on a new certificate, and desk 02's store
// restored from a copy made before the issues. Each pulls, starts again
// (RecoverPrints, as the desk before its login) and revokes nothing
// (recoverOrphans takes a pulled PIN, with no print here, for no orphan
// of its own); the new desk 06 hands them over (no ErrNotPrinted), and
// desk 01 hands over those the others do not hold: centrale never sends
// a desk its own events unasked, so a new PC with desk 02's id gets none
// of them back, while desk 02's store restored from the copy asks for
// them (wire.PullOwn) and holds all three again, active. Against a real
// centrale on bbolt (what is tested is the desk's:
// its stores are bbolt in temporary folders). The PINs pulled as desk
// 02's own, were centrale to send them, would be told apart by their
// audit entries' time there (AuditEntry.At, OfDesk): with that and the
// two filters of a desk's own events taken away, the start revoked all
// three.
func TestPulledPrintedSlipsSurviveStart(t *testing.T) {
	testclock.RealDayOnly(t, "printed slips kept through a start")
	clock := testclock.Stepping(time.Microsecond)
	env := testenv.NewAt(t, stores[0].open(t), clock) // bolt
	ctx := context.Background()
	a := newDeskPC(t, env, clock, "ROMA01", "01")
	b := newDeskPC(t, env, clock, "ROMA01", "02")
	a.sync(t)
	b.sync(t)
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	if _, err := b.ls.BackupFile(copyPath); err != nil { // before the issues
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		out, err := b.desk.Issue(ctx, b.sess, person(i), verification())
		if err != nil {
			t.Fatal(err)
		}
		if out.Credential.PrintedAt.IsZero() {
			t.Fatalf("slip %d: no print recorded", i)
		}
		ids = append(ids, out.Credential.ID)
	}
	b.sync(t)
	a.sync(t)
	bPath := b.ls.Path()
	if err := b.ls.Close(); err != nil {
		t.Fatal(err)
	}

	// start opens the desk id on the store at path, with its own
	// certificate, pulls, closes it and opens it again as the desk does
	// at its next start, and recovers the prints: none revoked.
	start := func(t *testing.T, path, key, id string) (*local.Store, *pinsede.Desk) {
		t.Helper()
		open := func() (*local.Store, *pinsede.Desk) {
			ls, err := local.Open(path, key)
			if err != nil {
				t.Fatal(err)
			}
			ls.SetDesk(id)
			d := pinsede.NewDesk(ls, &capture{}, clock)
			d.DeskID, d.PINParams, d.PasswordParams = id, testenv.CheapArgon2, testenv.CheapArgon2
			return ls, d
		}
		ls, d := open()
		if n, err := d.RecoverPrints(); n != 0 || err != nil { // the start before the pull
			t.Fatalf("RecoverPrints before the pull: %d, %v", n, err)
		}
		cfg, _ := env.DeskTLS(t, "ROMA01", id)
		c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
			Sede: "ROMA01", Local: ls, Desk: d, Now: clock})
		if _, err := c.Pull(ctx); err != nil {
			t.Fatal(err)
		}
		if err := ls.Close(); err != nil {
			t.Fatal(err)
		}
		ls, d = open()
		t.Cleanup(func() { ls.Close() })
		if n, err := d.RecoverPrints(); n != 0 || err != nil {
			t.Errorf("RecoverPrints at the next start: %d, %v; want none revoked", n, err)
		}
		if n, err := ls.OutboxLen(); err != nil || n != 0 {
			t.Errorf("outbox after the start: %d, %v; want empty", n, err)
		}
		return ls, d
	}
	// held returns the credentials of ids the store holds.
	held := func(t *testing.T, ls *local.Store) []pinsede.Credential {
		t.Helper()
		var out []pinsede.Credential
		if err := ls.View(func(tx pinsede.Tx) error {
			for _, id := range ids {
				switch c, err := tx.Credential(id); {
				case err == nil:
					out = append(out, c)
				case !errors.Is(err, pinsede.ErrNotFound):
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}

	t.Run("new desk id", func(t *testing.T) {
		ls, path, key := newLocal(t)
		ls.Close()
		ls, d := start(t, path, key, "06")
		cs := held(t, ls)
		if len(cs) != len(ids) {
			t.Fatalf("desk 06 holds %d of desk 02's PINs, want %d", len(cs), len(ids))
		}
		s, err := d.Login("sup", "password-lunga")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.State != pinsede.StateAttivo || !c.PrintedAt.IsZero() {
				t.Errorf("pulled %s: %s, printed %v; want active, no print here", c.SlipSerial, c.State, c.PrintedAt)
			}
		}
		if _, err := d.RecordHandover(s, cs[0].ID); err != nil {
			t.Errorf("handover at desk 06: %v", err)
		}
	})
	t.Run("same desk id", func(t *testing.T) {
		ls, path, key := newLocal(t)
		ls.Close()
		ls, _ = start(t, path, key, "02")
		if cs := held(t, ls); len(cs) != 0 {
			t.Errorf("the new PC as desk 02 holds %+v; centrale sends a desk none of its own events", cs)
		}
	})
	t.Run("restored", func(t *testing.T) {
		if _, err := local.Restore(copyPath, bPath, b.key, clock()); err != nil {
			t.Fatal(err)
		}
		ls, _ := start(t, bPath, b.key, "02")
		cs := held(t, ls)
		if len(cs) != len(ids) {
			t.Fatalf("the restored desk 02 holds %d of the PINs issued after its copy, want %d", len(cs), len(ids))
		}
		for _, c := range cs {
			if c.State != pinsede.StateAttivo {
				t.Errorf("got back %s: %s, want active", c.SlipSerial, c.State)
			}
		}
	})

	// Every one still active at centrale and at desk 01, which hands over
	// those not handed over yet.
	a.sync(t)
	for i, id := range ids {
		if r := centralRecord(t, env, person(i).CodiceFiscale, id); r.Status != central.StatusActive {
			t.Errorf("%s at centrale: %s, want active", id, r.Status)
		}
		if i == 0 {
			continue // handed over at desk 06
		}
		if _, err := a.desk.RecordHandover(a.sess, id); err != nil {
			t.Errorf("handover of %s at desk 01: %v", id, err)
		}
	}
}
