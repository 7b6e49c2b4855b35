package server

import (
	"crypto/x509"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Metrics are centrale's Prometheus metrics, served on the management
// listener (Manage). Their labels are bounded: routes of the API, status
// codes, verdicts and outcomes, and sede codes, which only the CA's
// certificates make. No label, and no value, names a citizen.
//
// A nil *Metrics records nothing.
type Metrics struct {
	requests      *prometheus.HistogramVec
	verify        *prometheus.CounterVec
	locks         *prometheus.CounterVec
	verdicts      *prometheus.CounterVec
	lastPush      *prometheus.GaugeVec
	lastPull      *prometheus.GaugeVec
	lag           prometheus.Histogram
	handshakeErrs *prometheus.CounterVec
	connsOpen     *prometheus.GaugeVec
	connsMax      *prometheus.GaugeVec
	connsRefused  *prometheus.CounterVec
	pushVolume    *prometheus.CounterVec
}

// NewMetrics returns the metrics of s, registered with reg, and has s
// and its Verifier record into them; call it before s serves. Gauges
// read s's PIN check and push slots and queues and its revocation list when
// scraped. certs give the certificates whose expiry is a metric, by name
// ("server", "ca"), as they are when scraped: a certificate renewed
// without a restart shows its new expiry. The copies of the store are
// metrics when s.Backups is set.
func NewMetrics(reg prometheus.Registerer, s *Server, certs map[string]func() *x509.Certificate) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pinsede_http_request_duration_seconds",
			Help:    "Requests to the API by route and status code, and how long they took.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "code"}),
		verify: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pinsede_verify_total",
			Help: "PIN checks by outcome: the answer's outcome, or rate_limited, overloaded, invalid, store_down (the store does not answer or refuses centrale: 503 store-down), error.",
		}, []string{"outcome"}),
		locks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pinsede_verify_locks_total",
			Help: "Wrong-PIN locks: set (temporary or permanent), and checks refused because the credential was locked (held).",
		}, []string{"event"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pinsede_push_events_total",
			Help: "Events pushed by the sedi, by verdict.",
		}, []string{"verdict"}),
		lastPush: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pinsede_sede_last_push_timestamp_seconds",
			Help: "When each sede last pushed, as applied by this replica (Unix time).",
		}, []string{"sede"}),
		lastPull: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pinsede_sede_last_pull_timestamp_seconds",
			Help: "When each sede last pulled its changes from this replica (Unix time).",
		}, []string{"sede"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pinsede_push_event_lag_seconds",
			Help:    "How long before its arrival at centrale a pushed event happened at the desk (offline desks push late); resends not counted.",
			Buckets: []float64{1, 5, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600},
		}),
		handshakeErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pinsede_tls_handshake_errors_total",
			Help: "TLS handshakes that failed, by reason: eof, timeout, no_certificate, revoked (logged one by one, with the certificate), bad_certificate, other. The others are not logged one by one.",
		}, []string{"reason"}),
		connsOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pinsede_connections_open",
			Help: "Connections open now, by listener (api, manage), those in their TLS handshake included.",
		}, []string{"listener"}),
		connsMax: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pinsede_connections_max",
			Help: "Connections a listener keeps open at once (-conn-max, -manage-conn-max); the bounds per source are -conn-per-source and -manage-conn-per-source.",
		}, []string{"listener"}),
		connsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pinsede_connections_refused_total",
			Help: "Connections closed at their accept, by listener and the bound they passed: total or per_source.",
		}, []string{"listener", "bound"}),
		pushVolume: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pinsede_push_volume_refused_events_total",
			Help: "Events refused, whole pushes, because the desk's certificate pushed more than -push-events in a row (429 push-volume), by sede and desk: a desk gone wrong, or a stolen certificate.",
		}, []string{"sede", "desk"}),
	}
	cs := []prometheus.Collector{m.requests, m.verify, m.locks, m.verdicts, m.lastPush, m.lastPull, m.lag, m.handshakeErrs,
		m.connsOpen, m.connsMax, m.connsRefused, m.pushVolume,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_verify_in_progress",
			Help: "PIN checks hashing now, each in a slot.",
		}, func() float64 { return float64(len(s.guard.Load().slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_verify_waiting",
			Help: "PIN checks waiting for a place, in a slot or ahead of them: the queue's depth.",
		}, func() float64 { return float64(s.guard.Load().gate.depth()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_verify_slots",
			Help: "PIN checks that may hash at once (-verify-slots).",
		}, func() float64 { return float64(s.guard.Load().limits.Slots) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_push_in_progress",
			Help: "Pushes of events being read and applied now, each in a slot (-push-slots).",
		}, func() float64 { return float64(len(s.pushes.Load().gate.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_push_waiting",
			Help: "Pushes of events waiting for a slot; those that find the queue full, or wait too long, are answered 503.",
		}, func() float64 { return float64(s.pushes.Load().gate.depth()) }),
	}
	for _, st := range []string{storeStateOK, storeStateUnavailable, storeStateRefused} {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "pinsede_store_state",
			Help:        "The central store as this replica's requests last found it: 1 for its state (ok, unavailable: it does not answer, refused: it refuses centrale's credentials or database), 0 for the others.",
			ConstLabels: prometheus.Labels{"state": st},
		}, func() float64 {
			if now, _ := s.store.state(); now == st {
				return 1
			}
			return 0
		}))
	}
	cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pinsede_store_down_requests_total",
		Help: "Requests answered 503 store-down since the start: the store did not answer or refused centrale.",
	}, func() float64 { _, n := s.store.state(); return float64(n) }))
	if s.CRL != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_crl_next_update_timestamp_seconds",
			Help: "When the revocation list in force expires: its next update (Unix time).",
		}, func() float64 { return float64(s.CRL.NextUpdate().Unix()) }))
	}
	if b := s.Backups; b != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pinsede_backup_last_success_timestamp_seconds",
			Help: "When the last copy of the store (-backup-dir) was written (Unix time); 0 until the first.",
		}, func() float64 {
			if last := b.state().last; !last.IsZero() {
				return float64(last.Unix())
			}
			return 0
		}), prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "pinsede_backup_failures_total",
			Help: "Copies of the store (-backup-dir) that failed since the start: a full disk, a folder not writable (the log tells which).",
		}, func() float64 { return float64(b.state().failures) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for name, c := range certs {
		if err := reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "pinsede_certificate_expiry_timestamp_seconds",
			Help:        "When centrale's certificates expire (Unix time).",
			ConstLabels: prometheus.Labels{"cert": name},
		}, func() float64 { return float64(c().NotAfter.Unix()) })); err != nil {
			return nil, err
		}
	}
	for _, o := range []wire.Outcome{wire.Valid, wire.Wrong, wire.Expired, wire.Revoked, wire.ChangeRequired} {
		m.verify.WithLabelValues(string(o))
	}
	for _, v := range []wire.Verdict{wire.Accepted, wire.Duplicate, wire.Superseded, wire.Rejected} {
		m.verdicts.WithLabelValues(string(v))
	}
	s.metrics = m
	if s.Verifier != nil {
		s.Verifier.Locked = m.lock
	}
	return m, nil
}

// request records a request answered with code, on the route of the
// mux's pattern ("other" for none).
func (m *Metrics) request(r *http.Request, code int, d time.Duration) {
	if m == nil {
		return
	}
	route := r.Pattern
	if route == "" || route == "/" {
		route = "other"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Observe(d.Seconds())
}

// verified records a PIN check's outcome.
func (m *Metrics) verified(outcome string) {
	if m != nil {
		m.verify.WithLabelValues(outcome).Inc()
	}
}

// lock records what a check did about a lock (central.Verifier.Locked).
func (m *Metrics) lock(e central.LockEvent) {
	if m != nil {
		m.locks.WithLabelValues(string(e)).Inc()
	}
}

// pushed records a sede's push applied at the time at, and its results.
func (m *Metrics) pushed(sede string, events []pinsede.Event, res []wire.Result, at time.Time) {
	if m == nil {
		return
	}
	m.lastPush.WithLabelValues(sede).Set(float64(at.Unix()))
	for _, r := range res {
		m.verdicts.WithLabelValues(string(r.Verdict)).Inc()
	}
	for i, ev := range events {
		if i < len(res) && res[i].Verdict != wire.Duplicate { // a resend arrived before
			m.lag.Observe(max(at.Sub(ev.Time), 0).Seconds())
		}
	}
}

// pulled records a sede's pull at the time at.
func (m *Metrics) pulled(sede string, at time.Time) {
	if m != nil {
		m.lastPull.WithLabelValues(sede).Set(float64(at.Unix()))
	}
}

// pushLimited counts the n events of a push of sede's desk refused for
// its certificate's volume (PushVolume).
func (m *Metrics) pushLimited(sede, desk string, n int) {
	if m != nil {
		m.pushVolume.WithLabelValues(sede, desk).Add(float64(n))
	}
}

// handshakeFailed counts a failed TLS handshake by reason.
func (m *Metrics) handshakeFailed(reason string) {
	if m != nil {
		m.handshakeErrs.WithLabelValues(reason).Inc()
	}
}

// connLimit records a listener's bound, and starts its counts at 0.
func (m *Metrics) connLimit(listener string, n int) {
	if m != nil {
		m.connsMax.WithLabelValues(listener).Set(float64(n))
		m.connsOpen.WithLabelValues(listener)
		m.connsRefused.WithLabelValues(listener, "total")
		m.connsRefused.WithLabelValues(listener, "per_source")
	}
}

// connOpened adds d to a listener's open connections.
func (m *Metrics) connOpened(listener string, d int) {
	if m != nil {
		m.connsOpen.WithLabelValues(listener).Add(float64(d))
	}
}

// connRefused counts a connection refused past bound.
func (m *Metrics) connRefused(listener, bound string) {
	if m != nil {
		m.connsRefused.WithLabelValues(listener, bound).Inc()
	}
}
