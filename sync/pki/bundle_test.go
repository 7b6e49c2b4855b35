package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"path/filepath"
	"strings"
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

// deskCert returns a new CA and a desk's certificate and key it issued.
func deskCert(tb testing.TB, now time.Time) (ca *CA, cert, key []byte) {
	tb.Helper()
	ca, err := Init(filepath.Join(tb.TempDir(), "ca"), "pinsede CA", now, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cert, key, err = ca.IssueDesk("ROMA01", "03", now)
	if err != nil {
		tb.Fatal(err)
	}
	return ca, cert, key
}

// Ensure that a bundle larger than MaxBundleBytes is refused before it is
// parsed, with an error that says so, even when its parts are sound.
func TestParseBundleTooLarge(t *testing.T) {
	now := testclock.Now()
	ca, cert, key := deskCert(t, now)
	data := EncodeBundle(ca.CertPEM(), cert, key)
	data = append(data, bytes.Repeat([]byte("#\n"), (MaxBundleBytes-len(data))/2+1)...)
	_, err := ParseBundle(data, now)
	if !errors.Is(err, ErrBundleFormat) || !strings.Contains(err.Error(), "more than the 65536") {
		t.Errorf("a bundle of %d bytes: %v, want %v saying it is more than %d bytes", len(data), err, ErrBundleFormat, MaxBundleBytes)
	}
}

// FuzzParseBundle feeds ParseBundle what a supervisor could load as a
// bundle, seeded with bundles that EncodeBundle wrote (sound, another's
// key, without a part, twice over): it must not panic, and a bundle it
// accepts must hold its three parts and parse again from them.
func FuzzParseBundle(f *testing.F) {
	now := testclock.Now()
	ca, cert, key := deskCert(f, now)
	_, key2, err := ca.Issue(RoleSede, "ROMA01", now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeBundle(ca.CertPEM(), cert, key))
	f.Add(EncodeBundle(ca.CertPEM(), cert, key2))
	f.Add(EncodeBundle(ca.CertPEM(), cert, nil))
	f.Add(EncodeBundle(ca.CertPEM(), cert, append(key, key...)))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data, now)
		if err != nil {
			return
		}
		if b.CA == nil || b.Cert == nil || len(b.KeyPEM) == 0 {
			t.Fatalf("accepted without a part: %+v", b)
		}
		if _, err := ParseBundle(EncodeBundle(b.CAPEM, b.CertPEM, b.KeyPEM), now); err != nil {
			t.Fatalf("accepted, and its parts bundled again refused: %v", err)
		}
	})
}
