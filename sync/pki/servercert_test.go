package pki_test

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/pki"
)

// Ensure that centrale's certificate renewed in its files serves the next
// handshake without a restart, and that files that cannot be used (a
// certificate half written) leave the one loaded before serving, with an
// error in the log, until they are right again; and so does a file over
// MaxPEMBytes.
func TestServerCertRenewed(t *testing.T) {
	now := time.Now() // crypto/tls checks validity on the real clock
	dir := t.TempDir()
	ca, err := pki.Init(filepath.Join(dir, "ca"), "renew", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	stamp := now
	write := func(certPEM, keyPEM []byte) {
		t.Helper()
		stamp = stamp.Add(time.Second) // a new version of the files, whatever the file system's clock
		for p, b := range map[string][]byte{certPath: certPEM, keyPath: keyPEM} {
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, stamp, stamp); err != nil {
				t.Fatal(err)
			}
		}
	}
	issue := func() ([]byte, []byte) {
		t.Helper()
		c, k, err := ca.IssueServer([]string{"127.0.0.1"}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c, k
	}
	firstCert, firstKey := issue()
	write(firstCert, firstKey)
	var log bytes.Buffer
	sc, err := pki.NewServerCert(certPath, keyPath, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ServerTLSFile(ca.CertPEM(), sc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
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
	clientCert, clientKey, err := ca.Issue(pki.RolePortal, "PORTALE", now)
	if err != nil {
		t.Fatal(err)
	}
	ccfg, err := pki.ClientTLS(ca.CertPEM(), clientCert, clientKey)
	if err != nil {
		t.Fatal(err)
	}
	served := func() string {
		t.Helper()
		c, err := tls.Dial("tcp", ln.Addr().String(), ccfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return pki.Serial(c.ConnectionState().PeerCertificates[0])
	}
	serialOf := func(certPEM []byte) string {
		t.Helper()
		c, err := pki.ParseCert(certPEM)
		if err != nil {
			t.Fatal(err)
		}
		return pki.Serial(c)
	}

	if got, want := served(), serialOf(firstCert); got != want {
		t.Fatalf("first handshake: certificate %s, want %s", got, want)
	}
	renewedCert, renewedKey := issue()
	write(renewedCert, renewedKey)
	if got, want := served(), serialOf(renewedCert); got != want {
		t.Fatalf("after the renewal: certificate %s, want the renewed %s", got, want)
	}
	if got := pki.Serial(sc.Leaf()); got != serialOf(renewedCert) {
		t.Errorf("Leaf = %s, want the renewed certificate", got)
	}
	write(renewedCert[:len(renewedCert)/2], renewedKey) // half written
	if got, want := served(), serialOf(renewedCert); got != want {
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
	if got, want := served(), serialOf(thirdCert); got != want {
		t.Fatalf("after the files were put right: certificate %s, want %s", got, want)
	}
	write(append(bytes.Repeat([]byte("\n"), pki.MaxPEMBytes), thirdCert...), thirdKey) // the wrong file: over its bound, refused unread
	if got, want := served(), serialOf(thirdCert); got != want {
		t.Fatalf("with a file over MaxPEMBytes: certificate %s, want the one loaded before, %s", got, want)
	}
	if want := "server certificate file " + certPath + " has more than"; !strings.Contains(log.String(), want) {
		t.Errorf("log %s, want %s", log.String(), want)
	}
}
