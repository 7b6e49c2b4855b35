package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// front serves a test's centrale (env's server: its handler, store and
// limits) on a listener of its own, over the same TLS, and counts the
// requests it receives by route; rewrite, when set, changes the headers
// of each answer before they go.
type front struct {
	url     string
	mu      sync.Mutex
	got     map[string]int
	rewrite atomic.Pointer[func(h http.Header, status int)]
	// stalled, when set, is closed when the answer of a request with
	// the header stallHeader starts, which then waits until release is
	// closed: its client reading it slowly.
	stalled chan struct{}
	release chan struct{}
}

// stallHeader marks a request whose answer front holds back.
const stallHeader = "X-Test-Stall"

// newFront starts a front of env's centrale, stopped when the test ends.
func newFront(t testing.TB, env *testenv.Env) *front {
	t.Helper()
	f := &front{got: map[string]int{}}
	h := env.Server.Handler()
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.got[r.Method+" "+r.URL.Path]++
		f.mu.Unlock()
		if rw := f.rewrite.Load(); rw != nil {
			w = &rewriter{ResponseWriter: w, fn: *rw}
		}
		if r.Header.Get(stallHeader) != "" {
			w = &staller{ResponseWriter: w, f: f}
		}
		h.ServeHTTP(w, r)
	}))
	hs.TLS = env.HTTP.TLS
	hs.StartTLS()
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

// count returns how many requests of route ("POST /v1/events") centrale
// received.
func (f *front) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[route]
}

// rewriter changes an answer's headers with fn as they are written.
type rewriter struct {
	http.ResponseWriter
	fn func(h http.Header, status int)
}

func (w *rewriter) WriteHeader(status int) {
	w.fn(w.Header(), status)
	w.ResponseWriter.WriteHeader(status)
}

// staller holds an answer back at its first write (front.stalled).
type staller struct {
	http.ResponseWriter
	f    *front
	once sync.Once
}

func (w *staller) Write(b []byte) (int, error) {
	w.once.Do(func() {
		close(w.f.stalled)
		<-w.f.release
	})
	return w.ResponseWriter.Write(b)
}

// The routes counted.
const (
	routePush = "POST /v1/events"
	routePull = "GET /v1/changes"
)

// movedClock returns a clock that reads t0 until set moves it.
func movedClock(t0 time.Time) (clock func() time.Time, set func(time.Time)) {
	var now atomic.Pointer[time.Time]
	now.Store(&t0)
	return func() time.Time { return *now.Load() }, func(t time.Time) { now.Store(&t) }
}

// volumeBound is the push volume of the Retry-After tests: 600 events in
// a row, one more a second. A desk of 1,000 has its first push of 500
// taken and its second refused until 400 s later (volumeWait), when
// the bucket holds 500 again.
const (
	volumeBound = 600
	volumeMany  = 2 * wire.MaxBatch
	volumeWait  = (volumeMany - volumeBound) * time.Second
)

// volumeCentrale starts centrale on store, its push volume volumeBound,
// on a clock that reads t0 until set moves it, and a front of it.
func volumeCentrale(t *testing.T, store central.Store, t0 time.Time) (env *testenv.Env, f *front, clock func() time.Time, set func(time.Time)) {
	t.Helper()
	clock, set = movedClock(t0)
	env = testenv.NewAt(t, store, clock)
	env.Server.SetPushVolume(server.PushVolume{Events: volumeBound, Refill: volumeBound * time.Second})
	return env, newFront(t, env), clock, set
}

// limitedDesk returns a client of a desk of sede MILA01, with a
// certificate of its own, on f, whose outbox holds volumeMany events of
// the codici fiscali from first on, and its store.
func limitedDesk(t *testing.T, env *testenv.Env, f *front, first int, clock func() time.Time) (*client.Client, *local.Store) {
	t.Helper()
	ls, _, _ := newLocal(t)
	enqueue(t, ls, "MILA01", first, volumeMany)
	return client.New(client.Config{URL: f.url, HTTP: env.Client(t, pki.RoleSede, "MILA01"), Sede: "MILA01", Local: ls, Desk: deskOn(ls), Now: clock}), ls
}

// wantLimited fails the test unless err and c's state say centrale
// limits the desk (429 push-volume, FaultLimited), with the events not
// taken still in the outbox of ls.
func wantLimited(t *testing.T, when string, err error, c *client.Client, ls *local.Store) {
	t.Helper()
	var p *wire.Problem
	if !errors.As(err, &p) || p.Type != wire.ProblemPushVolume {
		t.Fatalf("%s: %v; want 429 %s", when, err, wire.ProblemPushVolume)
	}
	pending, err := ls.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	if s := c.State(); s.Fault != client.FaultLimited || s.Pending != pending || pending != volumeMany-wire.MaxBatch {
		t.Errorf("%s: fault %v, %d pending, %d in the outbox; want centrale's limit told, %d kept", when, s.Fault, s.Pending, pending, volumeMany-wire.MaxBatch)
	}
}

// Ensure that a desk whose push centrale refused for its volume (429
// push-volume, Retry-After 400 s) sends no push before 400 s have passed
// on its clock, the caller's, however often it syncs (at once, as after
// each issue, and later), while it pulls at each sync and says centrale
// is limiting it; at 400 s the push goes, every event stored once.
// Counted at centrale: before, each of the 5 syncs sent the push again
// (7 pushes, 1 pull); now 3 pushes and 5 pulls. Run's wait after each
// refused sync (back-off 1 ms) is PullEvery, or less when the push may
// go sooner (1 s at +399 s); before, the back-off (1 ms at most). On
// both stores.
func TestRetryAfterHoldsPush(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			t0 := testclock.Now()
			env, f, clock, set := volumeCentrale(t, st.open(t), t0)
			c, ls := limitedDesk(t, env, f, 0, clock)

			err := c.Sync(ctx)
			wantLimited(t, "first sync", err, c, ls)
			if n := f.count(routePush); n != 2 {
				t.Fatalf("first sync: %d pushes received, want 2 (one taken, one refused)", n)
			}
			// Run syncs again in PullEvery (30 s), not at its back-off.
			if w := c.WaitAfter(err, time.Millisecond); w != 30*time.Second {
				t.Errorf("Run's wait after the refusal, back-off 1 ms: %s, want PullEvery's 30s", w)
			}
			pulls := f.count(routePull)
			for _, at := range []time.Duration{0, time.Second, volumeWait / 2, volumeWait - time.Second} {
				set(t0.Add(at))
				err := c.Sync(ctx)
				wantLimited(t, "sync at +"+at.String(), err, c, ls)
				if n := f.count(routePush); n != 2 {
					t.Errorf("sync at +%s, before Retry-After's %s: %d pushes received, want still 2", at, volumeWait, n)
				}
				if n := f.count(routePull); n != pulls+1 {
					t.Errorf("sync at +%s: %d pulls received, want %d: pulls go on", at, n, pulls+1)
				}
				pulls = f.count(routePull)
				// Run syncs again when the push may go, if before PullEvery.
				if w, want := c.WaitAfter(err, time.Millisecond), min(volumeWait-at, 30*time.Second); w != want {
					t.Errorf("Run's wait at +%s, back-off 1 ms: %s, want %s", at, w, want)
				}
			}

			set(t0.Add(volumeWait))
			if err := c.Sync(ctx); err != nil {
				t.Fatalf("sync at Retry-After's +%s: %v", volumeWait, err)
			}
			if n := f.count(routePush); n != 3 {
				t.Errorf("sync at +%s: %d pushes received, want 3", volumeWait, n)
			}
			if s := c.State(); s.Fault != client.FaultNone || s.Pending != 0 {
				t.Errorf("sync at +%s: fault %v, %d pending; want the outbox gone", volumeWait, s.Fault, s.Pending)
			}
			if n, err := env.Store.Events(ctx); err != nil || n != volumeMany {
				t.Errorf("centrale holds %d events (%v), want %d: each once, none lost", n, err, volumeMany)
			}
		})
	}
}

// Ensure that a clerk's sync now (SyncNow) while centrale holds the
// desk's pushes back (429 push-volume, Retry-After 400 s) asks Run for
// no sync and returns until when, which the state says too; at that
// time it asks for one, and the push goes. Before, there was no such
// call, and the state told no time.
func TestSyncNowHeld(t *testing.T) {
	ctx := context.Background()
	t0 := testclock.Now()
	env, f, clock, set := volumeCentrale(t, stores[0].open(t), t0)
	c, ls := limitedDesk(t, env, f, 0, clock)
	err := c.Sync(ctx)
	wantLimited(t, "first sync", err, c, ls)
	until := t0.Add(volumeWait)
	if s := c.State(); !s.PushHeldUntil.Equal(until) || !s.PullHeldUntil.IsZero() {
		t.Errorf("state: pushes held until %v, pulls until %v; want %v and none", s.PushHeldUntil, s.PullHeldUntil, until)
	}

	set(until.Add(-time.Second))
	if got, held := c.SyncNow(); !got.Equal(until) || !held {
		t.Errorf("SyncNow 1 s before Retry-After's end: %v (held by centrale %t), want %v, held", got, held, until)
	}
	if c.Notified() {
		t.Error("SyncNow asked a sync while the pushes are held back")
	}

	set(until)
	if got, _ := c.SyncNow(); !got.IsZero() {
		t.Errorf("SyncNow at Retry-After's end: held until %v, want nothing held", got)
	}
	if !c.Notified() {
		t.Error("SyncNow at Retry-After's end asked no sync")
	}
	if err := c.Sync(ctx); err != nil {
		t.Fatalf("the sync asked: %v", err)
	}
	if s := c.State(); !s.PushHeldUntil.IsZero() || s.Pending != 0 || f.count(routePush) != 3 {
		t.Errorf("after the sync asked: held until %v, %d pending, %d pushes; want none held, the outbox gone in 3", s.PushHeldUntil, s.Pending, f.count(routePush))
	}
}

// Ensure that a Retry-After that says nothing usable is no hold (none,
// garbage, negative: the next sync pushes again, as before), that an
// absurd one holds an hour at most (ten years: no push at 59 min 59 s,
// the push at an hour), and that an HTTP date holds until that date
// taken against the answer's Date. Centrale's answers to the refused
// pushes rewritten on their way. Before: ten years and the date held
// nothing (a push at each sync).
func TestRetryAfterBadValues(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			t0 := testclock.Now()
			env, f, clock, set := volumeCentrale(t, st.open(t), t0)
			for i, tc := range []struct {
				name  string
				value func(now time.Time) string // "": none
				// held is how long the desk holds its push back; 0:
				// not at all.
				held time.Duration
			}{
				{"none", func(time.Time) string { return "" }, 0},
				{"garbage", func(time.Time) string { return "soon" }, 0},
				{"negative", func(time.Time) string { return "-5" }, 0},
				{"ten years", func(time.Time) string { return "315360000" }, time.Hour},
				{"beyond any integer", func(time.Time) string { return "99999999999999999999999" }, time.Hour},
				{"HTTP date", func(now time.Time) string { return now.Add(volumeWait).UTC().Format(http.TimeFormat) }, volumeWait},
			} {
				t.Run(tc.name, func(t *testing.T) {
					start := t0.Add(time.Duration(i) * 2 * time.Hour) // each desk's bucket full, its clock its own
					set(start)
					rw := func(h http.Header, status int) {
						if status != http.StatusTooManyRequests {
							return
						}
						h.Set("Date", clock().UTC().Format(http.TimeFormat))
						h.Del("Retry-After")
						if v := tc.value(clock()); v != "" {
							h.Set("Retry-After", v)
						}
					}
					f.rewrite.Store(&rw)
					t.Cleanup(func() { f.rewrite.Store(nil) })
					c, ls := limitedDesk(t, env, f, 10*volumeMany*(i+1), clock)
					pushes := f.count(routePush)
					wantLimited(t, "first sync", c.Sync(ctx), c, ls)
					if tc.held == 0 {
						wantLimited(t, "sync again", c.Sync(ctx), c, ls)
						if n := f.count(routePush) - pushes; n != 3 {
							t.Errorf("no usable Retry-After: %d pushes received in two syncs, want 3: the refused one sent again", n)
						}
						return
					}
					set(start.Add(tc.held - time.Second))
					wantLimited(t, "sync before the hold ends", c.Sync(ctx), c, ls)
					if n := f.count(routePush) - pushes; n != 2 {
						t.Errorf("sync at +%s: %d pushes received, want 2: held back %s", tc.held-time.Second, n, tc.held)
					}
					set(start.Add(tc.held))
					if err := c.Sync(ctx); err != nil {
						t.Fatalf("sync at +%s: %v", tc.held, err)
					}
					if s := c.State(); s.Fault != client.FaultNone || s.Pending != 0 {
						t.Errorf("sync at +%s: fault %v, %d pending; want the outbox gone", tc.held, s.Fault, s.Pending)
					}
				})
			}
		})
	}
}

// Ensure that a desk whose pull centrale refused (429: its certificate
// has its pulls in hand, here 1, Retry-After 2 s) sends no pull before
// 2 s have passed on its clock, while its pushes go on; at 2 s it pulls.
// The pull in hand is one of the desk's certificate whose answer its
// reader holds back. Counted at centrale: before, the sync at +1 s
// pulled again (3 pulls, refused again); now 2, and the push. On both
// stores.
func TestRetryAfterHoldsPull(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			t0 := testclock.Now()
			env, f, clock, set := volumeCentrale(t, st.open(t), t0)
			env.Server.SetPullLimits(server.PullLimits{PerCert: 1})
			ls, _, _ := newLocal(t)
			hc := env.Client(t, pki.RoleSede, "MILA01")
			c := client.New(client.Config{URL: f.url, HTTP: hc, Sede: "MILA01", Local: ls, Desk: deskOn(ls), Now: clock})

			f.stalled, f.release = make(chan struct{}), make(chan struct{})
			req, err := http.NewRequest(http.MethodGet, f.url+"/v1/changes?after=0", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(stallHeader, "1")
			inHand := make(chan error, 1)
			go func() {
				resp, err := hc.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				inHand <- err
			}()
			<-f.stalled // admitted, its answer under way
			released := false
			release := func() {
				if !released {
					released = true
					close(f.release)
					if err := <-inHand; err != nil {
						t.Errorf("the pull in hand: %v", err)
					}
				}
			}
			defer release()

			enqueue(t, ls, "MILA01", 0, 1)
			err = c.Sync(ctx)
			var p *wire.Problem
			if !errors.As(err, &p) || p.Status != http.StatusTooManyRequests {
				t.Fatalf("sync with a pull in hand: %v; want 429", err)
			}
			if n, m := f.count(routePush), f.count(routePull); n != 1 || m != 2 {
				t.Fatalf("first sync: %d pushes, %d pulls received; want 1 and 2 (the one in hand, the desk's refused)", n, m)
			}

			enqueue(t, ls, "MILA01", 1, 1)
			set(t0.Add(time.Second))
			err = c.Sync(ctx)
			if !errors.As(err, &p) || p.Status != http.StatusTooManyRequests {
				t.Errorf("sync at +1 s: %v; want the 429 of before", err)
			}
			if n, m := f.count(routePush), f.count(routePull); n != 2 || m != 2 {
				t.Errorf("sync at +1 s: %d pushes, %d pulls received; want 2 (they go on) and still 2", n, m)
			}
			if s := c.State(); s.Fault != client.FaultBusy || s.Pending != 0 {
				t.Errorf("sync at +1 s: fault %v, %d pending; want busy, none", s.Fault, s.Pending)
			}

			release()
			set(t0.Add(2 * time.Second))
			if err := c.Sync(ctx); err != nil {
				t.Fatalf("sync at +2 s: %v", err)
			}
			if m := f.count(routePull); m != 3 {
				t.Errorf("sync at +2 s: %d pulls received, want 3", m)
			}
			if n, err := env.Store.Events(ctx); err != nil || n != 2 {
				t.Errorf("centrale holds %d events (%v), want 2", n, err)
			}
		})
	}
}
