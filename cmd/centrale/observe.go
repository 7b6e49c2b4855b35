package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/pinsede/pinsede/internal/logging"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
)

// DefaultManage is the management listener's address when none is given:
// loopback, on a port that neither Prometheus (9090), its Pushgateway
// (9091) and Alertmanager (9093, 9094) nor the exporters of Prometheus's
// "default port allocations" (9100-9999) take, so that centrale starts on
// the host of the Prometheus that scrapes it. It was 127.0.0.1:9090 until
// 2026-12.
const DefaultManage = "127.0.0.1:8442"

// observeFlags adds the flags of the management listener and of the log.
func observeFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.manage, "manage", DefaultManage, "`address` of the management listener: plain HTTP, no client certificate, serving /healthz, /readyz, /metrics and the status page /status; keep it on loopback or the operators' network (\"\": none)")
	fs.DurationVar(&c.certMargin, "ready-cert-margin", server.DefaultCertMargin, "/readyz is not ready this long before the server certificate expires")
	fs.DurationVar(&c.drainDelay, "drain-delay", 0, "how long the API keeps accepting connections once centrale is asked to stop (SIGTERM), /readyz answering 503 stopping meanwhile, for a load balancer to take it out first: its checks' interval times the failures it waits for, plus one; 0 without a balancer; a second SIGTERM ends it")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: "+logging.Formats)
	fs.StringVar(&c.logLevel, "log-level", "info", "least level logged: "+logging.Levels)
}

// observe registers centrale's metrics for srv and its store, and
// returns them with the management server when -manage is given (nil
// otherwise), whose /readyz answers 503 once stopping is closed.
func observe(c config, srv *server.Server, store central.Store, cert *pki.ServerCert, caPEM []byte, stopping <-chan struct{}, log *slog.Logger) (*server.Metrics, *http.Server, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	certs := map[string]func() *x509.Certificate{"server": cert.Leaf}
	if ca, err := pki.ParseCert(caPEM); err == nil {
		certs["ca"] = func() *x509.Certificate { return ca }
	}
	metrics, err := server.NewMetrics(reg, srv, certs)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: %w", err)
	}
	if pg, ok := store.(*pgstore.Store); ok {
		if err := reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "pinsede_store_stuck_sessions_ended_total",
			Help: "Sessions of centrale's that this replica ended (pg_terminate_backend) since the start: their replica stopped inside a statement holding a sede's lock for more than 30 s (a debugger, docker pause), and the sede's pushes were answered busy meanwhile; the log names each.",
		}, func() float64 { return float64(pg.StuckSessionsEnded()) })); err != nil {
			return nil, nil, fmt.Errorf("metrics: %w", err)
		}
	}
	if c.manage == "" {
		return metrics, nil, nil
	}
	hs := &http.Server{
		Handler:           srv.ManageHandler(server.Manage{Gatherer: reg, Cert: certs["server"], CertMargin: c.certMargin, CA: certs["ca"], Stopping: stopping}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          server.ErrorLog(log),
	}
	return metrics, hs, nil
}

// MaxDrainDelay bounds -drain-delay: with the 10 s centrale then gives
// the requests in flight, under systemd's 90 s before it kills it.
const MaxDrainDelay = time.Minute

// drain keeps the API accepting connections for delay once centrale was
// asked to stop, /readyz answering 503 stopping meanwhile: a load
// balancer's checks find it out and send the new connections to the
// other replicas before the listener closes, rather than to a port that
// refuses them. A second SIGTERM or interrupt, once it logged "centrale
// stopping", ends the delay.
func drain(delay time.Duration, log *slog.Logger) {
	again := make(chan os.Signal, 1)
	if delay > 0 {
		signal.Notify(again, stopSignals...)
		defer signal.Stop(again)
	}
	log.Info("centrale stopping", "drain_delay", delay)
	if delay == 0 {
		return
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case sig := <-again:
		log.Info("drain delay ended by a second signal", "signal", sig.String())
	}
}

// ExpiryCheck is how often centrale looks whether its certificates or the
// revocation list come near their end (server.ExpiryWatch logs it once).
const ExpiryCheck = 10 * time.Minute

// newExpiryWatch returns the watch of centrale's server certificate, the
// CA's (caPEM) and the revocation list (nil: none), on c's clock. Each
// check reads the server certificate's files again if they changed and
// takes a renewal refused as not yet valid once it is (cert.Status), as a
// handshake would: without handshakes the pair in force would be judged
// as of the last one.
func newExpiryWatch(c config, log *slog.Logger, cert *pki.ServerCert, caPEM []byte, crl *pki.CRL) *server.ExpiryWatch {
	leaf := func() *x509.Certificate {
		_ = cert.Status() // its problems are cert's to log
		return cert.Leaf()
	}
	w := &server.ExpiryWatch{Log: log, Now: c.now, Cert: leaf, CRL: crl}
	if ca, err := pki.ParseCert(caPEM); err == nil {
		w.CA = func() *x509.Certificate { return ca }
	}
	return w
}

// watchExpiries checks w at start and then every ExpiryCheck, until ctx
// ends.
func watchExpiries(ctx context.Context, w *server.ExpiryWatch) {
	t := time.NewTicker(ExpiryCheck)
	defer t.Stop()
	for {
		w.Check()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
