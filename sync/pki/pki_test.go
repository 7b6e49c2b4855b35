package pki_test

import (
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that a CA issues certificates that name their holder, refuses bad
// names, and that a revocation reaches a CRL already loaded.
func TestCA(t *testing.T) {
	dir := t.TempDir()
	now := testclock.Now()
	ca, err := pki.Init(dir, "test", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pki.Init(dir, "test", now); !errors.Is(err, pki.ErrExists) {
		t.Errorf("second Init: %v, want ErrExists", err)
	}
	if ca, err = pki.Load(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := pki.Load(t.TempDir()); !errors.Is(err, pki.ErrNoCA) {
		t.Errorf("Load of an empty folder: %v, want ErrNoCA", err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(filepath.Join(dir, pki.CRLFile), caCert)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := ca.Issue(pki.RoleSede, "ROMA01", now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if role, code, err := pki.Identity(cert); err != nil || role != pki.RoleSede || code != "ROMA01" {
		t.Errorf("Identity = %s %s %v", role, code, err)
	}
	if _, err := cert.Verify(x509Opts(caCert, now)); err != nil {
		t.Errorf("certificate does not verify: %v", err)
	}
	if err := crl.Check(cert); err != nil {
		t.Errorf("fresh certificate: %v", err)
	}
	if err := ca.Revoke(pki.Serial(cert), "stolen", now); err != nil {
		t.Fatal(err)
	}
	if err := ca.Revoke(pki.Serial(cert), "stolen", now); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	if err := crl.Check(cert); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("revoked certificate: %v, want ErrRevoked", err)
	}
	if revs, _ := ca.Revocations(); len(revs) != 1 {
		t.Errorf("%d revocations, want 1", len(revs))
	}
	for _, tc := range []struct {
		role pki.Role
		code string
		want error
	}{
		{pki.RoleSede, "roma01", pki.ErrBadCode},
		{pki.RoleSede, "", pki.ErrBadCode},
		{pki.RoleSede, "ROMA 01", pki.ErrBadCode},
		{"admin", "ROMA01", pki.ErrBadRole},
	} {
		if _, _, err := ca.Issue(tc.role, tc.code, now); !errors.Is(err, tc.want) {
			t.Errorf("Issue(%q, %q) = %v, want %v", tc.role, tc.code, err, tc.want)
		}
	}
	srvPEM, _, err := ca.IssueServer([]string{"127.0.0.1", "centrale.example"}, now)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := pki.ParseCert(srvPEM)
	if _, _, err := pki.Identity(srv); !errors.Is(err, pki.ErrNoIdentity) {
		t.Errorf("server certificate as a client: %v, want ErrNoIdentity", err)
	}
}

// x509Opts verifies client certificates against ca, at now.
func x509Opts(ca *x509.Certificate, now time.Time) x509.VerifyOptions {
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, CurrentTime: now}
}
