package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/pinsede/pinsede/internal/config"
)

// A bundle is what a desk PC needs to reach centrale, in one PEM file
// that `pinctl ca issue -bundle` writes and the desk's settings import:
// the CA's certificate, the desk's certificate and the desk's key. It
// holds a private key: write it 0600 (WriteBundle does).

// The reasons a bundle is refused.
var (
	// ErrBundleFormat: the file is not one CA certificate, one client
	// certificate and its EC private key (as pinctl writes them), in PEM.
	ErrBundleFormat = errors.New("not a pinsede bundle: want the CA's certificate, a certificate and its key, in PEM")
	// ErrBundleKey: the key is not the certificate's.
	ErrBundleKey = errors.New("bundle: the key is not the certificate's")
	// ErrBundleChain: the certificate is not signed by the bundle's CA.
	ErrBundleChain = errors.New("bundle: the certificate is not signed by its CA")
)

// MaxBundleBytes bounds a bundle: pinctl writes a few KB of PEM.
// ParseBundle refuses a larger one before parsing it.
const MaxBundleBytes = 64 << 10

// Bundle is a parsed bundle.
type Bundle struct {
	// The parts as PEM, each as its own file would hold it.
	CAPEM, CertPEM, KeyPEM []byte
	CA, Cert               *x509.Certificate
}

// EncodeBundle returns the bundle of the CA certificate, a certificate
// and its key.
func EncodeBundle(caPEM, certPEM, keyPEM []byte) []byte {
	var b bytes.Buffer
	b.WriteString("# pinsede: certificato della CA, certificato dello sportello e sua chiave privata. Riservato.\n")
	b.Write(caPEM)
	b.Write(certPEM)
	b.Write(keyPEM)
	return b.Bytes()
}

// WriteBundle writes the bundle to path, readable by its owner only.
func WriteBundle(path string, caPEM, certPEM, keyPEM []byte) error {
	return config.WriteFile(path, EncodeBundle(caPEM, certPEM, keyPEM), 0o600)
}

// ParseBundle reads a bundle and checks that its key is the
// certificate's and that the certificate chains to its CA, valid at now
// (an expired certificate, or one whose CA's certificate has expired,
// wraps x509.CertificateInvalidError with reason x509.Expired, the bundle
// returned all the same: ChainEnd says when it stopped working). Whose
// the certificate is, Identity and DeskOf say.
// A bundle larger than MaxBundleBytes is ErrBundleFormat.
func ParseBundle(data []byte, now time.Time) (*Bundle, error) {
	if len(data) > MaxBundleBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d a bundle may hold", ErrBundleFormat, len(data), MaxBundleBytes)
	}
	b := &Bundle{}
	for rest := data; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		one := pem.EncodeToMemory(blk)
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBundleFormat, err)
			}
			switch {
			case c.IsCA && b.CA == nil:
				b.CA, b.CAPEM = c, one
			case !c.IsCA && b.Cert == nil:
				b.Cert, b.CertPEM = c, one
			default:
				return nil, ErrBundleFormat
			}
		case "EC PRIVATE KEY":
			if b.KeyPEM != nil {
				return nil, ErrBundleFormat
			}
			b.KeyPEM = one
		default:
			return nil, fmt.Errorf("%w: a %s block", ErrBundleFormat, blk.Type)
		}
	}
	if b.CA == nil || b.Cert == nil || b.KeyPEM == nil {
		return nil, ErrBundleFormat
	}
	key, err := openKey(b.KeyPEM, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundleFormat, err)
	}
	if pub, ok := b.Cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(key.Public()) {
		return nil, ErrBundleKey
	}
	roots := x509.NewCertPool()
	roots.AddCert(b.CA)
	_, err = b.Cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	var inv x509.CertificateInvalidError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired && (inv.Cert == b.Cert || inv.Cert == b.CA):
		// Whose it is still tells the supervisor something; with the CA's
		// certificate expired it is no less the CA's (ChainEnd says when
		// the bundle stopped working).
		return b, err
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrBundleChain, err)
	}
	return b, nil
}
