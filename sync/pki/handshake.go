package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
)

// Untrusted reports whether err, a connection's, is this side's refusal
// of the certificate the other side showed at the TLS handshake: expired
// or not yet valid on this side's clock, signed by an authority it does
// not trust, or made for another host name. For a desk or a kiosk, it is
// centrale's certificate that is at fault (or the PC's clock), not the
// client's own.
func Untrusted(err error) bool {
	var (
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
	)
	return errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &he) || errors.As(err, &cie)
}

// Refused reports whether err, a connection's, is the other side's
// refusal of the TLS handshake: the alert it sent. Centrale sends one for
// the client certificate it does not take (revoked, expired on its
// clock, of another authority, none).
func Refused(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "remote error"
}
