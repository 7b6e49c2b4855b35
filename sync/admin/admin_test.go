package admin_test

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a Client gets from the admin API what the store answers,
// without PIN hashes, and its errors as the store's sentinel errors; and
// that requests that name no operator of centrale, or no codice fiscale,
// are refused with a problem that says so.
func TestClient(t *testing.T) {
	dir, err := os.MkdirTemp("", "admin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	store, err := boltstore.Open(filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.SetLimits(storetest.Limits)
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	ctx := t.Context()
	if _, err := store.Apply(ctx, "ROMA01", []pinsede.Event{storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", h)}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "a.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: admin.Handler(store, testclock.Now, nil)}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	c := admin.Dial(sock)
	defer c.Close()

	rs, err := c.Credentials(ctx, storetest.CF(1))
	if err != nil || len(rs) != 1 || rs[0].Credential.ID != "c1" || rs[0].Credential.PINHash != "" {
		t.Errorf("Credentials = %+v, %v; want c1 without its hash", rs, err)
	}
	if _, err := c.Revoke(ctx, "c9", "centrale:rossi", "furto denunciato", storetest.T0); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Revoke(unknown) = %v, want ErrNotFound", err)
	}
	if r, err := c.Revoke(ctx, "c1", "centrale:rossi", "furto denunciato", storetest.T0); err != nil || r.Status != central.StatusRevoked || r.Credential.PINHash != "" {
		t.Errorf("Revoke = %+v, %v", r, err)
	}
	if _, err := c.Revoke(ctx, "c1", "centrale:rossi", "furto denunciato", storetest.T0); !errors.Is(err, central.ErrNotActive) {
		t.Errorf("Revoke again = %v, want ErrNotActive", err)
	}
	for name, call := range map[string]func() error{
		"no operator": func() error { _, err := c.Unlock(ctx, storetest.CF(1), "rossi", storetest.T0); return err },
		"no reason":   func() error { _, err := c.Revoke(ctx, "c1", "centrale:rossi", "", storetest.T0); return err },
		"not a cf":    func() error { _, err := c.Credentials(ctx, "RSSMRA80A01H501A"); return err },
		// The reason reaches the sede's desks, and both are printed by
		// centrale's subcommands: no control or bidirectional character.
		"escape in the reason": func() error {
			_, err := c.Revoke(ctx, "c1", "centrale:rossi", "furto \x1b[2J denunciato", storetest.T0)
			return err
		},
		"override in the operator": func() error {
			_, err := c.Unlock(ctx, storetest.CF(1), "centrale:ro\u202essi", storetest.T0)
			return err
		},
		"reset, no chain": func() error {
			_, err := c.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", By: "centrale:rossi", Reason: "x"})
			return err
		},
	} {
		if err := call(); !errors.Is(err, admin.ErrBadRequest) && !errors.Is(err, central.ErrBadReset) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	if o, err := c.Overview(ctx, storetest.T0, 30); err != nil || len(o.Desks) != 1 || len(o.Issued) != admin.StatusDays {
		t.Errorf("Overview = %+v, %v", o, err)
	}
}
