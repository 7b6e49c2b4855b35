package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A request centrale refuses with a time to come back (429 or 503 with
// Retry-After: sync/server's push volume, push slots and pull limits)
// is not sent again before that time: the client holds its kind of
// request (reqKind) back until then, on its own clock (Config.Now),
// and a sync meanwhile skips it, failing with the refusal's fault, while
// the other kind goes on. Without it a desk refused for its volume sent
// its whole outbox again at every sync, up to 4 MiB that centrale reads
// before it can count the events, in one of its push slots each time.

// maxRetryAfter bounds how long a Retry-After holds a request back: a
// longer one (a centrale or proxy gone wrong, ten years) holds it this
// long, and a hold that reads longer than this (the clock set back since)
// is dropped.
const maxRetryAfter = time.Hour

// reqKind is a kind of request that centrale admits apart from the
// others, and that a refusal holds back.
type reqKind int

// The kinds of request held back.
const (
	// kindPush: POST /v1/events and POST /v1/audit/entries, which share
	// centrale's push slots (and the first its volume of events).
	kindPush reqKind = iota
	// kindPull: GET /v1/changes, in centrale's pull slots.
	kindPull
	numKinds
)

// String names the kind, for errors.
func (k reqKind) String() string {
	if k == kindPull {
		return "pull"
	}
	return "push"
}

// laterError is a request that centrale refused until a time: the
// refusal as it came (sent), or a request not sent since because that
// time has not come. It unwraps to centrale's answer, so that Classify
// tells the same fault both times.
type laterError struct {
	// err is centrale's answer: a *wire.Problem, or a *statusError.
	err error
	// until is when the request may go again, on Config.Now's clock.
	until time.Time
	// sent is true for the answer itself, false for a request held back.
	sent bool
}

func (e *laterError) Error() string {
	if e.sent {
		return fmt.Sprintf("%v (to be sent again at %s)", e.err, e.until.Format(time.RFC3339))
	}
	return fmt.Sprintf("not sent before %s, as centrale said: %v", e.until.Format(time.RFC3339), e.err)
}

func (e *laterError) Unwrap() error { return e.err }

// deferred reports whether err is a request centrale said to send later
// (laterError): the link works, and the other kinds go on.
func deferred(err error) bool {
	var le *laterError
	return errors.As(err, &le)
}

// retryAfter returns when resp, answered at now on the client's clock,
// says to come back: its Retry-After in seconds, or as an HTTP date
// taken against the answer's Date (centrale's clock; now without one),
// at most maxRetryAfter after now. It reports false when resp has none,
// one that does not parse, or one not after now.
func retryAfter(resp *http.Response, now time.Time) (time.Time, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	var d time.Duration
	if n, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		d = time.Duration(min(n, uint64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		from := now
		if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			from = date
		}
		d = min(at.Sub(from), maxRetryAfter)
	}
	if d <= 0 {
		return time.Time{}, false
	}
	return now.Add(d), true
}

// held returns the error of a request of kind k held back: centrale
// refused the last one until a time that has not come on Config.Now's
// clock. It returns nil when the request may go.
func (c *Client) held(k reqKind) error {
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.holds[k]
	if c.heldUntil(k, now).IsZero() {
		c.holds[k] = nil
		return nil
	}
	return fmt.Errorf("%s: %w", k, &laterError{err: h.err, until: h.until})
}

// heldUntil returns when the hold of kind k ends, zero when none holds
// it at now (as held). Under mu.
func (c *Client) heldUntil(k reqKind, now time.Time) time.Time {
	h := c.holds[k]
	if h == nil || !now.Before(h.until) || h.until.Sub(now) > maxRetryAfter {
		return time.Time{}
	}
	return h.until
}

// hold keeps, when err (a request of kind k's) is centrale's refusal
// until a time, that time for held, and returns err.
func (c *Client) hold(k reqKind, err error) error {
	var le *laterError
	if errors.As(err, &le) && le.sent {
		c.mu.Lock()
		c.holds[k] = le
		c.mu.Unlock()
	}
	return err
}

// untilHeld returns how long until the first hold of a kind of request
// ends, on Config.Now's clock; 0 when none holds.
func (c *Client) untilHeld() time.Duration {
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	var d time.Duration
	for _, h := range c.holds {
		if h != nil && h.until.After(now) && (d == 0 || h.until.Sub(now) < d) {
			d = h.until.Sub(now)
		}
	}
	return min(d, maxRetryAfter)
}
