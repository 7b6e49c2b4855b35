// Package certtest holds what the tests of centrale's certificates share
// (cmd/centrale's, sync/pki's, sync/server's): a server pair written as a
// new version of its files, centrale's own pair issued and written, a
// certificate's serial, and a desk's TLS configuration.
package certtest

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/pki"
)

// PairWriter returns a function that writes a certificate and its key at
// certPath and keyPath, each time a new version of the files whatever
// the file system's clock: their modification time a second after the
// last, the first a second after from.
func PairWriter(tb testing.TB, certPath, keyPath string, from time.Time) func(certPEM, keyPEM []byte) {
	stamp := from
	return func(certPEM, keyPEM []byte) {
		tb.Helper()
		stamp = stamp.Add(time.Second)
		for p, b := range map[string][]byte{certPath: certPEM, keyPath: keyPEM} {
			if err := os.WriteFile(p, b, 0o600); err != nil {
				tb.Fatal(err)
			}
			if err := os.Chtimes(p, stamp, stamp); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// WriteServer issues ca's server certificate for 127.0.0.1 at at and
// writes it and its key as dir's server.crt and server.key, the -pki
// folder's pair of a centrale process, in place of any there (PairWriter,
// from at).
func WriteServer(tb testing.TB, ca *pki.CA, dir string, at time.Time) {
	tb.Helper()
	certPEM, keyPEM, err := ca.IssueServer([]string{"127.0.0.1"}, at)
	if err != nil {
		tb.Fatalf("issue centrale's server certificate: %v", err)
	}
	PairWriter(tb, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"), at)(certPEM, keyPEM)
}

// Serial returns the serial of the certificate in certPEM.
func Serial(tb testing.TB, certPEM []byte) string {
	tb.Helper()
	c, err := pki.ParseCert(certPEM)
	if err != nil {
		tb.Fatal(err)
	}
	return pki.Serial(c)
}

// DeskTLS returns the TLS configuration of desk of ROMA01, with a
// certificate of ca issued at now, trusting ca.
func DeskTLS(tb testing.TB, ca *pki.CA, desk string, now time.Time) *tls.Config {
	tb.Helper()
	certPEM, keyPEM, err := ca.IssueDesk("ROMA01", desk, now)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := pki.ClientTLS(ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}
