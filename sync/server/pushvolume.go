package server

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// PushVolume bounds the events each client certificate pushes over time
// (POST /v1/events): a token bucket per certificate, of Events tokens,
// that refills whole in Refill; a push of n events takes n tokens, and
// one finding fewer is refused whole with 429
// (wire.ProblemPushVolume) and Retry-After the time until it would be
// taken, nothing stored. The desk keeps its outbox and sends it again
// then. A push is charged only what it stored: the tokens of one that
// the store did not apply (503 out of time, 500), and of its events
// answered Duplicate (a batch sent again), are given back. PushLimits
// bound the pushes at once, not what they carry: one desk certificate
// pushed 60,000 valid made-up issues in about 10 s, +205 MiB of the
// bbolt store (+270 MiB on PostgreSQL), 75 GB an hour.
// The buckets are kept per replica, at most DefaultBuckets of them, the
// least recently used dropped first.
//
// A zero field stands for its default (WithDefaults).
type PushVolume struct {
	// Events is the most events a certificate pushes in a row. Default
	// DefaultPushEvents; never fewer than wire.MaxBatch, one whole push.
	Events int
	// Refill is how long an empty bucket takes to fill again. Default
	// DefaultPushRefill.
	Refill time.Duration
}

// Defaults of PushVolume.
const (
	// DefaultPushEvents: an issue pushes about 4 events (the issue, the
	// hand-over, its form, the kiosk's ticket called) and a busy desk
	// issues a few hundred PINs a day: 40,000 events are some 10,000
	// issues, six weeks of a desk issuing 300 a day, sent in one go
	// when it comes back online.
	DefaultPushEvents = 40_000
	// DefaultPushRefill: the bucket fills again in a day, so that a
	// desk gone wrong stores at most DefaultPushEvents a day (about
	// 140 MiB at 3.5 KiB an event), not 75 GB an hour.
	DefaultPushRefill = 24 * time.Hour
)

// WithDefaults returns v with its zero fields set to their defaults.
func (v PushVolume) WithDefaults() PushVolume {
	if v.Events <= 0 {
		v.Events = DefaultPushEvents
	}
	v.Events = max(v.Events, wire.MaxBatch)
	if v.Refill <= 0 {
		v.Refill = DefaultPushRefill
	}
	return v
}

// volumeGuard is the state of a PushVolume.
type volumeGuard struct {
	limits PushVolume
	certs  *buckets
	// lines rates the log lines of the pushes refused, by certificate.
	lines lineRates
	mu    sync.Mutex
	// limited are the desks refused so far by this replica, by sede and
	// desk, for the status page: as many as the CA's certificates name,
	// at most maxRatedCerts.
	limited map[[2]string]limitedDesk
}

// limitedDesk is a desk whose pushes were refused for their volume.
type limitedDesk struct {
	Sede, Desk string
	// Events is how many events were refused, Pushes in how many pushes.
	Events, Pushes int
	// Last is when the last was refused.
	Last time.Time
}

// refused records a push of n events of sede's desk refused at now.
func (g *volumeGuard) refused(sede, desk string, n int, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := [2]string{sede, desk}
	d, ok := g.limited[k]
	if !ok && len(g.limited) >= maxRatedCerts {
		return
	}
	d.Sede, d.Desk, d.Events, d.Pushes, d.Last = sede, desk, d.Events+n, d.Pushes+1, now
	g.limited[k] = d
}

// limitedDesks returns the desks refused for their volume, the last
// refused first.
func (g *volumeGuard) limitedDesks() []limitedDesk {
	g.mu.Lock()
	out := make([]limitedDesk, 0, len(g.limited))
	for _, d := range g.limited {
		out = append(out, d)
	}
	g.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out
}

// SetPushVolume replaces the bound of the events pushed by each
// certificate; the buckets start full. New sets the defaults.
func (s *Server) SetPushVolume(v PushVolume) {
	v = v.WithDefaults()
	rate := float64(v.Events) / v.Refill.Seconds()
	s.volume.Store(&volumeGuard{limits: v, certs: newBuckets(rate, v.Events, DefaultBuckets), limited: map[[2]string]limitedDesk{}})
}

// PushVolume returns the bound of the events pushed in force, its
// defaults set.
func (s *Server) PushVolume() PushVolume { return s.volume.Load().limits }

// admitVolume takes n tokens of c's certificate for a push of n events,
// before the store reads or applies any, and returns the function that
// gives back those of them the push did not store: all n when the store
// failed, ran out of the request's time or refused the audit head, and
// those answered Duplicate, which centrale already held. A desk is so
// charged for the events it stored, not for the pushes it sent again.
// When its bucket has fewer than n it answers 429 with Retry-After,
// logs it (at most once every 10 s a certificate), counts it in the
// metrics and for the status page, and returns nil.
func (s *Server) admitVolume(w http.ResponseWriter, r *http.Request, c caller, n int) (refund func(unstored int)) {
	g := s.volume.Load()
	now := s.Now()
	ok, d := g.certs.takeN(c.serial, n, now)
	if ok {
		return func(unstored int) { g.certs.giveN(c.serial, min(unstored, n)) }
	}
	s.metrics.pushLimited(c.code, c.desk, n)
	g.refused(c.code, c.desk, n, now)
	if held, log := g.lines.event(c.serial, now); log && s.Log != nil {
		s.Log.WarnContext(r.Context(), "desk over its volume of events: push refused", "sede", c.code, "desk", c.desk, "serial", c.serial,
			"events", n, "held_back", held, "retry_after", d.Round(time.Second).String())
	}
	retryAfter(w, d)
	problem(w, http.StatusTooManyRequests, wire.ProblemPushVolume, "Too many events from this desk",
		fmt.Sprintf("this certificate (%s %s, desk %q) has pushed more events than centrale takes of one desk: %d in a row, then %d a day; nothing was stored of these %d: they stay in the desk's outbox, which sends them again after %s s. A desk issues a few hundred PINs a day: if it did not issue that many, have its PC looked at",
			c.role, c.code, c.desk, g.limits.Events, int(float64(g.limits.Events)*float64(24*time.Hour)/float64(g.limits.Refill)), n, w.Header().Get("Retry-After")))
	return nil
}
