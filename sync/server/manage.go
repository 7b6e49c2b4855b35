package server

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultCertMargin is how long before the server certificate expires
// /readyz warns of it: time for the operator to renew it while the
// certificate still serves.
const DefaultCertMargin = 24 * time.Hour

// readyTimeout bounds the store's answer to /readyz.
const readyTimeout = 2 * time.Second

// Manage configures the management listener's handler (ManageHandler).
type Manage struct {
	// Gatherer is what /metrics serves (the registry of NewMetrics).
	Gatherer prometheus.Gatherer
	// Cert returns centrale's server certificate in force: /readyz warns
	// within CertMargin of its expiry, and is not ready past it. Nil
	// checks none.
	Cert func() *x509.Certificate
	// CertMargin is DefaultCertMargin when zero.
	CertMargin time.Duration
	// CA returns the CA's certificate, whose expiry the status page
	// shows and /readyz checks as Cert's; nil shows and checks none.
	CA func() *x509.Certificate
	// Stopping is closed when centrale begins to stop (SIGTERM): from
	// then /readyz answers 503 "stopping", for a load balancer to send
	// new connections to the other replicas while this one ends those
	// in flight. Nil never closes.
	Stopping <-chan struct{}
}

// ManageHandler returns the handler of the management listener, plain
// HTTP without client certificates, for loopback or the operators'
// network only:
//
//   - GET /healthz answers 200 while the process serves (liveness);
//   - GET /readyz answers 200 when this replica can serve: it is not
//     stopping (m.Stopping), the store does not refuse centrale's
//     credentials or database, and neither the server certificate nor
//     the CA's has expired; else 503. The body says each check, and
//     warns, still 200, of a store that does not answer (storeReadiness),
//     of a revocation list expired or older than one loaded before, of
//     a certificate within the margin of its expiry and of server
//     certificate files refused (Server.Cert), the pair in force
//     serving: every replica shares the store and reads the same files,
//     and a balancer that took them all out at once would leave the
//     desks no server at all, where each replica answers them on the
//     list in force, or 503 store-down with Retry-After that keeps them
//     online;
//   - GET /metrics serves m.Gatherer for Prometheus;
//   - GET /status is the status page (status.go): the sedi's desks with
//     their last push and pull, the changes waiting for them and the
//     events rejected, the PINs issued per day, the credentials locked,
//     and when the certificates and the revocation list expire; GET /
//     redirects to it.
func (s *Server) ManageHandler(m Manage) http.Handler {
	if m.CertMargin <= 0 {
		m.CertMargin = DefaultCertMargin
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		lines, ready := s.readiness(r.Context(), m)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprint(w, strings.Join(lines, "\n")+"\n")
	})
	mux.HandleFunc("GET /status", s.statusHandler(m))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/status", http.StatusSeeOther)
	})
	if m.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(m.Gatherer, promhttp.HandlerOpts{}))
	}
	return mux
}

// readiness runs the checks of /readyz: one line each, and whether this
// replica can serve. A warning leaves it ready; a replica stopping is
// not ready, whatever the rest.
func (s *Server) readiness(ctx context.Context, m Manage) (lines []string, ready bool) {
	select {
	case <-m.Stopping:
		return []string{"not ready", "stopping: centrale is stopping: it ends the requests in flight, new connections go to the other replicas"}, false
	default:
	}
	ready = true
	check := func(name string, err error) {
		if err != nil {
			ready = false
			lines = append(lines, name+": "+err.Error())
			return
		}
		lines = append(lines, name+": ok")
	}
	warn := func(name string, err error) {
		lines = append(lines, name+": warning: "+err.Error())
	}
	line, ok := s.storeReadiness(ctx)
	lines = append(lines, line)
	ready = ok
	if s.CRL != nil {
		if err := s.CRL.Status(); err != nil {
			warn("crl", fmt.Errorf("%s (number %s, next update %s)", crlState(err), s.CRL.Number(), s.CRL.NextUpdate().UTC().Format(time.RFC3339)))
		} else {
			check("crl", nil)
		}
	}
	certCheck := func(name, what, renew string, c func() *x509.Certificate) {
		if c == nil {
			return
		}
		switch end, now := c().NotAfter, s.Now(); {
		case !now.Before(end):
			check(name, fmt.Errorf("the %s expired at %s: renew it (%s)", what, end.UTC().Format(time.RFC3339), renew))
		case end.Sub(now) < m.CertMargin:
			warn(name, fmt.Errorf("the %s expires at %s, within %s: renew it (%s)", what, end.UTC().Format(time.RFC3339), m.CertMargin, renew))
		default:
			check(name, nil)
		}
	}
	certCheck("certificate", "server certificate", "pinctl ca server", m.Cert)
	if s.Cert != nil {
		if err := s.Cert.Status(); err != nil {
			warn("certificate files", err)
		}
	}
	// The CA's too: past it no handshake succeeds, and /readyz said ready.
	certCheck("ca", "CA's certificate", "pinctl ca renew-ca", m.CA)
	s.replicaReadiness(check, warn) // clock.go, settings.go
	if ready {
		lines = append([]string{"ready"}, lines...)
	} else {
		lines = append([]string{"not ready"}, lines...)
	}
	return lines, ready
}

// storeReadiness is /readyz's line of the store, and whether the store
// leaves this replica ready. A store that does not answer (PostgreSQL
// restarting, failing over) leaves it ready with a warning: every
// replica shares it, so taking this one out of the balancer helps
// nobody, and taking them all out would turn the desks' 503 store-down
// with Retry-After, which keeps them online and retrying, into no
// server at all, and keep them off until the balancer's checks pass
// again. A replica that alone cannot reach the store looks the same
// from here: /v1/health (503) and the log tell it. A store refusing
// centrale's credentials or database is not ready: it does not pass by
// itself, and a replica started with a wrong configuration (a rolling
// deploy) must take no traffic; nor is a store failing otherwise (a
// bbolt file closed or unreadable), whose requests fail with it.
func (s *Server) storeReadiness(ctx context.Context) (line string, ready bool) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	outage := s.store.current()
	err := s.Store.Ping(ctx)
	if err == nil {
		s.storeBack(ctx, outage)
		return "store: ok", true
	}
	s.storeFailed(ctx, err)
	switch {
	case errors.Is(err, central.ErrRefused):
		return fmt.Sprintf("store: %s store refuses centrale's credentials or database: put the configuration right", s.Store.Kind()), false
	case errors.Is(err, central.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("store: warning: %s store does not answer: requests answered 503 store-down, Retry-After %d s; every replica shares it, so this one stays ready",
			s.Store.Kind(), int(StoreRetryAfter/time.Second)), true
	}
	// A store failing otherwise (a bbolt file closed or unreadable: one
	// replica's own) fails the requests: nothing to share, take it out.
	return fmt.Sprintf("store: %s store fails: %v", s.Store.Kind(), err), false
}
