package desk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// movedClock is a clock the test moves, read by centrale and the sync
// client on their own goroutines.
type movedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *movedClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// heldDesk is a desk of sede ROMA01 whose centrale takes wire.MaxBatch
// events of a desk in a row, then one every heldFor: its outbox holds
// one event more, which centrale refuses (429 push-volume, Retry-After
// heldFor). Centrale and the sync client read clk, in UTC, the desk its
// own clock, in CET: the same instants.
type heldDesk struct {
	*harness
	cen *centrale
	c   *client.Client
	clk *movedClock
}

// heldFor is how long centrale holds a heldDesk's pushes back.
const heldFor = 10 * time.Minute

func newHeldDesk(t *testing.T) *heldDesk {
	t.Helper()
	h := ready(t)
	clk := &movedClock{t: testNow.UTC()}
	cen := startCentraleAt(t, time.Now, clk.now)
	cen.srv.SetPushVolume(server.PushVolume{Events: wire.MaxBatch, Refill: wire.MaxBatch * heldFor})
	n, err := h.store.OutboxLen() // the set-up's events
	if err != nil {
		t.Fatal(err)
	}
	enqueueIssued(t, h, wire.MaxBatch+1-n)
	c := cen.clientAt(t, "ROMA01", h.store, clk.now)
	h.desk.Link = c
	h.app.UseSync(c, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	return &heldDesk{h, cen, c, clk}
}

// enqueueIssued puts n issues of sede ROMA01 in the desk's outbox, made
// now, of PINs hashed as centrale takes them.
func enqueueIssued(t *testing.T, h *harness, n int) {
	t.Helper()
	hash, err := pinsede.HashSecret([]byte("ACEFHJKMNPRTUVWX"), cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	err = h.store.Update(func(tx pinsede.Tx) error {
		for i := range n {
			ev := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprintf("held-e%d", i), fmt.Sprintf("held-c%d", i), hash)
			ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = h.now, h.now, pinsede.Expiry(h.now)
			if err := tx.Enqueue(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// limited syncs once and fails the test unless centrale took a push and
// refused the next for the desk's volume.
func (d *heldDesk) limited() {
	d.t.Helper()
	err := d.c.Sync(context.Background())
	var p *wire.Problem
	if !errors.As(err, &p) || p.Type != wire.ProblemPushVolume || d.cen.pushes.Load() != 2 {
		d.t.Fatalf("sync: %v after %d pushes; want 429 %s at the second", err, d.cen.pushes.Load(), wire.ProblemPushVolume)
	}
}

// Ensure that a desk centrale holds back (429 push-volume, Retry-After
// 10 minutes) does not say "in linea" on its status bar: it says, as a
// warning, that it is connected but held back until 09:40 on the desk's
// clock (centrale's answer came at 08:30 UTC, the desk's 09:30 CET),
// how many events wait, and that nothing is lost; its details say it
// whole, with what to do if it lasts (call the central service).
func TestSyncHeldBackTold(t *testing.T) {
	d := newHeldDesk(t)
	d.limited()

	until := lang.L("sync.until", map[string]any{"Time": "09:40"})
	want := lang.L("sync.held", map[string]any{"Until": until, "N": 1})
	if got := d.statusText(); got != want {
		t.Errorf("the status bar says %q, want %q", got, want)
	}
	if imp := d.app.sync.button.Importance; imp != widget.WarningImportance {
		t.Errorf("the status bar's importance %v, want a warning", imp)
	}
	test.Tap(d.app.sync.button)
	shot(t, d.harness, "sync-held")
	text := strings.Join(d.texts(), "\n")
	for _, want := range []string{
		want,
		lang.L("sync.held.note", map[string]any{"Until": until, "N": 1}),
		lang.L("sync.fault.limited"),
		lang.L("sync.status.held"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the details lack %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "10/03/2026 09:30") || strings.Contains(text, "08:30") {
		t.Errorf("the details do not tell the last contact on the desk's clock, 09:30 CET:\n%s", text)
	}
	if strings.Contains(text, lang.L("sync.status.online")+"\n") {
		t.Errorf("the details say %q", lang.L("sync.status.online"))
	}
}

// Ensure that the status bar tells each way centrale holds a desk back:
// its pushes until a time, on the desk's day or another (the day
// written), refused for now with no time given, or its pulls alone,
// its events going; each a warning.
func TestSyncHeldBackKinds(t *testing.T) {
	tomorrow := testNow.Add(15 * time.Hour).UTC() // 00:30 CET, the 11th
	at := func(t time.Time) string {
		return lang.L("sync.until", map[string]any{"Time": t.In(testNow.Location()).Format("15:04")})
	}
	for _, tc := range []struct {
		name  string
		state client.State
		want  string
	}{
		{"push", client.State{Fault: client.FaultLimited, PushHeldUntil: testNow.Add(time.Minute), PullHeldUntil: testNow.Add(time.Hour)},
			lang.L("sync.held", map[string]any{"Until": at(testNow.Add(time.Minute)), "N": 3})},
		{"push tomorrow", client.State{Fault: client.FaultBusy, PushHeldUntil: tomorrow},
			lang.L("sync.held", map[string]any{"Until": lang.L("sync.until.day", map[string]any{"Day": "11/03/2026", "Time": "00:30"}), "N": 3})},
		{"no time", client.State{Fault: client.FaultLimited}, lang.L("sync.held.nountil", map[string]any{"N": 3})},
		{"pull", client.State{Fault: client.FaultBusy, PullHeldUntil: testNow.Add(time.Minute)},
			lang.L("sync.held.pull", map[string]any{"Until": at(testNow.Add(time.Minute)), "N": 3})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := ready(t)
			tc.state.Status, tc.state.Pending, tc.state.LastSync = client.Online, 3, testNow
			h.app.UseSync(fakeSync{tc.state}, "")
			if got := h.statusText(); got != tc.want {
				t.Errorf("the status bar says %q, want %q", got, tc.want)
			}
			if imp := h.app.sync.button.Importance; imp != widget.WarningImportance {
				t.Errorf("the status bar's importance %v, want a warning", imp)
			}
		})
	}
}

// press presses and releases Space on b, reached by Tab from where the
// keyboard is (at most 40 steps), as a clerk at the keyboard does.
func (h *harness) press(b *button) {
	h.t.Helper()
	c := h.win.Canvas()
	for i := 0; c.Focused() != b; i++ {
		if i == 40 {
			h.t.Fatalf("%q not reached by Tab", b.Text)
		}
		c.FocusNext()
	}
	h.pressKey(fyne.KeySpace)
	h.releaseKey(fyne.KeySpace)
}

// Ensure that the link's details have Sincronizza ora, reached by Tab
// and pressed by Space: while centrale holds the desk's pushes back it
// sends nothing and says until when (09:40, the desk's clock); once
// that time has come, on the desk's and centrale's clocks, it syncs at
// once, though Run waits a minute (PullEvery): the event waiting goes,
// each of the 501 stored once, and the bar says in linea, nothing
// pending.
func TestSyncNowRespectsHold(t *testing.T) {
	d := newHeldDesk(t)
	d.limited()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.c.Run(ctx) }()
	t.Cleanup(func() { cancel(); uitest.Await(t, done, "the sync client's end") })

	d.statusText()
	test.Tap(d.app.sync.button)
	d.press(d.app.sync.syncNow)
	until := lang.L("sync.until", map[string]any{"Time": "09:40"})
	if got, want := d.app.sync.syncMsg.text(), lang.L("sync.now.held", map[string]any{"Until": until}); got != want {
		t.Errorf("Sincronizza ora while held back says %q, want %q", got, want)
	}
	shot(t, d.harness, "sync-now-held")
	if n := d.cen.pushes.Load(); n != 2 {
		t.Errorf("%d pushes at centrale after Sincronizza ora while held back, want still 2", n)
	}

	d.now = testNow.Add(heldFor)
	d.clk.set(d.now.UTC())
	d.press(d.app.sync.syncNow)
	if got, want := d.app.sync.syncMsg.text(), lang.L("sync.now.asked"); got != want {
		t.Errorf("Sincronizza ora once the hold ended says %q, want %q", got, want)
	}
	d.waitStatus(func() string { return lang.L("sync.online", map[string]any{"N": 0, "Last": "09:40"}) })
	if n, err := d.cen.store.Events(ctx); n != wire.MaxBatch+1 || err != nil {
		t.Errorf("centrale holds %d events (%v), want %d", n, err, wire.MaxBatch+1)
	}
	if n := d.cen.pushes.Load(); n != 3 {
		t.Errorf("%d pushes at centrale, want 3: the one refused sent again once", n)
	}
}

// Ensure that Sincronizza ora, 10 s after a sync that failed with no
// Retry-After (centrale answering 503 to everything), sends nothing and
// says when a press may go again, to the minute above 30 s after the
// attempt (09:31 on the desk's clock, it and en): the press is not a way
// round the desk's back-off. Before, it said the sync started, and each
// press was a request at a centrale in trouble.
func TestSyncNowBackoffTold(t *testing.T) {
	d := newHeldDesk(t)
	d.cen.down.Store(true)
	if err := d.c.Sync(context.Background()); err == nil {
		t.Fatal("the sync of a centrale answering 503 did not fail")
	}
	d.now = testNow.Add(10 * time.Second)
	d.clk.set(d.now.UTC())
	d.statusText()
	test.Tap(d.app.sync.button)
	d.press(d.app.sync.syncNow)
	until := lang.L("sync.until", map[string]any{"Time": "09:31"})
	if got, want := d.app.sync.syncMsg.text(), lang.L("sync.now.backoff", map[string]any{"Until": until}); got != want {
		t.Errorf("Sincronizza ora 10 s after a failed sync says %q, want %q", got, want)
	}
}
