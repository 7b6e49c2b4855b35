package pki_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/certtest"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that centrale's certificate renewed in its files serves the next
// handshake without a restart, and that files that cannot be used (a
// certificate half written) leave the one loaded before serving, with an
// error in the log, until they are right again; and so does a file over
// MaxPEMBytes.
func TestServerCertRenewed(t *testing.T) {
	now := testclock.Now()
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "renew", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	write := certtest.PairWriter(t, certPath, keyPath, testclock.Now())
	issue := func() ([]byte, []byte) {
		t.Helper()
		c, k, err := ca.IssueServer([]string{"centrale.example"}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c, k
	}
	firstCert, firstKey := issue()
	write(firstCert, firstKey)
	var log bytes.Buffer
	sc, err := pki.NewServerCert(certPath, keyPath, ca.CertPEM(), testclock.Now, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	served := serveCert(t, ca, sc)
	if got, want := served(), certtest.Serial(t, firstCert); got != want {
		t.Fatalf("first handshake: certificate %s, want %s", got, want)
	}
	renewedCert, renewedKey := issue()
	write(renewedCert, renewedKey)
	if got, want := served(), certtest.Serial(t, renewedCert); got != want {
		t.Fatalf("after the renewal: certificate %s, want the renewed %s", got, want)
	}
	if got := pki.Serial(sc.Leaf()); got != certtest.Serial(t, renewedCert) {
		t.Errorf("Leaf = %s, want the renewed certificate", got)
	}
	write(renewedCert[:len(renewedCert)/2], renewedKey) // half written
	if got, want := served(), certtest.Serial(t, renewedCert); got != want {
		t.Fatalf("with a broken file: certificate %s, want the one loaded before, %s", got, want)
	}
	if n := strings.Count(log.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d errors logged for the broken file, want 1:\n%s", n, log.String())
	}
	served() // the same broken files: not read, nor logged, again
	if n := strings.Count(log.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d errors logged after a second handshake on the same broken files, want still 1", n)
	}
	thirdCert, thirdKey := issue()
	write(thirdCert, thirdKey)
	if got, want := served(), certtest.Serial(t, thirdCert); got != want {
		t.Fatalf("after the files were put right: certificate %s, want %s", got, want)
	}
	write(append(bytes.Repeat([]byte("\n"), pki.MaxPEMBytes), thirdCert...), thirdKey) // the wrong file: over its bound, refused unread
	if got, want := served(), certtest.Serial(t, thirdCert); got != want {
		t.Fatalf("with a file over MaxPEMBytes: certificate %s, want the one loaded before, %s", got, want)
	}
	if want := "server certificate file " + certPath + " has more than"; !strings.Contains(log.String(), want) {
		t.Errorf("log %s, want %s", log.String(), want)
	}
}

// Ensure that a pair that parses but that the desks would refuse at their
// handshake is not served: an expired pair put back from a backup, one not
// yet valid, one of another CA, a renewal that leaves out a host name the
// desks reach centrale by (pinctl ca server without -host). The pair in
// force goes on serving, the log says what is wrong and what to do, once,
// and Status says it until a good pair is copied, which then serves. Each
// on the caller's clock, the desks' handshakes too.
func TestServerCertRefusesUnusable(t *testing.T) {
	now := testclock.Now()
	hosts := []string{"centrale.example", "127.0.0.1"}
	for _, tc := range []struct {
		name, want string
		mint       func(ca *pki.CA) ([]byte, []byte, error)
	}{
		{"expired pair put back", "expired at", func(ca *pki.CA) ([]byte, []byte, error) {
			return ca.IssueServer(hosts, now.AddDate(-3, 0, 0))
		}},
		{"not yet valid", "is valid only from", func(ca *pki.CA) ([]byte, []byte, error) {
			return ca.IssueServer(hosts, now.Add(2*time.Hour))
		}},
		{"pair of another CA", "does not verify on the CA the desks trust", func(*pki.CA) ([]byte, []byte, error) {
			other, err := pki.Init(filepath.Join(t.TempDir(), "other"), "other CA", now, nil)
			if err != nil {
				return nil, nil, err
			}
			return other.IssueServer(hosts, now)
		}},
		{"renewed without -host", "does not name centrale.example", func(ca *pki.CA) ([]byte, []byte, error) {
			return ca.IssueServer([]string{"localhost", "127.0.0.1"}, now)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ca, err := pki.Init(filepath.Join(dir, "ca"), "sede CA", now.AddDate(-4, 0, 0), nil)
			if err != nil {
				t.Fatal(err)
			}
			certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
			write := certtest.PairWriter(t, certPath, keyPath, testclock.Now())
			firstCert, firstKey, err := ca.IssueServer(hosts, now)
			if err != nil {
				t.Fatal(err)
			}
			write(firstCert, firstKey)
			var log bytes.Buffer
			sc, err := pki.NewServerCert(certPath, keyPath, ca.CertPEM(), testclock.Now, slog.New(slog.NewTextHandler(&log, nil)))
			if err != nil {
				t.Fatal(err)
			}
			if err := sc.Status(); err != nil {
				t.Fatalf("Status of a good pair: %v", err)
			}
			served := serveCert(t, ca, sc)
			if got, want := served(), certtest.Serial(t, firstCert); got != want {
				t.Fatalf("first handshake: certificate %s, want %s", got, want)
			}
			badCert, badKey, err := tc.mint(ca)
			if err != nil {
				t.Fatal(err)
			}
			write(badCert, badKey)
			if got, want := served(), certtest.Serial(t, firstCert); got != want {
				t.Errorf("after the bad pair was copied: certificate %s served, want the one in force, %s", got, want)
			}
			served()
			st := sc.Status()
			if !errors.Is(st, pki.ErrServerCertRefused) || !strings.Contains(st.Error(), tc.want) || !strings.Contains(st.Error(), "pinctl ca server") {
				t.Errorf("Status = %v, want %v saying %q and what to run", st, pki.ErrServerCertRefused, tc.want)
			}
			if n := strings.Count(log.String(), "level=ERROR"); n != 1 || !strings.Contains(log.String(), tc.want) {
				t.Errorf("log, want one error saying %q:\n%s", tc.want, log.String())
			}
			goodCert, goodKey, err := ca.IssueServer(append(hosts, "centrale2.example"), now)
			if err != nil {
				t.Fatal(err)
			}
			write(goodCert, goodKey)
			if got, want := served(), certtest.Serial(t, goodCert); got != want {
				t.Errorf("after a good pair was copied: certificate %s served, want %s", got, want)
			}
			if err := sc.Status(); err != nil {
				t.Errorf("Status after a good pair was copied: %v", err)
			}
		})
	}
}

// serveCert serves sc's pair on loopback to TLS handshakes on
// testclock's clock, and returns a function that makes a desk's handshake
// (a desk certificate of ca), to centrale.example at that address, and
// returns the serial of the certificate served, or "refused" with the
// desk's error logged.
func serveCert(t *testing.T, ca *pki.CA, sc *pki.ServerCert) func() string {
	t.Helper()
	cfg, err := pki.ServerTLSFile(ca.CertPEM(), sc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Time = testclock.Now
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	ccfg := certtest.DeskTLS(t, ca, "03", testclock.Now())
	ccfg.Time, ccfg.ServerName = testclock.Now, "centrale.example"
	return func() string {
		t.Helper()
		c, err := tls.Dial("tcp", ln.Addr().String(), ccfg)
		if err != nil {
			t.Logf("the desk's handshake: %v", err)
			return "refused"
		}
		defer c.Close()
		return pki.Serial(c.ConnectionState().PeerCertificates[0])
	}
}

// Ensure that a renewal refused as not yet valid (issued on a PC whose
// clock runs 2 h ahead of centrale's, past the hour pinctl backdates) is
// judged again on the clock, without the files changing, and serves once
// valid, with an INFO line; while a pair refused for what time does not
// cure (here of another CA, not yet valid either) stays refused once its
// time has come. Before, a pair refused was never judged again until its
// files changed: 5 days on centrale still served the old pair, expired.
func TestServerCertRenewalNotYetValidTakenOnceValid(t *testing.T) {
	start := testclock.Now()
	clock := start
	now := func() time.Time { return clock }
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "renew", start.Add(-700*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.Init(filepath.Join(dir, "other"), "other", start.Add(-24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	write := certtest.PairWriter(t, certPath, keyPath, testclock.Now())
	oldCert, oldKey, err := ca.IssueServer([]string{"centrale.example"}, start.Add(-2*365*24*time.Hour+72*time.Hour)) // ends within days
	if err != nil {
		t.Fatal(err)
	}
	write(oldCert, oldKey)
	var log bytes.Buffer
	sc, err := pki.NewServerCert(certPath, keyPath, ca.CertPEM(), now, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	served := func() string {
		t.Helper()
		c, err := sc.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		return pki.Serial(c.Leaf)
	}
	if oldEnd := sc.Leaf().NotAfter; !oldEnd.Before(start.Add(5 * 24 * time.Hour)) {
		t.Fatalf("the pair in force ends %s, want within 5 days", oldEnd)
	}

	// Another CA's pair, not yet valid: refused, and still once valid.
	otherCert, otherKey, err := other.IssueServer([]string{"centrale.example"}, start.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	write(otherCert, otherKey)
	if err := sc.Status(); !errors.Is(err, pki.ErrServerCertRefused) || !strings.Contains(err.Error(), "is valid only from") {
		t.Fatalf("Status with another CA's pair not yet valid: %v, want refused as not yet valid", err)
	}
	clock = start.Add(3 * time.Hour)
	if got, want := served(), certtest.Serial(t, oldCert); got != want {
		t.Errorf("another CA's pair once valid: certificate %s served, want the one in force %s", got, want)
	}
	if err := sc.Status(); !errors.Is(err, pki.ErrServerCertRefused) || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("Status with another CA's pair once valid: %v, want refused as of another CA", err)
	}
	clock = start.Add(4 * time.Hour)
	served()
	if n := strings.Count(log.String(), "level=ERROR"); n != 2 {
		t.Errorf("%d errors logged for another CA's pair, want 2 (not yet valid, then of another CA):\n%s", n, log.String())
	}

	// The renewal, of the CA, issued on a PC 2 h ahead.
	clock = start
	newCert, newKey, err := ca.IssueServer([]string{"centrale.example"}, start.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	write(newCert, newKey)
	if got, want := served(), certtest.Serial(t, oldCert); got != want {
		t.Fatalf("renewal not yet valid: certificate %s served, want the one in force %s", got, want)
	}
	if err := sc.Status(); !errors.Is(err, pki.ErrServerCertRefused) || !strings.Contains(err.Error(), "is valid only from") {
		t.Errorf("Status with the renewal not yet valid: %v, want refused as not yet valid", err)
	}
	clock = start.Add(30 * time.Minute) // not yet: valid from start+1h (backdated 1 h)
	if got, want := served(), certtest.Serial(t, oldCert); got != want {
		t.Errorf("renewal still not yet valid: certificate %s served, want %s", got, want)
	}
	if n := strings.Count(log.String(), "level=ERROR"); n != 3 {
		t.Errorf("%d errors logged, want 3 (the renewal's once):\n%s", n, log.String())
	}
	clock = start.Add(5 * 24 * time.Hour) // the renewal valid, the old pair expired
	if got, want := served(), certtest.Serial(t, newCert); got != want {
		t.Errorf("5 days on: certificate %s served, want the renewal %s", got, want)
	}
	if err := sc.Status(); err != nil {
		t.Errorf("Status with the renewal in force: %v, want nil", err)
	}
	if !strings.Contains(log.String(), "level=INFO msg=\"server certificate refused as not yet valid is valid now and serves\"") {
		t.Errorf("log, want an INFO line for the renewal taken:\n%s", log.String())
	}
}

// Ensure that the pair read at start that is not yet valid on centrale's
// clock (issued on a PC 2 h ahead) is reported by Status only until it is
// valid, with an INFO line then. Before, the verdict at start was kept
// while the files did not change: a day later Status still said it was
// valid only from a time past.
func TestServerCertInForceNotYetValidClears(t *testing.T) {
	issued := testclock.Now() // the issuing PC's clock
	clock := issued.Add(-2 * time.Hour)
	now := func() time.Time { return clock }
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "start", issued.Add(-48*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	certPEM, keyPEM, err := ca.IssueServer([]string{"centrale.example"}, issued)
	if err != nil {
		t.Fatal(err)
	}
	certtest.PairWriter(t, certPath, keyPath, testclock.Now())(certPEM, keyPEM)
	var log bytes.Buffer
	sc, err := pki.NewServerCert(certPath, keyPath, ca.CertPEM(), now, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Status(); err == nil || errors.Is(err, pki.ErrServerCertRefused) || !strings.Contains(err.Error(), "is valid only from") {
		t.Fatalf("Status at start: %v, want the pair in force not yet valid", err)
	}
	clock = issued.Add(-90 * time.Minute) // IssueServer backdates 1 h
	if err := sc.Status(); err == nil {
		t.Errorf("Status still before the pair's start: nil, want it not yet valid")
	}
	clock = issued.Add(24 * time.Hour)
	if err := sc.Status(); err != nil {
		t.Errorf("Status a day later, the pair valid: %v, want nil", err)
	}
	if !strings.Contains(log.String(), "level=INFO msg=\"server certificate in force is valid now") {
		t.Errorf("log, want an INFO line for the pair in force valid now:\n%s", log.String())
	}
}
