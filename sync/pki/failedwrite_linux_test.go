//go:build linux

package pki_test

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/filelimit"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// revokeFileLimit is the largest file the child may write: more than
// revoked.json with one revocation and than the CA key, less than crl.pem
// with a revocation and than the CA certificate, so that a revocation or
// the making of a CA fails between their files, as on a full disk.
const revokeFileLimit = 256

// Ensure that a revocation that failed between its two files (the disk
// full, or the program killed, after revoked.json and before crl.pem) is
// completed by revoking again: the second revoke writes a crl.pem that
// lists the certificate, which the first left out.
func TestRevokeAgainAfterFailedWrite(t *testing.T) {
	if arg, ok := filelimit.Child(); ok {
		underLimit(arg)
		return
	}
	dir := t.TempDir()
	now := testclock.Now()
	ca, err := pki.Init(dir, "test", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, caCert := issueSede(t, ca)
	runUnderLimit(t, "TestRevokeAgainAfterFailedWrite", "revoke|"+dir+"|"+pki.Serial(cert))
	if revs, err := ca.Revocations(); err != nil || len(revs) != 1 {
		t.Fatalf("after the failed revoke, revoked.json holds %v (%v), want the revocation", revs, err)
	}
	if err := checkCRL(t, dir, caCert, cert); err != nil {
		t.Fatalf("after the failed revoke, crl.pem: %v, want the certificate not listed yet", err)
	}

	if err := ca.Revoke(pki.Serial(cert), "stolen", now); err != nil {
		t.Fatalf("revoke again: %v", err)
	}
	if err := checkCRL(t, dir, caCert, cert); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("after revoking again, crl.pem checks the certificate: %v, want ErrRevoked", err)
	}
	if revs, _ := ca.Revocations(); len(revs) != 1 {
		t.Errorf("%d revocations after revoking twice, want 1", len(revs))
	}
}

// issueSede issues a sede's certificate of ca and returns it with the
// certificate of ca.
func issueSede(t *testing.T, ca *pki.CA) (cert, caCert *x509.Certificate) {
	t.Helper()
	certPEM, _, err := ca.Issue(pki.RoleSede, "ROMA01", testclock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = pki.ParseCert(certPEM); err != nil {
		t.Fatal(err)
	}
	if caCert, err = pki.ParseCert(ca.CertPEM()); err != nil {
		t.Fatal(err)
	}
	return cert, caCert
}

// checkCRL loads the crl.pem of dir as centrale does and checks cert
// against it.
func checkCRL(t *testing.T, dir string, caCert, cert *x509.Certificate) error {
	t.Helper()
	crl, err := pki.NewCRL(filepath.Join(dir, pki.CRLFile), caCert, testclock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return crl.Check(cert)
}

// underLimit is the child: with no file larger than revokeFileLimit, it
// makes in the CA folder of arg ("init|DIR" or "revoke|DIR|SERIAL") a CA
// or the revocation of the serial, and says how it failed.
func underLimit(arg string) {
	op, rest, _ := strings.Cut(arg, "|")
	dir, serial, _ := strings.Cut(rest, "|")
	if err := filelimit.Set(revokeFileLimit); err != nil {
		os.Stdout.WriteString("setrlimit: " + err.Error() + "\n")
		os.Exit(3)
	}
	var err error
	switch op {
	case "init":
		_, err = pki.Init(dir, "test", testclock.Now(), nil)
	case "revoke":
		var ca *pki.CA
		if ca, err = pki.Load(dir, nil); err != nil {
			os.Stdout.WriteString("load: " + err.Error() + "\n")
			os.Exit(3)
		}
		err = ca.Revoke(serial, "stolen", testclock.Now())
	}
	if err != nil {
		os.Stdout.WriteString(op + " failed: " + err.Error() + "\n")
		os.Exit(0)
	}
	os.Stdout.WriteString(op + " succeeded within the limit\n")
	os.Exit(3)
}

// runUnderLimit runs the test binary again as a child that runs the test
// named run, there underLimit(arg), and fails t unless op failed there.
func runUnderLimit(t *testing.T, run, arg string) {
	t.Helper()
	out, err := filelimit.Run(run, arg)
	op, _, _ := strings.Cut(arg, "|")
	if err != nil || !strings.Contains(string(out), op+" failed:") {
		t.Fatalf("%s under a file size limit of %d bytes did not fail as meant (%v):\n%s", op, revokeFileLimit, err, out)
	}
}

// Ensure that a CA whose making failed halfway (the disk full, or the
// program killed, after some of its files) can be made again in its
// folder, and is then whole: ca init refused it as existing, and every
// other command as no CA, when the key was written and the certificate
// not.
func TestInitAgainAfterFailedWrite(t *testing.T) {
	if arg, ok := filelimit.Child(); ok {
		underLimit(arg)
		return
	}
	dir := t.TempDir()
	runUnderLimit(t, "TestInitAgainAfterFailedWrite", "init|"+dir)
	if _, err := pki.Load(dir, nil); !errors.Is(err, pki.ErrNoCA) {
		t.Errorf("Load after the failed init: %v, want ErrNoCA", err)
	}
	now := testclock.Now()
	ca, err := pki.Init(dir, "test", now, nil)
	if err != nil {
		t.Fatalf("init again: %v", err)
	}
	if _, err := pki.Load(dir, nil); err != nil {
		t.Fatalf("Load after init again: %v", err)
	}
	cert, caCert := issueSede(t, ca)
	if err := ca.Revoke(pki.Serial(cert), "stolen", now); err != nil {
		t.Fatal(err)
	}
	if err := checkCRL(t, dir, caCert, cert); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("the CA made again revokes: %v, want ErrRevoked", err)
	}
}
