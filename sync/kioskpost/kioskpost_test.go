package kioskpost_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// files writes a certificate of role and code, its key and the CA into a
// folder, and returns their paths.
func files(t *testing.T, env *testenv.Env, role pki.Role, code string) (cert, key, ca string) {
	t.Helper()
	certPEM, keyPEM, err := env.CA.Issue(role, code, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key, ca = filepath.Join(dir, "k.crt"), filepath.Join(dir, "k.key"), filepath.Join(dir, "ca.crt")
	for p, b := range map[string][]byte{cert: certPEM, key: keyPEM, ca: env.CA.CertPEM()} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key, ca
}

// Ensure that a kiosk posts a ticket with the certificate Load reads (201,
// then stored false for the retry), that Load tells when that certificate
// stops working (the chain's end), that Load refuses a sede's
// certificate, and that a refusal comes back as a *wire.Problem.
func TestPost(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "centrale.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	env := testenv.New(t, s)
	cert, key, ca := files(t, env, pki.RoleKiosk, "ROMA01")
	c, err := kioskpost.Load(env.URL+"/", cert, key, ca, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sede != "ROMA01" {
		t.Errorf("sede %q, want ROMA01", c.Sede)
	}
	certPEM, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if want := pki.ChainEnd(env.CA.CertPEM(), parsed); c.Expires.IsZero() || !c.Expires.Equal(want) {
		t.Errorf("Expires %v, want the chain's end %v: the kiosk warns its staff from it", c.Expires, want)
	}
	tk := storetest.Ticket("", "ACDEFG34", "K001", testclock.Now())
	for _, want := range []bool{true, false} {
		resp, err := c.Post(context.Background(), tk)
		if err != nil || resp.Stored != want || resp.Code != tk.Code {
			t.Errorf("Post = %+v, %v; want stored %v", resp, err, want)
		}
	}
	tk.Code = "0OIL1258"
	var p *wire.Problem
	if _, err := c.Post(context.Background(), tk); !errors.As(err, &p) || p.Status != 422 || p.Detail == "" {
		t.Errorf("Post of a bad code: %v, want a 422 problem", err)
	}

	sc, sk, sca := files(t, env, pki.RoleSede, "ROMA01")
	if _, err := kioskpost.Load(env.URL, sc, sk, sca, 0); !errors.Is(err, kioskpost.ErrNotKiosk) {
		t.Errorf("Load of a sede's certificate: %v, want ErrNotKiosk", err)
	}
	if _, err := kioskpost.Load(env.URL, filepath.Join(t.TempDir(), "none.crt"), sk, sca, 0); err == nil {
		t.Error("Load of a missing file: no error")
	}
}
