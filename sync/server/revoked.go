package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"github.com/pinsede/pinsede/sync/pki"
)

// VerifyConnection refuses, at the TLS handshake, a client certificate
// on the revocation list in force: set it as the API listener's
// tls.Config.VerifyConnection. crypto/tls calls it after the chain is
// verified, on every handshake, resumptions included (a resumed session
// skips VerifyPeerCertificate, not VerifyConnection). The list is
// s.CRL's: its file read again when it changed, and only ever replaced
// by a newer one. The error names the certificate (serial, role and
// code, desk) and wraps pki.ErrRevoked: the Listener logs it with the
// client's address and counts it as "revoked". With no CRL, or no
// certificate (crypto/tls refuses that first), it refuses nothing.
//
// A connection open before the certificate was revoked is answered 403
// certificate-revoked at its next request, and closed after it (auth):
// its client's next connection is a handshake, refused here.
func (s *Server) VerifyConnection(cs tls.ConnectionState) error {
	if s.CRL == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	cert := cs.PeerCertificates[0]
	if err := s.CRL.Check(cert); err != nil {
		return fmt.Errorf("client certificate %s: %w", describeCert(cert), err)
	}
	return nil
}

// describeCert names cert for the log: its serial, and the role, code
// and desk it carries when it carries them.
func describeCert(cert *x509.Certificate) string {
	s := "serial " + pki.Serial(cert)
	if role, code, err := pki.Identity(cert); err == nil {
		s += fmt.Sprintf(" (%s %s", role, code)
		if desk, err := pki.DeskOf(cert); err == nil && desk != "" {
			s += " desk " + desk
		}
		s += ")"
	}
	return s
}
