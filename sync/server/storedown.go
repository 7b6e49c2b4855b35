package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// StoreRetryAfter is the Retry-After of the answers given while the
// store cannot be reached (central.ErrUnavailable): PostgreSQL restarts
// in a few seconds, and a desk then sends its push and its pull again
// after this long, rather than at its next sync.
const StoreRetryAfter = 5 * time.Second

// storeWatch remembers whether the store was last found unavailable
// (central.ErrUnavailable) or refusing centrale (central.ErrRefused), so
// that centrale logs when it goes, when the cause changes and when it
// answers again, once each, rather than a line per request refused.
type storeWatch struct {
	mu sync.Mutex
	// outage numbers the outages, the one in force while down.
	outage uint64
	down   bool
	// refusing is whether the store's last failure was a refusal
	// (central.ErrRefused) rather than unavailability.
	refusing bool
	// since is when the outage began, on the server's clock; refused is
	// how many requests it refused.
	since   time.Time
	refused int
	// answered is how many requests were answered 503 store-down since
	// the start, in every outage: pinsede_store_down_requests_total.
	answered uint64
}

// Store states, as pinsede_store_state names them.
const (
	storeStateOK          = "ok"
	storeStateUnavailable = "unavailable"
	storeStateRefused     = "refused"
)

// state returns the store's state as the requests last found it
// (storeStateOK, storeStateUnavailable or storeStateRefused), and how
// many requests were answered 503 store-down since the start.
func (w *storeWatch) state() (string, uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case !w.down:
		return storeStateOK, w.answered
	case w.refusing:
		return storeStateRefused, w.answered
	}
	return storeStateUnavailable, w.answered
}

// answeredDown counts a request answered 503 store-down.
func (w *storeWatch) answeredDown() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.answered++
}

// current returns the outage in force, 0 when none: a request starting
// takes it, for back.
func (w *storeWatch) current() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.down {
		return 0
	}
	return w.outage
}

// failed counts a request refused at now for the store unavailable or,
// refusing, refusing centrale, and reports whether the store was
// available until then or failed for the other cause.
func (w *storeWatch) failed(now time.Time, refusing bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.refused++
	if w.down {
		changed := w.refusing != refusing
		w.refusing = refusing
		return changed
	}
	w.outage++
	w.down, w.since, w.refused, w.refusing = true, now, 1, refusing
	return true
}

// back notes that the store answered a request begun during outage,
// and reports whether that ends it, with its start and the requests it
// refused. An answer to a request begun before the outage proves
// nothing: it may have been had before.
func (w *storeWatch) back(outage uint64) (ended bool, since time.Time, refused int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if outage == 0 || !w.down || w.outage != outage {
		return false, time.Time{}, 0
	}
	w.down = false
	return true, w.since, w.refused
}

// storeFailed reports whether err is the store unavailable or refusing
// centrale's credentials or database (central.ErrRefused), and logs the
// first of an outage and each change of its cause: unavailability at
// warning level, as it passes by itself; a refusal as an error, for the
// operator, as it does not.
func (s *Server) storeFailed(ctx context.Context, err error) bool {
	refusing := errors.Is(err, central.ErrRefused)
	if !refusing && !errors.Is(err, central.ErrUnavailable) {
		return false
	}
	if !s.store.failed(s.Now(), refusing) || s.Log == nil {
		return true
	}
	if refusing {
		s.Log.ErrorContext(ctx, "central store refuses centrale's credentials or database: requests answered 503 until the configuration or the database is put right",
			"store", s.Store.Kind(), "err", err)
	} else {
		s.Log.WarnContext(ctx, "central store unavailable: requests answered 503 with Retry-After until it answers",
			"store", s.Store.Kind(), "retry_after", StoreRetryAfter.String(), "err", err)
	}
	return true
}

// storeBack notes that the store answered a request begun during
// outage (storeWatch.current), and logs the end of the outage.
func (s *Server) storeBack(ctx context.Context, outage uint64) {
	if ended, since, refused := s.store.back(outage); ended && s.Log != nil {
		s.Log.InfoContext(ctx, "central store answers again", "store", s.Store.Kind(),
			"down_since", since.UTC().Format(time.RFC3339), "refused", refused)
	}
}

// storeless are the paths answered without the store: their answers
// say nothing of it.
var storeless = map[string]bool{"/v1/policy": true, "/v1/openapi.json": true}

// storeDown answers 503 store-down for err, one storeFailed took, and
// counts it (pinsede_store_down_requests_total):
// storeUnavailable's answer, but for a store refusing centrale
// (central.ErrRefused) none of Retry-After and its promise. That refusal
// lasts until an operator acts, at an hour nobody knows: a Retry-After
// short would promise what is false, and a long one would hold every
// desk back long after the fix; without one a desk retries on its own
// back-off (a minute at most), each retry a connection refused at once.
func (s *Server) storeDown(w http.ResponseWriter, err error) {
	s.store.answeredDown()
	if errors.Is(err, central.ErrRefused) {
		problem(w, http.StatusServiceUnavailable, wire.ProblemStoreDown, "Store refuses centrale",
			"centrale's database refuses its credentials or the database named: nothing was done; an operator must put the configuration right, and it has been logged")
		return
	}
	storeUnavailable(w)
}

// storeUnavailable answers 503 store-down with Retry-After.
func storeUnavailable(w http.ResponseWriter) {
	retryAfter(w, StoreRetryAfter)
	problem(w, http.StatusServiceUnavailable, wire.ProblemStoreDown, "Store unavailable",
		fmt.Sprintf("centrale cannot reach its database for now; try again in %d s: what it had already stored is answered duplicate", int(StoreRetryAfter/time.Second)))
}
