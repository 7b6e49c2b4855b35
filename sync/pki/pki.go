// Package pki is the small certificate authority of a pinsede deployment:
// it issues the client certificates with which each sede and each kiosk
// authenticates to centrale (mutual TLS), the server certificate of
// centrale, and the revocation list centrale checks. `pinctl ca` drives it.
//
// # Basics
//
// A CA lives in a folder: ca.crt, ca.key (readable by its owner only),
// revoked.json (the serials revoked, with when and why), crl.pem (the
// signed revocation list made from it) and issued/ (the register of what
// it signed: a copy of each certificate, named by its serial, which
// IssuedCert reads so that a serial given to revoke is checked first). A client certificate names its
// holder in the subject: the organisational unit is the [Role], the common
// name the code (the sede's code, e.g. ROMA01), and a URI SAN repeats both
// (urn:pinsede:sede:ROMA01).
//
// A sede's certificate is a desk's: IssueDesk adds a second URI SAN that
// names the desk PC within its sede (urn:pinsede:desk:ROMA01:03), and
// DeskOf reads it back. The subject stays the sede's, so the desk is one
// more fact beside the role and the code, never in their place. A
// certificate issued before desk ids (Issue, with no desk URI) is the
// sede's desk "": it keeps working, and centrale records "" as its desk.
// Each desk has its own key and serial, so revoking one desk's
// certificate shuts out that PC only. Kiosks and the portal have no desk.
//
// # Caveats
//
// Keys are ECDSA P-256 and are written unencrypted: keep the CA folder on
// the supervisor's machine, off centrale. Revocation takes effect when
// centrale reads the new crl.pem (it checks the file's time on every
// request). Centrale refuses a crl.pem whose number is lower than the one
// it has loaded, and reports one past its next update (CRLValidity after
// it was signed): RenewCRL signs it again. Centrale requires a client
// certificate at the handshake (ServerTLS).
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
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/smallfile"
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

// Bounds of the files of a CA folder and of the PEM files the programs
// are given, read before they are parsed (smallfile.ReadRegular): a file over
// its bound is the wrong file named.
const (
	// MaxPEMBytes bounds a certificate or a key in PEM: about 1 KB each,
	// a few KB for a CA file with a chain.
	MaxPEMBytes = 64 << 10
	// MaxRevocationBytes bounds revoked.json and crl.pem: a revocation
	// takes about 150 bytes in the one and 60 in the other, so 32 MiB
	// hold 200,000, every certificate of every desk, kiosk and portal
	// of the sedi revoked many times over.
	MaxRevocationBytes = 32 << 20
)

// File names in a CA folder.
const (
	CertFile    = "ca.crt"
	KeyFile     = "ca.key"
	CRLFile     = "crl.pem"
	RevokedFile = "revoked.json"
	// IssuedDir is the register of the certificates the CA signed:
	// SERIAL.pem each (Serial's spelling), written before the
	// certificate is handed out.
	IssuedDir = "issued"
)

// Errors of the CA.
var (
	ErrExists     = errors.New("a CA already exists in this folder")
	ErrNoCA       = errors.New("no CA in this folder")
	ErrBadCode    = errors.New("code must be 1 to 32 upper-case letters, digits or hyphens")
	ErrBadRole    = errors.New("unknown role")
	ErrNoIdentity = errors.New("certificate names no pinsede role and code")
	ErrRevoked    = errors.New("certificate revoked")
	ErrBadDesk    = errors.New("desk id must be 1 to 8 upper-case letters, digits or hyphens")
	ErrDeskRole   = errors.New("only a sede's certificate names a desk")
	// ErrCAExpired refuses to sign with a CA past its NotAfter: nothing
	// would take what it signs.
	ErrCAExpired = errors.New("the CA's certificate has expired")
	// ErrNotIssued is IssuedCert's answer for a serial the register of
	// the CA's folder does not hold: mistyped, or signed elsewhere (before
	// the register, or by another copy of the CA's key).
	ErrNotIssued = errors.New("no certificate of this serial in the CA's register")
	// ErrBadSerial is a serial that is not a positive hexadecimal number.
	ErrBadSerial = errors.New("a serial is a hexadecimal number, such as 5f3a09c1…")
)

var (
	codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,31}$`)
	deskRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,7}$`)
)

// deskURIPrefix starts the opaque part of a desk's URI SAN:
// urn:pinsede:desk:CODE:DESK.
const deskURIPrefix = "pinsede:desk:"

// ValidDesk reports whether desk can name a desk PC: 1 to 8 upper-case
// letters, digits or hyphens, not starting with a hyphen (03, A-2).
func ValidDesk(desk string) bool { return deskRE.MatchString(desk) }

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
// refuses with ErrExists if dir holds a CA. The CA key is encrypted with
// passphrase (cakey.go), or kept in the clear when it is empty.
func Init(dir, name string, now time.Time, passphrase []byte) (*CA, error) {
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
	keyPEM, err := sealKey(key, passphrase)
	if err != nil {
		return nil, wrap(err)
	}
	// The key last: it makes the folder a CA's (ErrExists, ErrNoCA), so
	// that a failure before it (a full disk, the program killed) leaves
	// a folder where Init can be run again.
	if err := config.WriteFile(filepath.Join(dir, CertFile), certToPEM(der), 0o644); err != nil {
		return nil, wrap(err)
	}
	ca := &CA{dir: dir, cert: cert, der: der, key: key}
	if err := ca.writeRevocations(nil, now); err != nil {
		return nil, wrap(err)
	}
	if err := config.WriteFile(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
		return nil, wrap(err)
	}
	return ca, nil
}

// Load reads the CA in dir; passphrase opens its key when it is encrypted
// (ErrPassphrase when it is missing or wrong).
func Load(dir string, passphrase []byte) (*CA, error) {
	wrap := func(err error) error { return fmt.Errorf("load CA in %s: %w", dir, err) }
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, wrap(ErrNoCA) // Init writes the key last
	}
	certPEM, err := smallfile.ReadRegular(filepath.Join(dir, CertFile), "CA certificate", MaxPEMBytes)
	if err != nil {
		return nil, wrap(err)
	}
	keyPEM, err := smallfile.ReadRegular(filepath.Join(dir, KeyFile), "CA key", MaxPEMBytes)
	if err != nil {
		return nil, wrap(err)
	}
	key, err := openKey(keyPEM, passphrase)
	if err != nil {
		return nil, wrap(err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, wrap(errors.New("CA certificate: no PEM block"))
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, wrap(err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, wrap(errors.New("the CA key is not the key of the CA certificate"))
	}
	return &CA{dir: dir, cert: cert, der: block.Bytes, key: key}, nil
}

// Signed reports, with nil, that cert was signed by this CA; else an
// error: a certificate of another CA, which revoking or renewing here
// would not reach.
func (ca *CA) Signed(cert *x509.Certificate) error {
	if err := cert.CheckSignatureFrom(ca.cert); err != nil {
		return fmt.Errorf("certificate %s (issuer %q) not signed by the CA %q of %s: %w",
			Serial(cert), cert.Issuer.CommonName, ca.cert.Subject.CommonName, ca.dir, err)
	}
	return nil
}

// CertPEM returns the CA certificate, PEM encoded: the trust anchor of
// centrale and of every client.
func (ca *CA) CertPEM() []byte { return certToPEM(ca.der) }

// RenewCA signs the CA's certificate again, with the same name and key,
// valid from now for CAValidity, and writes it over ca.crt. What the CA
// signed before verifies on either certificate (the chain is made by the
// name and the key), so the renewed one goes to centrale and into the
// desks' new bundles at their pace, each before the old one ends; the
// certificates signed before keep their NotAfter, which ends no later
// than the old CA's (sign), and are renewed in their turn.
func (ca *CA) RenewCA(now time.Time) error {
	old := ca.cert
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               old.Subject,
		SubjectKeyId:          old.SubjectKeyId,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              old.KeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ca.key.PublicKey, ca.key)
	if err != nil {
		return fmt.Errorf("renew CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("renew CA certificate: %w", err)
	}
	if err := config.WriteFile(filepath.Join(ca.dir, CertFile), certToPEM(der), 0o644); err != nil {
		return fmt.Errorf("renew CA certificate: %w", err)
	}
	ca.cert, ca.der = cert, der
	return nil
}

// NotAfter returns when the CA's certificate expires: what it signs is
// valid no longer.
func (ca *CA) NotAfter() time.Time { return ca.cert.NotAfter }

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
	return ca.sign(clientTemplate(role, code), now)
}

// IssueDesk signs the certificate of desk of the sede code: a RoleSede
// certificate, as Issue makes, with a URI SAN urn:pinsede:desk:CODE:DESK
// that DeskOf reads. Each desk of a sede has its own, revoked alone.
func (ca *CA) IssueDesk(code, desk string, now time.Time) (certPEM, keyPEM []byte, err error) {
	if !codeRE.MatchString(code) {
		return nil, nil, fmt.Errorf("issue certificate for %q: %w", code, ErrBadCode)
	}
	if !ValidDesk(desk) {
		return nil, nil, fmt.Errorf("issue certificate for %s desk %q: %w", code, desk, ErrBadDesk)
	}
	tmpl := clientTemplate(RoleSede, code)
	tmpl.URIs = append(tmpl.URIs, &url.URL{Scheme: "urn", Opaque: deskURIPrefix + code + ":" + desk})
	return ca.sign(tmpl, now)
}

// clientTemplate is the certificate of role and code, unsigned.
func clientTemplate(role Role, code string) *x509.Certificate {
	uri := &url.URL{Scheme: "urn", Opaque: fmt.Sprintf("pinsede:%s:%s", role, code)}
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: code, OrganizationalUnit: []string{string(role)}, Organization: []string{"pinsede"}},
		URIs:        []*url.URL{uri},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
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

// sign fills in the serial, validity and key of tmpl and signs it. A
// certificate is valid ClientValidity, and no longer than the CA's own
// certificate: past it no chain verifies, and a later NotAfter promised
// the holder, and the desk's warning, a validity it never had.
func (ca *CA) sign(tmpl *x509.Certificate, now time.Time) (certPEM, keyPEM []byte, err error) {
	if !now.Before(ca.cert.NotAfter) {
		return nil, nil, fmt.Errorf("sign certificate %s: %w on %s", tmpl.Subject.CommonName, ErrCAExpired, ca.cert.NotAfter.UTC().Format(time.RFC3339))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	tmpl.SerialNumber = serial()
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(ClientValidity)
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate %s: %w", tmpl.Subject.CommonName, err)
	}
	keyPEM, err = sealKey(key, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("sign certificate: %w", err)
	}
	certPEM = certToPEM(der)
	// Recorded before it is handed out: a certificate the register does
	// not hold would be revoked by its serial only with an override.
	if err := ca.record(tmpl.SerialNumber, certPEM); err != nil {
		return nil, nil, fmt.Errorf("sign certificate %s: record it: %w", tmpl.Subject.CommonName, err)
	}
	return certPEM, keyPEM, nil
}

// record writes certPEM, of serial n, into the register (IssuedDir).
func (ca *CA) record(n *big.Int, certPEM []byte) error {
	dir := filepath.Join(ca.dir, IssuedDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return config.WriteFile(filepath.Join(dir, n.Text(16)+".pem"), certPEM, 0o644)
}

// ParseSerial returns serial as Serial spells it: lower-case hexadecimal
// without leading zeros. It takes what the tools print: upper or lower
// case, with leading zeros, with colons between the bytes (openssl x509
// -text), after "serial=" (openssl x509 -serial) or "0x".
func ParseSerial(serial string) (string, error) {
	s := strings.TrimSpace(serial)
	if k, v, ok := strings.Cut(s, "="); ok && strings.EqualFold(strings.TrimSpace(k), "serial") {
		s = strings.TrimSpace(v)
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.ReplaceAll(s, ":", "")
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() <= 0 || strings.ContainsAny(s, "+-_") {
		return "", fmt.Errorf("serial %q: %w", serial, ErrBadSerial)
	}
	return n.Text(16), nil
}

// IssuedCert returns the certificate of serial (ParseSerial's forms) that
// the register of the CA's folder holds, checked to be signed by the CA;
// ErrNotIssued when it holds none.
func (ca *CA) IssuedCert(serial string) (*x509.Certificate, error) {
	s, err := ParseSerial(serial)
	if err != nil {
		return nil, err
	}
	b, err := smallfile.ReadRegular(filepath.Join(ca.dir, IssuedDir, s+".pem"), "issued certificate", MaxPEMBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("serial %s: %w (%s)", s, ErrNotIssued, filepath.Join(ca.dir, IssuedDir))
	}
	if err != nil {
		return nil, fmt.Errorf("serial %s: %w", s, err)
	}
	cert, err := ParseCert(b)
	if err != nil {
		return nil, fmt.Errorf("serial %s in %s: %w", s, IssuedDir, err)
	}
	if Serial(cert) != s {
		return nil, fmt.Errorf("serial %s in %s: the file holds the certificate of serial %s", s, IssuedDir, Serial(cert))
	}
	if err := ca.Signed(cert); err != nil {
		return nil, err
	}
	return cert, nil
}

// Revoke adds the certificate with serial (hexadecimal, in any of
// ParseSerial's forms) to the revocation list and writes a new crl.pem.
// It does not look at the register: the caller checks the serial first
// (IssuedCert), or has the certificate itself (Signed). Revoking twice
// keeps the first revocation and signs crl.pem again: a revoke that
// failed between revoked.json and crl.pem (a full disk, the program
// killed) is completed by revoking again.
func (ca *CA) Revoke(serialHex, reason string, now time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("revoke %s: %w", serialHex, err) }
	serialHex, err := ParseSerial(serialHex)
	if err != nil {
		return wrap(err)
	}
	revs, err := ca.Revocations()
	if err != nil {
		return wrap(err)
	}
	if !slices.ContainsFunc(revs, func(r Revocation) bool { return r.Serial == serialHex }) {
		revs = append(revs, Revocation{Serial: serialHex, At: now, Reason: reason})
	}
	if err := ca.writeRevocations(revs, now); err != nil {
		return wrap(err)
	}
	return nil
}

// Revocations returns the serials revoked so far.
func (ca *CA) Revocations() ([]Revocation, error) {
	b, err := smallfile.ReadRegular(filepath.Join(ca.dir, RevokedFile), "revocations", MaxRevocationBytes)
	if err != nil {
		return nil, err
	}
	var revs []Revocation
	if err := json.Unmarshal(b, &revs); err != nil {
		return nil, fmt.Errorf("%s: %w", RevokedFile, err)
	}
	return revs, nil
}

// writeRevocations writes revoked.json and then the signed crl.pem, each
// by rename so a reader never sees half a file. A failure between the two
// leaves revoked.json ahead of crl.pem, never behind: the next revoke or
// RenewCRL signs what revoked.json holds.
func (ca *CA) writeRevocations(revs []Revocation, now time.Time) error {
	if revs == nil {
		revs = []Revocation{}
	}
	js, err := json.MarshalIndent(revs, "", "  ")
	if err != nil {
		return err
	}
	tmpl := &x509.RevocationList{Number: ca.nextCRLNumber(now), ThisUpdate: now, NextUpdate: now.Add(CRLValidity)}
	for _, r := range revs {
		n, _ := new(big.Int).SetString(r.Serial, 16)
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: r.At})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		return err
	}
	if err := config.WriteFile(filepath.Join(ca.dir, RevokedFile), js, 0o644); err != nil {
		return err
	}
	return config.WriteFile(filepath.Join(ca.dir, CRLFile), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644)
}

// nextCRLNumber returns the number of a list signed at now: now in
// nanoseconds, or one more than the number of the list in the folder if
// that is not less, so that numbers only go up even if the clock goes
// back (centrale refuses a list with a lower number than its own).
func (ca *CA) nextCRLNumber(now time.Time) *big.Int {
	n := big.NewInt(now.UnixNano())
	b, err := smallfile.ReadRegular(filepath.Join(ca.dir, CRLFile), "revocation list", MaxRevocationBytes)
	if err != nil {
		return n
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return n
	}
	if rl, err := x509.ParseRevocationList(blk.Bytes); err == nil && rl.Number != nil && rl.Number.Cmp(n) >= 0 {
		return new(big.Int).Add(rl.Number, big.NewInt(1))
	}
	return n
}

// RenewCRL signs the revocation list again, unchanged but for a higher
// number and a next update CRLValidity from now: centrale reports a list
// past its next update, so the supervisor renews it when nothing was
// revoked for a while (pinctl ca crl).
func (ca *CA) RenewCRL(now time.Time) error {
	revs, err := ca.Revocations()
	if err != nil {
		return fmt.Errorf("renew revocation list: %w", err)
	}
	if err := ca.writeRevocations(revs, now); err != nil {
		return fmt.Errorf("renew revocation list: %w", err)
	}
	return nil
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

// DeskOf returns the desk a client certificate names (IssueDesk): "" for
// a certificate with no desk URI, issued before desk ids or to a kiosk or
// the portal. A desk URI that is not of a sede's certificate, names
// another code than the subject's, names an invalid desk or comes twice
// is ErrNoIdentity: the certificate was not made by IssueDesk.
func DeskOf(cert *x509.Certificate) (string, error) {
	desk, found := "", false
	for _, u := range cert.URIs {
		rest, ok := strings.CutPrefix(u.Opaque, deskURIPrefix)
		if u.Scheme != "urn" || !ok {
			continue
		}
		code, d, ok := strings.Cut(rest, ":")
		role, subject, err := Identity(cert)
		if found || !ok || err != nil || role != RoleSede || code != subject || !ValidDesk(d) {
			return "", fmt.Errorf("%w: desk URI %s", ErrNoIdentity, u)
		}
		desk, found = d, true
	}
	return desk, nil
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

// Errors of a revocation list.
var (
	// ErrCRLOlder: the file holds a list whose number is lower than the
	// one loaded: an older list put back, which would un-revoke the
	// certificates revoked since. It is refused; the loaded list stands.
	ErrCRLOlder = errors.New("revocation list older than the one loaded")
	// ErrCRLExpired: the loaded list is past its next update: the
	// supervisor has not issued a new one (pinctl ca revoke, or
	// pinctl ca crl) in time.
	ErrCRLExpired = errors.New("revocation list expired")
)

// CRL is a revocation list read from a crl.pem, read again when the file
// changes. A list whose number is lower than the loaded one's is refused
// (ErrCRLOlder) and the loaded one stands; a list past its next update,
// by the caller's clock, still stands but is reported (ErrCRLExpired).
// Both are logged once, and Status tells them. It is safe for concurrent
// use.
type CRL struct {
	path string
	ca   *x509.Certificate
	now  func() time.Time
	log  *slog.Logger
	mu   sync.Mutex
	// file, mod and size are those of the file last read, loaded or
	// refused: a file put in its place (the CA's writes rename a new
	// file over it) is read again even when written within the same tick
	// of the file system's clock as the last, with the same size.
	file os.FileInfo
	mod  time.Time
	size int64
	// revoked, number and next are the loaded list's.
	revoked map[string]bool
	number  *big.Int
	next    time.Time
	// fileErr is why the file last read was refused; nil when it is the
	// loaded list.
	fileErr error
	// logged is the last problem logged, so each is logged once.
	logged string
	// floor, when set (SetFloor), records each list number loaded where
	// every replica sees it, and returns the highest recorded.
	floor func(*big.Int) (*big.Int, error)
}

// SetFloor has c record each list it loads with floor, and hold its lists
// to the highest number floor returns: the number shared by every
// replica of centrale (central.Store.RaiseCRLNumber), so that an older
// crl.pem put back on one replica is refused there as on the others. It
// records the list loaded now, and fails with ErrCRLOlder when another
// replica has loaded a newer one: start with the current crl.pem.
func (c *CRL) SetFloor(floor func(*big.Int) (*big.Int, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	highest, err := floor(c.number)
	if err != nil {
		return fmt.Errorf("revocation list %s: %w", c.path, err)
	}
	if highest.Cmp(c.number) > 0 {
		return fmt.Errorf("revocation list %s: %w: number %s, and list %s was loaded already (by another replica): copy the current crl.pem here",
			c.path, ErrCRLOlder, c.number, highest)
	}
	c.floor = floor
	return nil
}

// NewCRL reads the revocation list at path, which must be signed by ca.
// now is the clock its next update is checked against; log receives its
// problems (nil logs nothing). A list already expired is loaded, and
// reported.
func NewCRL(path string, ca *x509.Certificate, now func() time.Time, log *slog.Logger) (*CRL, error) {
	c := &CRL{path: path, ca: ca, now: now, log: log}
	if err := c.reload(); err != nil {
		return nil, err
	}
	c.report(c.problem(nil))
	return c, nil
}

// reload reads the file again if it changed since it was last read, and
// loads it unless it is older than the loaded list. Called with c.mu
// held, or before c is shared.
func (c *CRL) reload() error {
	st, err := os.Stat(c.path)
	if err != nil {
		return fmt.Errorf("revocation list: %w", err)
	}
	if c.file != nil && os.SameFile(st, c.file) && st.ModTime().Equal(c.mod) && st.Size() == c.size && c.revoked != nil {
		return c.fileErr
	}
	rl, err := c.read()
	if err == nil && c.number != nil && rl.Number.Cmp(c.number) < 0 {
		err = fmt.Errorf("revocation list %s: %w: number %s, loaded %s; the loaded list stands", c.path, ErrCRLOlder, rl.Number, c.number)
	}
	if err == nil && c.floor != nil {
		highest, ferr := c.floor(rl.Number)
		switch {
		case ferr != nil && c.log != nil: // the store is away: the list is checked here only
			c.log.Error("revocation list number not recorded for the other replicas", "number", rl.Number, "err", ferr)
		case ferr == nil && highest.Cmp(rl.Number) > 0:
			err = fmt.Errorf("revocation list %s: %w: number %s, and list %s was loaded already (by another replica); the loaded list stands",
				c.path, ErrCRLOlder, rl.Number, highest)
		}
	}
	if err != nil {
		if c.revoked != nil { // keep the loaded list; read this file no more until it changes
			c.file, c.mod, c.size, c.fileErr = st, st.ModTime(), st.Size(), err
		}
		return err
	}
	revoked := make(map[string]bool, len(rl.RevokedCertificateEntries))
	for _, e := range rl.RevokedCertificateEntries {
		revoked[e.SerialNumber.Text(16)] = true
	}
	c.revoked, c.number, c.next = revoked, rl.Number, rl.NextUpdate
	c.file, c.mod, c.size, c.fileErr = st, st.ModTime(), st.Size(), nil
	return nil
}

// read reads, parses and checks the signature of the file.
func (c *CRL) read() (*x509.RevocationList, error) {
	b, err := smallfile.ReadRegular(c.path, "revocation list", MaxRevocationBytes)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "X509 CRL" {
		return nil, fmt.Errorf("revocation list %s: not a PEM X509 CRL", c.path)
	}
	rl, err := x509.ParseRevocationList(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("revocation list %s: %w", c.path, err)
	}
	if err := rl.CheckSignatureFrom(c.ca); err != nil {
		return nil, fmt.Errorf("revocation list %s: %w", c.path, err)
	}
	if rl.Number == nil {
		return nil, fmt.Errorf("revocation list %s: no CRL number", c.path)
	}
	return rl, nil
}

// problem returns what is wrong with the list in force, given err, the
// last reload's error: the file refused (err), the loaded list expired,
// or both, joined; nil when nothing is. Called with c.mu held.
func (c *CRL) problem(err error) error {
	if now := c.now(); !c.next.IsZero() && now.After(c.next) {
		expired := fmt.Errorf("revocation list %s: %w: number %s, next update was %s; issue a new one (pinctl ca crl)",
			c.path, ErrCRLExpired, c.number, c.next.Format(time.RFC3339))
		if err == nil {
			return expired
		}
		return fmt.Errorf("%w; and the list in force: %w", err, expired)
	}
	return err
}

// report logs err as an error unless it was the last one logged. Called
// with c.mu held.
func (c *CRL) report(err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if msg == c.logged {
		return
	}
	c.logged = msg
	if c.log == nil {
		return
	}
	if err != nil {
		c.log.Error("revocation list", "err", err)
	} else {
		c.log.Info("revocation list loaded", "path", c.path, "number", c.number.String(), "next_update", c.next)
	}
}

// Check returns ErrRevoked if cert is on the list in force. If the file
// cannot be read again, or holds an older list, the loaded list stands;
// the problem is logged and Status tells it.
func (c *CRL) Check(cert *x509.Certificate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.problem(c.reload())
	c.report(err)
	if c.revoked[Serial(cert)] {
		return ErrRevoked
	}
	return nil
}

// Status reads the file again if it changed and returns what is wrong
// with the list in force: an error wrapping ErrCRLOlder when the file
// holds an older list than the one loaded, ErrCRLExpired when the loaded
// list is past its next update (both when both are), another error when
// the file cannot be read; nil when the list is current. The loaded list stands whatever
// Status says. For the health check.
func (c *CRL) Status() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.problem(c.reload())
	c.report(err)
	return err
}

// Number returns the number of the list in force, in decimal.
func (c *CRL) Number() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.number.String()
}

// NextUpdate returns the next update of the list in force: it expires
// then.
func (c *CRL) NextUpdate() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// ServerTLS returns centrale's TLS configuration: its certificate, and a
// client certificate required at the handshake and checked against the
// CA. A client without one, or with one of another CA, fails the
// handshake; centrale's API adds the revocation list to the handshake
// (sync/server's Server.VerifyConnection), and its handlers check the
// role.
func ServerTLS(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("server TLS: %w", err)
	}
	cfg, err := serverTLS(caPEM)
	if err != nil {
		return nil, err
	}
	cfg.Certificates = []tls.Certificate{pair}
	return cfg, nil
}

// ServerTLSFile is ServerTLS with the certificate of f, read again when
// its files change.
func ServerTLSFile(caPEM []byte, f *ServerCert) (*tls.Config, error) {
	cfg, err := serverTLS(caPEM)
	if err != nil {
		return nil, err
	}
	cfg.GetCertificate = f.GetCertificate
	return cfg, nil
}

// serverTLS is the configuration of ServerTLS without its certificate.
func serverTLS(caPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("server TLS: no CA certificate in PEM")
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		ClientCAs:  pool,
		ClientAuth: tls.RequireAndVerifyClientCert,
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

// ChainEnd returns when cert stops verifying on the CA certificates of
// caPEM: its own NotAfter, or the NotAfter of the CA that signed it when
// that comes first (a certificate signed before sign kept to its CA's, or
// a CA file not yet renewed). Of several certificates of the same CA (one
// renewed, pki.CA.RenewCA) the one that lasts counts; those that did not
// sign cert count for nothing, and with none its own NotAfter stands.
func ChainEnd(caPEM []byte, cert *x509.Certificate) time.Time {
	var ca time.Time
	for _, c := range Signers(caPEM, cert) {
		if c.NotAfter.After(ca) {
			ca = c.NotAfter
		}
	}
	if ca.IsZero() || cert.NotAfter.Before(ca) {
		return cert.NotAfter
	}
	return ca
}

// Signers returns the CA certificates of caPEM that signed cert: none
// when cert is of another CA, more than one when the CA was renewed
// (pki.CA.RenewCA, the same key).
func Signers(caPEM []byte, cert *x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for rest := caPEM; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if blk.Type == "CERTIFICATE" && err == nil && cert.CheckSignatureFrom(c) == nil {
			out = append(out, c)
		}
	}
}

// ParseCert reads the first certificate of a PEM block.
func ParseCert(certPEM []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(certPEM)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(blk.Bytes)
}
