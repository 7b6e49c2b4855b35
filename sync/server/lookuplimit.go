package server

import (
	"fmt"
	"net/http"

	"github.com/pinsede/pinsede/sync/wire"
)

// LookupLimits bound the rate of each client certificate's lookups of a
// codice fiscale (GET /v1/credentials): a token bucket per certificate,
// past which a lookup is answered 429 with Retry-After. A lookup tells
// whether a person holds a PIN, of which type and status, and which sede
// issued it: one desk certificate answered about 1,700 of them a second
// (6 million an hour, TestLookupRate), what a stolen PC could send
// through its certificate until it is revoked. A clerk looks up one
// person at a time. The buckets are kept per replica, at most Buckets of
// them, the least recently used dropped first.
//
// A zero field stands for its default (WithDefaults).
type LookupLimits struct {
	// Rate is the lookups a second each certificate makes on average.
	// Default DefaultLookupRate.
	Rate float64
	// Burst is how many it may make at once. Default DefaultLookupBurst.
	Burst int
	// Buckets is the most certificates whose bucket is kept. Default
	// DefaultBuckets.
	Buckets int
}

// Defaults of LookupLimits.
const (
	// DefaultLookupRate: 30 a minute, a lookup every 2 seconds, for a
	// certificate a desk PC holds (or all the desks of a sede, with a
	// certificate of before desk ids).
	DefaultLookupRate = 0.5
	// DefaultLookupBurst: a busy morning's lookups in a row.
	DefaultLookupBurst = 60
)

// WithDefaults returns l with its zero fields set to their defaults.
func (l LookupLimits) WithDefaults() LookupLimits {
	if l.Rate <= 0 {
		l.Rate = DefaultLookupRate
	}
	if l.Burst <= 0 {
		l.Burst = DefaultLookupBurst
	}
	if l.Buckets <= 0 {
		l.Buckets = DefaultBuckets
	}
	return l
}

// lookupGuard is the state of a LookupLimits.
type lookupGuard struct {
	limits LookupLimits
	certs  *buckets
}

// SetLookupLimits replaces the limits of GET /v1/credentials; the
// buckets start full. New sets the defaults.
func (s *Server) SetLookupLimits(l LookupLimits) {
	l = l.WithDefaults()
	s.lookups.Store(&lookupGuard{limits: l, certs: newBuckets(l.Rate, l.Burst, l.Buckets)})
}

// LookupLimits returns the limits of GET /v1/credentials in force, their
// defaults set.
func (s *Server) LookupLimits() LookupLimits { return s.lookups.Load().limits }

// admitLookup takes a token of c's certificate for a lookup; when its
// bucket is empty it answers 429 with Retry-After, and reports false.
func (s *Server) admitLookup(w http.ResponseWriter, c caller) bool {
	g := s.lookups.Load()
	ok, d := g.certs.take(c.serial, s.Now())
	if ok {
		return true
	}
	retryAfter(w, d)
	problem(w, http.StatusTooManyRequests, wire.ProblemRateLimited, "Too many lookups",
		fmt.Sprintf("this certificate (%s %s) has looked up more codici fiscali than centrale answers one certificate (%d in a row, then %g a minute); try again in %s s",
			c.role, c.code, g.limits.Burst, g.limits.Rate*60, w.Header().Get("Retry-After")))
	return false
}
