package client

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/pki"
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
	FaultClock       = pinsede.FaultClock
	FaultLimited     = pinsede.FaultLimited

	FaultCentraleCertificate = pinsede.FaultCentraleCertificate
	FaultAuditFork           = pinsede.FaultAuditFork
	FaultStoreRefused        = pinsede.FaultStoreRefused
)

// clockProblems are the problem types with which centrale refuses a push
// whose reading of this PC's clock is ahead of its own by more than a
// day, or behind by more than an event may be old (sync/server's
// deskOffset).
var clockProblems = map[string]bool{
	wire.ProblemClockAhead:  true,
	wire.ProblemClockBehind: true,
}

// statusError is an error answer of centrale that is not a problem, such
// as a proxy's 502.
type statusError struct {
	status string
}

func (e *statusError) Error() string { return "centrale answered " + e.status }

// busyProblems are the problem types with which centrale says it has
// taken in as much as it can at once, or as much as it allows a client
// in a while (sync/server's push, verify and lookup limits), or that its
// database cannot be reached for now (store-down: a PostgreSQL
// restarting): come back later, nothing is wrong here.
var busyProblems = map[string]bool{
	wire.ProblemBusy:        true,
	wire.ProblemOverloaded:  true,
	wire.ProblemRateLimited: true,
	wire.ProblemStoreDown:   true,
}

// limitedProblems are the problem types with which centrale refuses a
// push because this desk has pushed more events than it takes of one
// desk in a while (sync/server's PushVolume): nothing was stored, the
// outbox goes again at a later sync.
var limitedProblems = map[string]bool{
	wire.ProblemPushVolume: true,
}

// forkProblems are the problem types with which centrale refuses a push
// whose audit chain does not continue the one it holds of this desk (a
// store restored from an older copy): nothing was stored until its
// operator confirms the restore (centrale audit reset).
var forkProblems = map[string]bool{
	wire.ProblemAuditFork: true,
}

// certificateProblems are the problem types with which centrale refuses a
// client certificate (sync/server's auth).
var certificateProblems = map[string]bool{
	wire.ProblemNoCertificate:      true,
	wire.ProblemCertificateRevoked: true,
	wire.ProblemNoIdentity:         true,
	wire.ProblemWrongRole:          true,
}

// genericProblems are the problem types the client deliberately takes as
// any answer of centrale's (FaultServer, with the problem's title): a
// request it made wrong, a refusal of the records (the push's verdicts
// say more), a failure of centrale's own. With the maps above and the
// types a caller tells (problemEntriesGap), they cover wire.ProblemTypes.
var genericProblems = map[string]bool{
	wire.ProblemMalformed: true, wire.ProblemTooLarge: true, wire.ProblemUnsupportedMediaType: true,
	wire.ProblemMethodNotAllowed: true, wire.ProblemNotFound: true, wire.ProblemInternal: true, wire.ProblemOtherSede: true,
	wire.ProblemEmptyBatch: true, wire.ProblemBatchTooLong: true, wire.ProblemInvalidCodiceFiscale: true,
	wire.ProblemInvalidLogin: true, wire.ProblemInvalidTicket: true, wire.ProblemNoAuditHead: true,
	wire.ProblemBadAuditHead: true, wire.ProblemBadAuditHeads: true,
	wire.ProblemBadAuditEntries: true, wire.ProblemBadAuditSearch: true,
	// A push that names another epoch of centrale's store: Push takes
	// the new one and pushes again (epoch.go); told only if that fails.
	wire.ProblemStoreRestored: true,
}

// Classify tells the fault of a sync's error, and the title of centrale's
// answer for FaultServer and a FaultCertificate that centrale answered.
// A store-down with Retry-After is FaultBusy (a PostgreSQL restarting),
// one without FaultStoreRefused.
// A certificate refused at the TLS handshake is the desk's
// (FaultCertificate) when centrale sent the alert, centrale's
// (FaultCentraleCertificate) when this desk did not trust it.
func Classify(err error) (Fault, string) {
	var (
		p   *wire.Problem
		se  *statusError
		ne  net.Error
		oe  *net.OpError
		dns *net.DNSError
	)
	switch {
	case err == nil:
		return FaultNone, ""
	case errors.As(err, &p) && certificateProblems[p.Type]:
		return FaultCertificate, p.Title
	case errors.As(err, &p) && p.Type == wire.ProblemStoreDown && !deferred(err):
		// Without Retry-After: centrale's database refuses its
		// credentials (sync/server's storeDown), until its operators act.
		return FaultStoreRefused, p.Title
	case errors.As(err, &p) && busyProblems[p.Type]:
		return FaultBusy, p.Title
	case errors.As(err, &p) && clockProblems[p.Type]:
		return FaultClock, p.Title
	case errors.As(err, &p) && limitedProblems[p.Type]:
		return FaultLimited, p.Title
	case errors.As(err, &p) && forkProblems[p.Type]:
		return FaultAuditFork, p.Title
	case errors.As(err, &p):
		return FaultServer, p.Title
	case errors.As(err, &se):
		return FaultServer, se.status
	case pki.Untrusted(err):
		// This desk refused centrale's certificate: centrale's to put
		// right (or the PC's clock), not the desk's certificate.
		return FaultCentraleCertificate, ""
	case pki.Refused(err):
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

// probeTimeout bounds refusal's wait for what centrale sends after the
// handshake.
const probeTimeout = 2 * time.Second

// refusal tells whether centrale refuses the certificate this client
// shows, when err, a request's, is a connection broken under it: under
// TLS 1.3 a server refuses a client's certificate after the client's
// side of the handshake, and a request writing its body meanwhile may
// see its connection closed (or reset) rather than the alert. refusal
// then makes a connection of its own, sends nothing and reads: the alert
// comes, or nothing within probeTimeout (the certificate taken, the
// server waiting for a request). It returns the alert's error, or nil.
func (c *Client) refusal(ctx context.Context, err error) error {
	if !errors.Is(err, net.ErrClosed) && !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		return nil
	}
	tr, ok := c.cfg.HTTP.Transport.(*http.Transport)
	if !ok || tr.TLSClientConfig == nil {
		return nil
	}
	u, perr := url.Parse(c.cfg.URL)
	if perr != nil || u.Scheme != "https" {
		return nil
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	cfg := tr.TLSClientConfig.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, derr := (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", host)
	if derr == nil {
		defer conn.Close()
		deadline, _ := ctx.Deadline()
		_ = conn.SetReadDeadline(deadline)
		_, derr = conn.Read(make([]byte, 1))
	}
	if pki.Refused(derr) {
		return derr
	}
	return nil
}
