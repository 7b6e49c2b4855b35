//go:build linux

package pki_test

import (
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// revokeChild names, for this test binary run again as a child, the CA
// folder and the serial the child revokes under a file size limit.
const revokeChild = "PINSEDE_TEST_REVOKE_CHILD"

// revokeFileLimit is the largest file the child may write: more than
// revoked.json with one revocation, less than crl.pem with it, so the
// revocation fails between its two files, as on a full disk.
const revokeFileLimit = 256

// Ensure that a revocation that failed between its two files (the disk
// full, or the program killed, after revoked.json and before crl.pem) is
// completed by revoking again: the second revoke writes a crl.pem that
// lists the certificate, which the first left out.
func TestRevokeAgainAfterFailedWrite(t *testing.T) {
	if arg := os.Getenv(revokeChild); arg != "" {
		revokeUnderLimit(arg)
		return
	}
	dir := t.TempDir()
	now := testclock.Now()
	ca, err := pki.Init(dir, "test", now, nil)
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
	cmd := exec.Command(os.Args[0], "-test.run=^TestRevokeAgainAfterFailedWrite$")
	cmd.Env = append(os.Environ(), revokeChild+"="+dir+"|"+pki.Serial(cert))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "revoke failed:") {
		t.Fatalf("the revoke under a file size limit of %d bytes did not fail as meant (%v):\n%s", revokeFileLimit, err, out)
	}
	if revs, err := ca.Revocations(); err != nil || len(revs) != 1 {
		t.Fatalf("after the failed revoke, revoked.json holds %v (%v), want the revocation", revs, err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
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

// revokeUnderLimit is the child: it revokes the serial in the CA folder
// of arg ("DIR|SERIAL") with no file larger than revokeFileLimit, and
// says how the revoke failed.
func revokeUnderLimit(arg string) {
	dir, serial, _ := strings.Cut(arg, "|")
	lim := syscall.Rlimit{Cur: revokeFileLimit, Max: revokeFileLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		os.Stdout.WriteString("setrlimit: " + err.Error() + "\n")
		os.Exit(3)
	}
	ca, err := pki.Load(dir, nil)
	if err != nil {
		os.Stdout.WriteString("load: " + err.Error() + "\n")
		os.Exit(3)
	}
	if err := ca.Revoke(serial, "stolen", testclock.Now()); err != nil {
		os.Stdout.WriteString("revoke failed: " + err.Error() + "\n")
		os.Exit(0)
	}
	os.Stdout.WriteString("revoke succeeded within the limit\n")
	os.Exit(3)
}
