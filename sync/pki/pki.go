// Package pki is the small certificate authority of a pinsede deployment:
// it issues the client certificates with which each sede and each kiosk
// authenticates to centrale (mutual TLS), the server certificate of
// centrale, and the revocation list centrale checks. `pinctl ca` drives it.
//
// # Basics
//
// A CA lives in a folder: ca.crt, ca.key (readable by its owner only),
// revoked.json (the serials revoked, with when and why) and crl.pem (the
// signed revocation list made from it). A client certificate names its
// holder in the subject: the organisational unit is the [Role], the common
// name the code (the sede's code, e.g. ROMA01), and a URI SAN repeats both
// (urn:pinsede:sede:ROMA01).
//
// # Caveats
//
// Keys are ECDSA P-256 and are written unencrypted: keep the CA folder on
// the supervisor's machine, off centrale. Revocation takes effect when
// centrale reads the new crl.pem (it checks the file's time on every
// request).
package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// Role is what a certificate's holder is.
type Role string

// The roles.
const (
	// RoleSede is a sede's desk: it pushes its events and pulls its changes.
	RoleSede Role = "sede"
	// RoleKiosk is a sede's self-service kiosk.
	RoleKiosk Role = "chiosco"
	// RolePortal stands in for the INPS portal: it checks PINs.
	RolePortal Role = "portale"
)

// File names in a CA folder.
const (
	CertFile    = "ca.crt"
	KeyFile     = "ca.key"
	CRLFile     = "crl.pem"
	RevokedFile = "revoked.json"
)

// Errors of the CA.
var (
	ErrExists     = errors.New("a CA already exists in this folder")
	ErrNoCA       = errors.New("no CA in this folder")
	ErrBadCode    = errors.New("code must be 1 to 32 upper-case letters, digits or hyphens")
	ErrBadRole    = errors.New("unknown role")
	ErrNoIdentity = errors.New("certificate names no pinsede role and code")
	ErrRevoked    = errors.New("certificate revoked")
)

var codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,31}$`)

// Validity of what the CA signs.
const (
	CAValidity     = 10 * 365 * 24 * time.Hour
	ClientValidity = 2 * 365 * 24 * time.Hour
	CRLValidity    = 30 * 24 * time.Hour
)

// CA is a loaded certificate authority.
type CA struct {
	dir  string
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

// Revocation is one revoked serial.
type Revocation struct {
	Serial string    `json:"serial"` // hexadecimal
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Init creates a CA named name in dir (made if needed) and returns it. It
// refuses with ErrExists if dir holds a CA.
func Init(dir, name string, now time.Time) (*CA, error) {
	wrap := func(err error) error { return fmt.Errorf("init CA in %s: %w", dir, err) }
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); err == nil {
		return nil, wrap(ErrExists)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, wrap(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, wrap(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"pinsede"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, wrap(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, wrap(err)
	}
	keyPEM, err := keyToPEM(key)
	if err != nil {
		return nil, wrap(err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
		return nil, wrap(err)
	}
	if err := os.WriteFile(filepath.Join(dir, CertFile), certToPEM(der), 0o644); err != nil {
		return nil, wrap(err)
	}
	ca := &CA{dir: dir, cert: cert, der: der, key: key}
	if err := ca.writeRevocations(nil, now); err != nil {
		return nil, wrap(err)
	}
	return ca, nil
}

// Load reads the CA in dir.
func Load(dir string) (*CA, error) {
	wrap := func(err error) error { return fmt.Errorf("load CA in %s: %w", dir, err) }
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, wrap(ErrNoCA)
	}
	if err != nil {
		return nil, wrap(err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, wrap(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, wrap(err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, wrap(errors.New("CA key is not ECDSA"))
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, wrap(err)
	}
	return &CA{dir: dir, cert: cert, der: pair.Certificate[0], key: key}, nil
}

// CertPEM returns the CA certificate, PEM encoded: the trust anchor of
// centrale and of every client.
func (ca *CA) CertPEM() []byte { return certToPEM(ca.der) }

// Issue signs a client certificate for role and code, valid from now for
// ClientValidity, and returns it with its new key, PEM encoded.
func (ca *CA) Issue(role Role, code string, now time.Time) (certPEM, keyPEM []byte, err error) {
	switch role {
	case RoleSede, RoleKiosk, RolePortal:
	default:
		return nil, nil, fmt.Errorf("issue certificate: %w: %q", ErrBadRole, role)
	}
	if !codeRE.MatchString(code) {
		return nil, nil, fmt.Errorf("issue certificate for %q: %w", code, ErrBadCode)
	}
	uri := &url.URL{Scheme: "urn", Opaque: fmt.Sprintf("pinsede:%s:%s", role, code)}
	return ca.sign(&x509.Certificate{
		Subject:     pkix.Name{CommonName: code, OrganizationalUnit: []string{string(role)}, Organization: []string{"pinsede"}},
		URIs:        []*url.URL{uri},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, now)
}

// IssueServer signs centrale's server certificate for the given host names
// and IP addresses.
func (ca *CA) IssueServer(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "centrale", Organization: []string{"pinsede"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return ca.sign(tmpl, now)
}

// sign fills in the serial, validity and key of tmpl and signs it.
func (ca *CA) sign(tmpl *x509.Certificate, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	tmpl.SerialNumber = serial()
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(ClientValidity)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate %s: %w", tmpl.Subject.CommonName, err)
	}
	keyPEM, err = keyToPEM(key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	return certToPEM(der), keyPEM, nil
}

// Revoke adds the certificate with serial (hexadecimal, as Serial prints
// it) to the revocation list and writes a new crl.pem. Revoking twice is
// harmless.
func (ca *CA) Revoke(serialHex, reason string, now time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("revoke %s: %w", serialHex, err) }
	if _, ok := new(big.Int).SetString(serialHex, 16); !ok {
		return wrap(errors.New("serial must be hexadecimal"))
	}
	revs, err := ca.Revocations()
	if err != nil {
		return wrap(err)
	}
	for _, r := range revs {
		if r.Serial == serialHex {
			return nil
		}
	}
	revs = append(revs, Revocation{Serial: serialHex, At: now, Reason: reason})
	if err := ca.writeRevocations(revs, now); err != nil {
		return wrap(err)
	}
	return nil
}

// Revocations returns the serials revoked so far.
func (ca *CA) Revocations() ([]Revocation, error) {
	b, err := os.ReadFile(filepath.Join(ca.dir, RevokedFile))
	if err != nil {
		return nil, err
	}
	var revs []Revocation
	if err := json.Unmarshal(b, &revs); err != nil {
		return nil, fmt.Errorf("%s: %w", RevokedFile, err)
	}
	return revs, nil
}

// writeRevocations writes revoked.json and the signed crl.pem, each by
// rename so a reader never sees half a file.
func (ca *CA) writeRevocations(revs []Revocation, now time.Time) error {
	if revs == nil {
		revs = []Revocation{}
	}
	js, err := json.MarshalIndent(revs, "", "  ")
	if err != nil {
		return err
	}
	tmpl := &x509.RevocationList{Number: big.NewInt(now.UnixNano()), ThisUpdate: now, NextUpdate: now.Add(CRLValidity)}
	for _, r := range revs {
		n, _ := new(big.Int).SetString(r.Serial, 16)
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: r.At})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(ca.dir, RevokedFile), js, 0o644); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(ca.dir, CRLFile), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644)
}

// writeAtomic writes a file by rename.
func writeAtomic(path string, b []byte, perm os.FileMode) error {
	if err := os.WriteFile(path+".new", b, perm); err != nil {
		return err
	}
	return os.Rename(path+".new", path)
}

// Serial returns a certificate's serial as Revoke takes it.
func Serial(cert *x509.Certificate) string { return cert.SerialNumber.Text(16) }

// Identity returns the role and code a client certificate names.
func Identity(cert *x509.Certificate) (Role, string, error) {
	if len(cert.Subject.OrganizationalUnit) != 1 || !codeRE.MatchString(cert.Subject.CommonName) {
		return "", "", ErrNoIdentity
	}
	role := Role(cert.Subject.OrganizationalUnit[0])
	switch role {
	case RoleSede, RoleKiosk, RolePortal:
		return role, cert.Subject.CommonName, nil
	}
	return "", "", ErrNoIdentity
}

// serial returns a random 127-bit serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n.Add(n, big.NewInt(1))
}

func certToPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func keyToPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// CRL is a revocation list read from a crl.pem, read again when the file
// changes. It is safe for concurrent use.
type CRL struct {
	path    string
	ca      *x509.Certificate
	mu      sync.Mutex
	mod     time.Time
	size    int64
	revoked map[string]bool
}

// NewCRL reads the revocation list at path, which must be signed by ca.
func NewCRL(path string, ca *x509.Certificate) (*CRL, error) {
	c := &CRL{path: path, ca: ca}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// reload reads the file again if it changed. Called with c.mu held, or
// before c is shared.
func (c *CRL) reload() error {
	st, err := os.Stat(c.path)
	if err != nil {
		return fmt.Errorf("revocation list: %w", err)
	}
	if st.ModTime().Equal(c.mod) && st.Size() == c.size && c.revoked != nil {
		return nil
	}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return fmt.Errorf("revocation list: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "X509 CRL" {
		return fmt.Errorf("revocation list %s: not a PEM X509 CRL", c.path)
	}
	rl, err := x509.ParseRevocationList(blk.Bytes)
	if err != nil {
		return fmt.Errorf("revocation list %s: %w", c.path, err)
	}
	if err := rl.CheckSignatureFrom(c.ca); err != nil {
		return fmt.Errorf("revocation list %s: %w", c.path, err)
	}
	revoked := make(map[string]bool, len(rl.RevokedCertificateEntries))
	for _, e := range rl.RevokedCertificateEntries {
		revoked[e.SerialNumber.Text(16)] = true
	}
	c.revoked, c.mod, c.size = revoked, st.ModTime(), st.Size()
	return nil
}

// Check returns ErrRevoked if cert is on the list. If the list cannot be
// read again, the last one read stands.
func (c *CRL) Check(cert *x509.Certificate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reload() // on error, keep the last good list
	if c.revoked[Serial(cert)] {
		return ErrRevoked
	}
	return nil
}

// ServerTLS returns centrale's TLS configuration: its certificate, and
// client certificates checked against the CA when given (the handlers
// refuse requests without one, with a problem that says so).
func ServerTLS(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("server TLS: no CA certificate in PEM")
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("server TLS: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{pair},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
	}, nil
}

// ClientTLS returns a client's TLS configuration: its certificate (none
// when certPEM is nil) and centrale's CA.
func ClientTLS(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("client TLS: no CA certificate in PEM")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool}
	if certPEM != nil {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("client TLS: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// ParseCert reads the first certificate of a PEM block.
func ParseCert(certPEM []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(certPEM)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(blk.Bytes)
}
