package pki_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	if _, err := pki.Init(dir, "test", now, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pki.Init(dir, "test", now, nil); !errors.Is(err, pki.ErrExists) {
		t.Errorf("second Init: %v, want ErrExists", err)
	}
	ca, err := pki.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pki.Load(t.TempDir(), nil); !errors.Is(err, pki.ErrNoCA) {
		t.Errorf("Load of an empty folder: %v, want ErrNoCA", err)
	}
	caCert, err := pki.ParseCert(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.NewCRL(filepath.Join(dir, pki.CRLFile), caCert, testclock.Now, nil)
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

// Ensure that a desk's certificate names its sede and its desk, that a
// certificate of before desk ids is desk "", that bad desk ids are
// refused, and that revoking one desk's certificate leaves the other's.
func TestDeskCertificate(t *testing.T) {
	f := newFixture(t)
	now := *f.now
	desk := func(code, d string) *x509.Certificate {
		t.Helper()
		certPEM, _, err := f.ca.IssueDesk(code, d, now)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := pki.ParseCert(certPEM)
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	c03, c04 := desk("ROMA01", "03"), desk("ROMA01", "04")
	for _, tc := range []struct {
		cert *x509.Certificate
		want string
	}{{c03, "03"}, {c04, "04"}, {f.cert, ""}} {
		role, code, err := pki.Identity(tc.cert)
		if err != nil || role != pki.RoleSede || code != "ROMA01" {
			t.Errorf("Identity = %s %s %v, want sede ROMA01", role, code, err)
		}
		if got, err := pki.DeskOf(tc.cert); err != nil || got != tc.want {
			t.Errorf("DeskOf = %q %v, want %q", got, err, tc.want)
		}
	}
	for _, d := range []string{"", "03 ", "-3", "a1", "123456789", "0:3"} {
		if _, _, err := f.ca.IssueDesk("ROMA01", d, now); !errors.Is(err, pki.ErrBadDesk) {
			t.Errorf("IssueDesk(ROMA01, %q) = %v, want ErrBadDesk", d, err)
		}
	}
	if _, _, err := f.ca.IssueDesk("roma01", "03", now); !errors.Is(err, pki.ErrBadCode) {
		t.Errorf("IssueDesk(roma01) = %v, want ErrBadCode", err)
	}
	if err := f.ca.Revoke(pki.Serial(c03), "PC perso", now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Check(c03); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("revoked desk 03: %v, want ErrRevoked", err)
	}
	if err := f.crl.Check(c04); err != nil {
		t.Errorf("desk 04 after revoking 03: %v", err)
	}
}

// x509Opts verifies client certificates against ca, at now.
func x509Opts(ca *x509.Certificate, now time.Time) x509.VerifyOptions {
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, CurrentTime: now}
}

// fixture is a CA in a temporary folder with a client certificate of
// ROMA01, and the CRL loaded on the clock *now, logging to log.
type fixture struct {
	dir  string
	ca   *pki.CA
	cert *x509.Certificate
	crl  *pki.CRL
	now  *time.Time
	log  *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), log: new(bytes.Buffer)}
	now := testclock.Now()
	f.now = &now
	var err error
	if f.ca, err = pki.Init(f.dir, "test", now, nil); err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := f.ca.Issue(pki.RoleSede, "ROMA01", now)
	if err != nil {
		t.Fatal(err)
	}
	if f.cert, err = pki.ParseCert(certPEM); err != nil {
		t.Fatal(err)
	}
	caCert, err := pki.ParseCert(f.ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(f.log, nil))
	if f.crl, err = pki.NewCRL(filepath.Join(f.dir, pki.CRLFile), caCert, func() time.Time { return *f.now }, log); err != nil {
		t.Fatal(err)
	}
	return f
}

// errors returns the error lines logged.
func (f *fixture) errors() int { return strings.Count(f.log.String(), "level=ERROR") }

// putBack writes b as crl.pem, with a modification time of its own, as a
// copy of an older list put back would be.
func (f *fixture) putBack(t *testing.T, b []byte, mod time.Time) {
	t.Helper()
	path := filepath.Join(f.dir, pki.CRLFile)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// Ensure that an older revocation list put back is refused: the
// certificate revoked since stays refused, the refusal is logged once and
// Status tells it, and a newer list is loaded again.
func TestCRLOlderRefused(t *testing.T) {
	f := newFixture(t)
	old, err := os.ReadFile(filepath.Join(f.dir, pki.CRLFile))
	if err != nil {
		t.Fatal(err)
	}
	*f.now = f.now.Add(time.Minute)
	if err := f.ca.Revoke(pki.Serial(f.cert), "PC rubato", *f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) {
		t.Fatalf("revoked certificate: %v, want ErrRevoked", err)
	}
	f.putBack(t, old, f.now.Add(time.Hour))
	for range 3 {
		if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) {
			t.Fatalf("after the older list was put back: %v, want ErrRevoked", err)
		}
	}
	if err := f.crl.Status(); !errors.Is(err, pki.ErrCRLOlder) {
		t.Errorf("Status = %v, want ErrCRLOlder", err)
	}
	if n := f.errors(); n != 1 {
		t.Errorf("%d errors logged, want 1:\n%s", n, f.log)
	}
	// The supervisor signs the list again: it is loaded, the certificate
	// still revoked.
	*f.now = f.now.Add(time.Minute)
	if err := f.ca.RenewCRL(*f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Status(); err != nil {
		t.Errorf("Status after a renewal = %v", err)
	}
	if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("after the renewal: %v, want ErrRevoked", err)
	}
}

// Ensure that a list past its next update is reported, by the caller's
// clock, and still applied; and that a renewal clears it.
func TestCRLExpired(t *testing.T) {
	f := newFixture(t)
	if err := f.crl.Status(); err != nil {
		t.Fatalf("fresh list: %v", err)
	}
	*f.now = f.now.Add(pki.CRLValidity + time.Second)
	if err := f.crl.Status(); !errors.Is(err, pki.ErrCRLExpired) {
		t.Errorf("Status = %v, want ErrCRLExpired", err)
	}
	if err := f.crl.Check(f.cert); err != nil {
		t.Errorf("Check of a certificate not revoked, list expired: %v", err)
	}
	if n := f.errors(); n != 1 {
		t.Errorf("%d errors logged, want 1:\n%s", n, f.log)
	}
	if err := f.ca.RenewCRL(*f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Status(); err != nil {
		t.Errorf("Status after a renewal = %v", err)
	}
}

// Ensure that a list in force past its next update is still reported once
// an older crl.pem is put back, beside the refusal: both in Status, for
// the health check, and in the log. Before, Status said only that the
// older list was refused, and /v1/health "older list refused", the list
// in force expired.
func TestCRLExpiredAndOlderBothReported(t *testing.T) {
	f := newFixture(t)
	old, err := os.ReadFile(filepath.Join(f.dir, pki.CRLFile))
	if err != nil {
		t.Fatal(err)
	}
	*f.now = f.now.Add(time.Minute)
	if err := f.ca.RenewCRL(*f.now); err != nil { // a newer list, loaded
		t.Fatal(err)
	}
	if err := f.crl.Status(); err != nil {
		t.Fatalf("Status of the newer list: %v", err)
	}
	*f.now = f.now.Add(pki.CRLValidity + time.Second) // past its next update
	f.putBack(t, old, f.now.Add(time.Hour))
	st := f.crl.Status()
	if !errors.Is(st, pki.ErrCRLExpired) || !errors.Is(st, pki.ErrCRLOlder) {
		t.Errorf("Status = %v, want both ErrCRLExpired and ErrCRLOlder", st)
	}
	if !strings.Contains(f.log.String(), "next update was") || !strings.Contains(f.log.String(), "the loaded list stands") {
		t.Errorf("log, want the list in force expired and the older list refused:\n%s", f.log)
	}
}

// Ensure that a list the CA signs again is read even when the new file has
// the old one's size and modification time: file times move in ticks of a
// few milliseconds, and a renewal right after a load (TestCRLExpired on a
// quiet machine) wrote its list within the same tick, so that centrale kept
// the expired one. The CA renames a new file over the old: another file.
func TestCRLRenewedWithinATick(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(f.dir, pki.CRLFile)
	// The loaded list, put in its place with 64 newlines after it (a PEM
	// block ends before them), so that the renewed list, a few bytes
	// longer or shorter, can be padded to its size.
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".new", append(old, bytes.Repeat([]byte("\n"), 64)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Status(); err != nil {
		t.Fatalf("the list padded: %v", err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	*f.now = f.now.Add(pki.CRLValidity + time.Second)
	if err := f.ca.RenewCRL(*f.now); err != nil {
		t.Fatal(err)
	}
	renewed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(renewed)) > before.Size() {
		t.Fatalf("the renewed list has %d bytes, more than the padded one's %d", len(renewed), before.Size())
	}
	// Written in place: the renewed file, padded, at the old one's time.
	if err := os.WriteFile(path, append(renewed, bytes.Repeat([]byte("\n"), int(before.Size())-len(renewed))...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(path); err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Fatalf("the renewed list is not of the old one's size and time: %v, %v", after, err)
	}
	if err := f.crl.Status(); err != nil {
		t.Errorf("Status after a renewal in the same tick = %v", err)
	}
}

// Ensure that the CA's list numbers go up even when its clock goes back,
// so that centrale does not refuse a list signed after a clock change.
func TestCRLNumberUpWhenClockGoesBack(t *testing.T) {
	f := newFixture(t)
	*f.now = f.now.Add(-24 * time.Hour)
	if err := f.ca.Revoke(pki.Serial(f.cert), "PC rubato", *f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("revoked on a clock gone back: %v, want ErrRevoked", err)
	}
	if err := f.crl.Status(); err != nil {
		t.Errorf("Status = %v", err)
	}
}

// Ensure that centrale's TLS configuration fails the handshake of a client
// without a certificate, and completes that of a client with one.
func TestServerTLSRequiresCertificate(t *testing.T) {
	// crypto/tls checks validity on the real clock: a CA of its own, on
	// it, not the fixture's, on the suite's clock (PINSEDE_TEST_NOW).
	now := time.Now()
	ca, err := pki.Init(t.TempDir(), "tls", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	srvPEM, srvKey, err := ca.IssueServer([]string{"127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ServerTLS(ca.CertPEM(), srvPEM, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	handshakes := make(chan error)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			err = c.(*tls.Conn).Handshake()
			if err == nil {
				_, err = c.Write([]byte("x"))
			}
			c.Close()
			handshakes <- err
		}
	}()
	certPEM, keyPEM, err := ca.Issue(pki.RolePortal, "PORTALE", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name             string
		certPEM, keyPEM  []byte
		wantServer, want bool // whether each side's handshake succeeds
	}{
		{"no certificate", nil, nil, false, false},
		{"a certificate of the CA", certPEM, keyPEM, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, err := pki.ClientTLS(ca.CertPEM(), tc.certPEM, tc.keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			c, err := tls.Dial("tcp", ln.Addr().String(), ccfg)
			if err == nil {
				// TLS 1.3: the client learns of the refusal at its first read.
				_, err = c.Read(make([]byte, 1))
				c.Close()
			}
			if serr := <-handshakes; (serr == nil) != tc.wantServer {
				t.Errorf("server handshake: %v, want success %v", serr, tc.wantServer)
			}
			if (err == nil) != tc.want {
				t.Errorf("client: %v, want success %v", err, tc.want)
			}
		})
	}
}

// Ensure that a CA key kept with a passphrase is encrypted on disk, opens
// only with its passphrase, and signs as before.
func TestCAKeyPassphrase(t *testing.T) {
	dir := t.TempDir()
	now := testclock.Now()
	pass := []byte("una frase lunga e segreta")
	if _, err := pki.Init(dir, "cifrata", now, pass); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, pki.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || !strings.Contains(block.Type, "ENCRYPTED") {
		t.Fatalf("the key file is not an encrypted key:\n%s", raw)
	}
	if _, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		t.Fatal("the key file's bytes are the key in the clear")
	}
	for _, wrong := range [][]byte{nil, []byte("un'altra frase")} {
		if _, err := pki.Load(dir, wrong); !errors.Is(err, pki.ErrPassphrase) {
			t.Errorf("Load with passphrase %q: %v, want ErrPassphrase", wrong, err)
		}
	}
	ca, err := pki.Load(dir, pass)
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
	if _, err := cert.Verify(x509Opts(mustParse(t, ca.CertPEM()), now)); err != nil {
		t.Errorf("a certificate signed with the encrypted key does not verify: %v", err)
	}
	// A key left in the clear, as before, opens with or without one.
	plain := t.TempDir()
	if _, err := pki.Init(plain, "in chiaro", now, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pki.Load(plain, pass); err != nil {
		t.Errorf("a key in the clear with a passphrase given: %v", err)
	}
}

// mustParse parses a PEM certificate.
func mustParse(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	c, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that replicas sharing a floor hold their lists to it: a replica
// whose crl.pem is older than a list another replica loaded does not
// start, and one whose file is replaced by a list older than that refuses
// it, though it is newer than its own.
func TestCRLFloorAcrossReplicas(t *testing.T) {
	f := newFixture(t)
	caCert, err := pki.ParseCert(f.ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	shared := new(big.Int) // the database's number
	floor := func(n *big.Int) (*big.Int, error) {
		mu.Lock()
		defer mu.Unlock()
		if n.Cmp(shared) > 0 {
			shared.Set(n)
		}
		return new(big.Int).Set(shared), nil
	}
	path := filepath.Join(f.dir, pki.CRLFile)
	list := func() []byte {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := list()
	if err := f.crl.SetFloor(floor); err != nil { // replica A, list 1
		t.Fatal(err)
	}
	*f.now = f.now.Add(time.Minute)
	if err := f.ca.RenewCRL(*f.now); err != nil {
		t.Fatal(err)
	}
	second := list()
	*f.now = f.now.Add(time.Minute)
	if err := f.ca.Revoke(pki.Serial(f.cert), "PC rubato", *f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) { // A loads list 3
		t.Fatalf("replica A: %v, want ErrRevoked", err)
	}

	// Replica B starts from a copy of list 1.
	bDir := t.TempDir()
	bPath := filepath.Join(bDir, pki.CRLFile)
	if err := os.WriteFile(bPath, first, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := pki.NewCRL(bPath, caCert, func() time.Time { return *f.now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetFloor(floor); !errors.Is(err, pki.ErrCRLOlder) {
		t.Fatalf("replica B on list 1 after A loaded list 3: %v, want ErrCRLOlder", err)
	}
	// Replica C on list 1 joined before A's revocation (no floor yet above
	// it), then its file is replaced by list 2: newer than its own, older
	// than A's.
	cDir := t.TempDir()
	cPath := filepath.Join(cDir, pki.CRLFile)
	if err := os.WriteFile(cPath, first, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := pki.NewCRL(cPath, caCert, func() time.Time { return *f.now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	saved := new(big.Int).Set(shared)
	shared.SetInt64(0) // as it was when C started
	mu.Unlock()
	if err := c.SetFloor(floor); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	shared.Set(saved)
	mu.Unlock()
	if err := os.WriteFile(cPath, second, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(cPath, f.now.Add(time.Hour), f.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c.Check(f.cert) // reads the file
	if err := c.Status(); !errors.Is(err, pki.ErrCRLOlder) {
		t.Errorf("replica C given list 2 after A loaded list 3: Status %v, want ErrCRLOlder", err)
	}
}

// Ensure that a revocation list file over MaxRevocationBytes (the wrong
// file put in its place) is refused unread, by a message that names it
// and its bound, and that the list loaded before stands.
func TestCRLTooLarge(t *testing.T) {
	f := newFixture(t)
	*f.now = f.now.Add(time.Minute)
	if err := f.ca.Revoke(pki.Serial(f.cert), "PC rubato", *f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) {
		t.Fatalf("revoked certificate: %v, want ErrRevoked", err)
	}
	path := filepath.Join(f.dir, pki.CRLFile)
	large := filepath.Join(f.dir, "large")
	if err := os.WriteFile(large, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(large, pki.MaxRevocationBytes+1); err != nil { // sparse: no disk spent
		t.Fatal(err)
	}
	if err := os.Rename(large, path); err != nil {
		t.Fatal(err)
	}
	if err := f.crl.Check(f.cert); !errors.Is(err, pki.ErrRevoked) {
		t.Errorf("with the large file: %v, want ErrRevoked (the list loaded before)", err)
	}
	want := fmt.Sprintf("revocation list file %s has more than %d bytes", path, pki.MaxRevocationBytes)
	if err := f.crl.Status(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Status = %v, want %s", err, want)
	}
}

// Ensure that what the CA signs is in its register before it is handed
// out, found by any spelling of its serial, and that a serial it did not
// sign is ErrNotIssued.
func TestIssuedRegister(t *testing.T) {
	ca, err := pki.Init(t.TempDir(), "test CA", testclock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := ca.IssueDesk("ROMA01", "03", testclock.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{pki.Serial(cert), "0" + strings.ToUpper(pki.Serial(cert)), "serial=" + pki.Serial(cert)} {
		got, err := ca.IssuedCert(s)
		if err != nil || !got.Equal(cert) {
			t.Errorf("IssuedCert(%s) = %v, %v; want the certificate issued", s, got, err)
		}
	}
	if _, err := ca.IssuedCert("1" + pki.Serial(cert)); !errors.Is(err, pki.ErrNotIssued) {
		t.Errorf("IssuedCert of a serial never issued: %v, want ErrNotIssued", err)
	}
	for _, s := range []string{"", "xyz", "-12", "0"} {
		if _, err := pki.ParseSerial(s); !errors.Is(err, pki.ErrBadSerial) {
			t.Errorf("ParseSerial(%q): %v, want ErrBadSerial", s, err)
		}
	}
}
