package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that a bundle parses into its parts, and that one whose key is
// another's, whose certificate another CA signed, that misses a part, or
// whose certificate has expired, is refused with its reason.
func TestParseBundle(t *testing.T) {
	now := testclock.Now()
	newCA := func(name string) *CA {
		ca, err := Init(filepath.Join(t.TempDir(), "ca"), name, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ca
	}
	ca, other := newCA("pinsede CA"), newCA("altra CA")
	cert, key, err := ca.IssueDesk("ROMA01", "03", now)
	if err != nil {
		t.Fatal(err)
	}
	_, key2, _ := ca.Issue(RoleSede, "ROMA01", now)
	otherCert, otherKey, _ := other.Issue(RoleSede, "ROMA01", now)

	b, err := ParseBundle(EncodeBundle(ca.CertPEM(), cert, key), now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.CAPEM, ca.CertPEM()) || !bytes.Equal(b.CertPEM, cert) || !bytes.Equal(b.KeyPEM, key) {
		t.Error("the parts differ from what was bundled")
	}
	for _, tc := range []struct {
		name string
		data []byte
		at   time.Time
		want error
	}{
		{"another key", EncodeBundle(ca.CertPEM(), cert, key2), now, ErrBundleKey},
		{"another CA", EncodeBundle(ca.CertPEM(), otherCert, otherKey), now, ErrBundleChain},
		{"no key", EncodeBundle(ca.CertPEM(), cert, nil), now, ErrBundleFormat},
		{"no CA", EncodeBundle(nil, cert, key), now, ErrBundleFormat},
		{"not PEM", []byte("centrale = \"https://x\"\n"), now, ErrBundleFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseBundle(tc.data, tc.at); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	b, err = ParseBundle(EncodeBundle(ca.CertPEM(), cert, key), now.Add(ClientValidity+time.Hour))
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.Expired || b == nil {
		t.Errorf("expired: %v, %v; want the bundle with x509.Expired", b, err)
	}
}
