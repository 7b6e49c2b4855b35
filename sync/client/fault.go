package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// Fault is the kind of failure the last sync met (pinsede.SyncFault).
type Fault = pinsede.SyncFault

// The faults.
const (
	FaultNone        = pinsede.FaultNone
	FaultUnreachable = pinsede.FaultUnreachable
	FaultTimeout     = pinsede.FaultTimeout
	FaultCertificate = pinsede.FaultCertificate
	FaultServer      = pinsede.FaultServer
	FaultOther       = pinsede.FaultOther
	FaultBusy        = pinsede.FaultBusy
)

// statusError is an error answer of centrale that is not a problem, such
// as a proxy's 502.
type statusError struct {
	status string
}

func (e *statusError) Error() string { return "centrale answered " + e.status }

// busyProblems are the problem types with which centrale says it has
// taken in as much as it can at once (sync/server's push and verify
// limits).
var busyProblems = map[string]bool{
	"urn:pinsede:problem:busy":       true,
	"urn:pinsede:problem:overloaded": true,
}

// certificateProblems are the problem types with which centrale refuses a
// client certificate (sync/server's auth).
var certificateProblems = map[string]bool{
	"urn:pinsede:problem:no-certificate":      true,
	"urn:pinsede:problem:certificate-revoked": true,
	"urn:pinsede:problem:no-identity":         true,
	"urn:pinsede:problem:wrong-role":          true,
}

// Classify tells the fault of a sync's error, and the title of centrale's
// answer for FaultServer and a FaultCertificate that centrale answered.
func Classify(err error) (Fault, string) {
	var (
		p   *wire.Problem
		se  *statusError
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
		ne  net.Error
		oe  *net.OpError
		dns *net.DNSError
	)
	switch {
	case err == nil:
		return FaultNone, ""
	case errors.As(err, &p) && certificateProblems[p.Type]:
		return FaultCertificate, p.Title
	case errors.As(err, &p) && busyProblems[p.Type]:
		return FaultBusy, p.Title
	case errors.As(err, &p):
		return FaultServer, p.Title
	case errors.As(err, &se):
		return FaultServer, se.status
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &he), errors.As(err, &cie):
		return FaultCertificate, ""
	case errors.As(err, &oe) && oe.Op == "remote error":
		// A TLS alert from centrale: it refused the handshake, and so the
		// certificate this sede showed.
		return FaultCertificate, ""
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return FaultTimeout, ""
	case errors.As(err, &dns), errors.As(err, &oe), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "tls: "):
		return FaultUnreachable, ""
	}
	return FaultOther, ""
}
