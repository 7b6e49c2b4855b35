package pki_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that nothing the CA signs outlives the CA's own certificate: in
// the CA's last ClientValidity a desk's, a kiosk's and centrale's
// certificates end with the CA (past it no chain verifies, whatever the
// leaf says), and a CA past its end signs nothing.
func TestCertNotPastCA(t *testing.T) {
	dir := t.TempDir()
	start := testclock.Now()
	ca, err := pki.Init(dir, "test", start, nil)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	end := ca.NotAfter()
	if !end.Equal(caCert.NotAfter) {
		t.Fatalf("NotAfter %s, the CA's certificate says %s", end, caCert.NotAfter)
	}
	for _, tc := range []struct {
		name string
		sign func(now time.Time) ([]byte, []byte, error)
	}{
		{"sede", func(now time.Time) ([]byte, []byte, error) { return ca.Issue(pki.RoleSede, "ROMA01", now) }},
		{"desk", func(now time.Time) ([]byte, []byte, error) { return ca.IssueDesk("ROMA01", "03", now) }},
		{"chiosco", func(now time.Time) ([]byte, []byte, error) { return ca.Issue(pki.RoleKiosk, "ROMA01", now) }},
		{"server", func(now time.Time) ([]byte, []byte, error) { return ca.IssueServer([]string{"centrale.example"}, now) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, at := range []time.Time{start, end.Add(-pki.ClientValidity - time.Hour)} {
				certPEM, _, err := tc.sign(at)
				if err != nil {
					t.Fatalf("sign at %s: %v", at, err)
				}
				if got := leaf(t, certPEM).NotAfter; !got.Equal(at.Add(pki.ClientValidity).Truncate(time.Second)) {
					t.Errorf("signed at %s: NotAfter %s, want the full %s", at, got, pki.ClientValidity)
				}
			}
			late := end.Add(-30 * 24 * time.Hour) // a renewal in the CA's last month
			certPEM, _, err := tc.sign(late)
			if err != nil {
				t.Fatalf("sign at %s: %v", late, err)
			}
			c := leaf(t, certPEM)
			if c.NotAfter.After(end) {
				t.Errorf("signed at %s: NotAfter %s, past the CA's %s", late, c.NotAfter, end)
			}
			if tc.name != "server" {
				if _, err := c.Verify(x509Opts(caCert, c.NotAfter.Add(-time.Minute))); err != nil {
					t.Errorf("a minute before its NotAfter %s: %v", c.NotAfter, err)
				}
			}
			if _, _, err := tc.sign(end.Add(time.Second)); !errors.Is(err, pki.ErrCAExpired) {
				t.Errorf("signed with the CA expired: %v, want ErrCAExpired", err)
			}
		})
	}
}

// leaf parses a certificate the CA signed.
func leaf(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	c, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that a CA's certificate renewed with its key in its last month
// (pinctl ca renew-ca) takes over without a day when nothing works: the
// certificates signed before verify on the new one, those signed after
// on the old one until it ends and then for their full validity on the
// new, and the revocation lists on both.
func TestRenewCA(t *testing.T) {
	dir := t.TempDir()
	start := testclock.Now()
	ca, err := pki.Init(dir, "test", start, nil)
	if err != nil {
		t.Fatal(err)
	}
	oldCA, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	late := oldCA.NotAfter.Add(-30 * 24 * time.Hour)
	before, _, err := ca.IssueDesk("ROMA01", "03", late.Add(-24*time.Hour)) // ends with the old CA
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.RenewCA(late); err != nil {
		t.Fatal(err)
	}
	loaded, err := pki.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	newCA, err := pki.ParseCert(loaded.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	if !newCA.NotAfter.Equal(late.Add(pki.CAValidity).Truncate(time.Second)) || newCA.Subject.String() != oldCA.Subject.String() {
		t.Fatalf("renewed CA %s until %s, want %s until %s", newCA.Subject, newCA.NotAfter, oldCA.Subject, late.Add(pki.CAValidity))
	}
	if !loaded.NotAfter().Equal(newCA.NotAfter) || !ca.NotAfter().Equal(newCA.NotAfter) {
		t.Errorf("NotAfter %s (loaded %s), want the renewed %s", ca.NotAfter(), loaded.NotAfter(), newCA.NotAfter)
	}
	after, _, err := loaded.IssueDesk("ROMA01", "03", late)
	if err != nil {
		t.Fatal(err)
	}
	a := leaf(t, after)
	if !a.NotAfter.Equal(late.Add(pki.ClientValidity).Truncate(time.Second)) {
		t.Errorf("signed after the renewal: NotAfter %s, want the full %s", a.NotAfter, pki.ClientValidity)
	}
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
		ca   *x509.Certificate
		at   time.Time
	}{
		{"before on new", leaf(t, before), newCA, late},
		{"after on old", a, oldCA, late},
		{"after on new, past the old CA", a, newCA, oldCA.NotAfter.Add(time.Hour)},
	} {
		if _, err := tc.cert.Verify(x509Opts(tc.ca, tc.at)); err != nil {
			t.Errorf("%s at %s: %v", tc.name, tc.at, err)
		}
	}
	if err := loaded.RenewCRL(late); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*x509.Certificate{oldCA, newCA} {
		at := late
		if _, err := pki.NewCRL(filepath.Join(dir, pki.CRLFile), c, func() time.Time { return at }, nil); err != nil {
			t.Errorf("the list signed after the renewal, on the CA until %s: %v", c.NotAfter, err)
		}
	}
}

// Ensure that ChainEnd says when a certificate stops verifying: with the
// CA's certificate not yet renewed, at the CA's end, though the
// certificate says later; with the renewed one (alone or beside the old,
// in either order) at its own; on another CA's, at its own.
func TestChainEnd(t *testing.T) {
	dir := t.TempDir()
	ca, err := pki.Init(dir, "test", testclock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	oldPEM := ca.CertPEM()
	oldEnd := ca.NotAfter()
	late := oldEnd.Add(-30 * 24 * time.Hour)
	if err := ca.RenewCA(late); err != nil {
		t.Fatal(err)
	}
	newPEM := ca.CertPEM()
	certPEM, _, err := ca.IssueDesk("ROMA01", "03", late)
	if err != nil {
		t.Fatal(err)
	}
	c := leaf(t, certPEM)
	other, err := pki.Init(t.TempDir(), "other", testclock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	join := func(pems ...[]byte) []byte { return bytes.Join(pems, nil) }
	for _, tc := range []struct {
		name  string
		caPEM []byte
		want  time.Time
	}{
		{"old CA", oldPEM, oldEnd},
		{"renewed CA", newPEM, c.NotAfter},
		{"old and renewed", join(oldPEM, newPEM), c.NotAfter},
		{"renewed and old", join(newPEM, oldPEM), c.NotAfter},
		{"another CA", other.CertPEM(), c.NotAfter},
		{"nothing", nil, c.NotAfter},
	} {
		if got := pki.ChainEnd(tc.caPEM, c); !got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
