package kiosk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// heldSink is the harness's memorySink behind a gate: each request it is
// offered is told on arrived, then held until the test closes release (or
// the kiosk's context ends: the sink's timeout), then handed to the
// memorySink, which takes or refuses it.
type heldSink struct {
	*memorySink
	arrived chan Submission
	release chan struct{}
}

func newHeldSink() heldSink {
	return heldSink{memorySink: &memorySink{}, arrived: make(chan Submission, 8), release: make(chan struct{})}
}

func (s heldSink) Submit(ctx context.Context, sub Submission) error {
	s.arrived <- sub
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.memorySink.Submit(ctx, sub)
}

// holdSend fills in the request of rossi in the wizard started, with h's
// sink held, confirms it, and returns once the sink holds it: the send runs off the
// test goroutine, which is the UI goroutine.
func (h *harness) holdSend() heldSink {
	h.t.Helper()
	sink := newHeldSink()
	h.app.cfg.Sink = sink
	h.fill(rossi)
	h.tapText(tr("nav.confirm"))
	<-sink.arrived
	return sink
}

// Ensure that the kiosk does not freeze while it sends a request: the
// confirmation returns at once, with the sink still holding the request
// (the sink was called on the UI goroutine, which waited up to 10 s for
// centrale, no key, touch, redraw nor idle check meanwhile); the review
// says, in the citizen's language, that the request is being sent, and
// takes no more input, so that a second Enter, or a tap and Enter, sends
// nothing more; a key, a new text size and the idle timer are handled
// meanwhile; and once the sink takes the request, the ticket prints and
// the last screen shows, as before.
func TestSendKeepsKioskResponsive(t *testing.T) {
	h := newHarness(t)
	h.app.audio = true
	h.startWizard("de")
	sink := h.holdSend()
	confirm := h.findButton(tr("nav.confirm"))
	if h.app.Screen() != "review" || confirm == nil || !confirm.Disabled() {
		t.Fatalf("screen %s, confirm %v: want the review with its confirmation disabled", h.app.Screen(), confirm)
	}
	sending := tr("review.sending")
	if !strings.HasPrefix(sending, "Ihre Anfrage wird gesendet") || !strings.Contains(h.texts(), sending) {
		t.Fatalf("the review does not say in German that the request is being sent (%q):\n%s", sending, h.texts())
	}
	if said := h.speaker.said; len(said) == 0 || !strings.HasSuffix(said[len(said)-1], sending) {
		t.Errorf("read aloud last: %v, want %q", said, sending)
	}
	h.shot("06-review-sending-de")
	// Enter on the focused confirmation, and a tap: nothing more is sent.
	confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	test.Tap(confirm)
	for _, label := range []string{tr("review.edit"), tr("nav.back"), tr("nav.cancel")} {
		b := h.findButton(label)
		if b == nil || !b.Disabled() {
			t.Errorf("while sending, %q takes input", label)
		}
	}
	// A key, a larger text and the idle timer are handled meanwhile.
	h.now = h.now.Add(DefaultIdle - DefaultWarn)
	test.Tap(h.app.largerButton)
	if h.app.scale != defaultScale+1 {
		t.Errorf("A+ while sending: scale %d", h.app.scale)
	}
	if b := h.findButton(tr("nav.confirm")); b == nil || !b.Disabled() || !strings.Contains(h.texts(), sending) {
		t.Errorf("the review built again at A+ while sending takes input or does not say it sends:\n%s", h.texts())
	}
	h.now = h.now.Add(DefaultIdle - DefaultWarn)
	h.app.CheckIdle()
	if !h.app.warned {
		t.Errorf("the idle check while sending did not warn")
	}
	h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Weiter
	if h.app.warned || h.app.Screen() != "review" {
		t.Errorf("Enter on the warning while sending: warned %v, screen %s", h.app.warned, h.app.Screen())
	}
	close(sink.release)
	h.wait()
	if n := len(sink.arrived); n != 0 {
		t.Errorf("the request was offered %d more times", n)
	}
	got := sink.received()
	if len(got) != 1 || got[0].Ticket.Pending || got[0].Ticket.Number != "K001" {
		t.Fatalf("the sink received %+v, want K001 once", got)
	}
	if h.app.Screen() != "done" || !strings.Contains(h.texts(), "K001") || strings.Contains(h.texts(), tr("done.pending")) {
		t.Errorf("screen %s after the send, want the ticket K001 delivered:\n%s", h.app.Screen(), h.texts())
	}
	if len(h.printed()) != 1 {
		t.Errorf("printed %d tickets, want 1", len(h.printed()))
	}
}

// Ensure that a session wiped while its request is being sent (the idle
// timer, as on a kiosk left after confirming) shows its ticket to no one:
// the languages come back at once with nothing typed on them, the next
// citizen's screen stays theirs when the send ends, and no ticket prints
// (it would hand them the code of another's request). The request is not
// lost: taken by the sink, or, refused, waiting at the kiosk, and then
// delivered once.
func TestWipeWhileSending(t *testing.T) {
	for _, refused := range []bool{false, true} {
		h := newHarness(t)
		h.startWizard("it")
		sink := h.holdSend()
		h.now = h.now.Add(DefaultIdle)
		h.app.CheckIdle()
		if h.app.Screen() != "languages" || h.app.session != nil {
			t.Fatalf("refused %v: screen %s after the idle time while sending, want the languages", refused, h.app.Screen())
		}
		if txt := h.texts(); strings.Contains(txt, rossi.cognome) || strings.Contains(txt, "K001") {
			t.Errorf("refused %v: the languages show the last citizen's data:\n%s", refused, txt)
		}
		h.startWizard("en") // the next citizen
		if refused {
			sink.fail = errSinkDown
		}
		close(sink.release)
		h.wait()
		if got := h.app.Screen(); got != "question:cognome" || strings.Contains(h.texts(), "K001") {
			t.Errorf("refused %v: the next citizen sees %s:\n%s", refused, got, h.texts())
		}
		if len(h.printed()) != 0 {
			t.Errorf("refused %v: %d tickets printed for a citizen who left", refused, len(h.printed()))
		}
		if refused {
			if h.app.Waiting() != 1 || len(sink.received()) != 0 {
				t.Fatalf("refused: %d waiting, received %d; want 1 waiting", h.app.Waiting(), len(sink.received()))
			}
			sink.fail = nil
			h.app.RetryWaiting(context.Background())
			h.app.RetryWaiting(context.Background())
			if n := len(sink.arrived); n != 1 {
				t.Errorf("refused: the retries offered the request %d times, want once", n)
			}
		}
		if got := sink.received(); len(got) != 1 || got[0].Ticket.Number != "K001" || got[0].Ticket.Pending != refused || h.app.Waiting() != 0 {
			t.Errorf("refused %v: the sink received %+v, %d waiting; want K001 once", refused, got, h.app.Waiting())
		}
	}
}

// Ensure that the review's message that the request is being sent shows
// whole, in view, over the confirmation it disabled, on the low screens
// the kiosk is laid out for, in every language at every text size.
func TestSendingInView(t *testing.T) {
	layoutOnce(t)
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, l Language, scale int) {
		sink := h.holdSend()
		var msg fyne.CanvasObject
		walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == tr("review.sending") {
				msg = l
			}
		})
		for _, size := range kioskScreens[:2] {
			h.win.Resize(size)
			uitest.Settle(h.win)
			where := fmt.Sprintf("sending at %v", size)
			// The window pads its content.
			if m := h.win.Content().MinSize().Add(size.Subtract(h.win.Content().Size())); m.Width > size.Width || m.Height > size.Height {
				t.Errorf("%s: the review asks for a window %v", where, m)
			}
			h.assertInView(where, map[string]fyne.CanvasObject{"the message": msg, "the confirmation": h.findButton(tr("nav.confirm"))})
			if msg != nil && msg.Size().Height < msg.MinSize().Height {
				t.Errorf("%s: the message is cut: %v of %v", where, msg.Size(), msg.MinSize())
			}
			if l.Code == "ro" && scale == len(textScales)-1 && size == kioskScreens[1] {
				h.shot("06-review-sending-ro-largest-1024")
			}
		}
		close(sink.release)
		h.wait()
	})
}

// deadlineSink takes every request, and tells on its channel the deadline
// of the context each was offered in.
type deadlineSink chan time.Time

func (s deadlineSink) Submit(ctx context.Context, _ Submission) error {
	dl, _ := ctx.Deadline()
	s <- dl
	return nil
}

// Ensure that the kiosk gives its sink as long as Config.SendWait says,
// DefaultSendWait when not set: chiosco sets it from -centrale-timeout
// (SendWaitFor), so that a post given longer on a slow link is not cut
// short by the kiosk. The send was bounded by 10 s whatever the client's
// timeout.
func TestSendWait(t *testing.T) {
	for _, c := range []struct {
		set, want time.Duration
	}{
		{0, DefaultSendWait},
		{SendWaitFor(kioskpost.DefaultTimeout), DefaultSendWait},
		{SendWaitFor(kioskpost.MaxTimeout), 2*kioskpost.MaxTimeout + 2*time.Second},
	} {
		h := newHarness(t)
		if c.set != 0 {
			h.app.cfg.SendWait = c.set
		}
		sink := make(deadlineSink, 1)
		h.app.cfg.Sink = sink
		h.startWizard("it")
		h.fill(rossi)
		before := time.Now()
		h.tapText(tr("nav.confirm"))
		dl := <-sink
		after := time.Now()
		h.wait()
		if dl.Before(before.Add(c.want)) || dl.After(after.Add(c.want)) {
			t.Errorf("SendWait %v: the sink's deadline is %v after the confirmation, want %v", c.set, dl.Sub(before), c.want)
		}
		if h.app.Screen() != "done" {
			t.Errorf("SendWait %v: screen %s after the send, want done", c.set, h.app.Screen())
		}
	}
}

// Ensure that CheckSendWait refuses a send that could outlast the time
// before the idle warning and names the longest post that fits: that one
// is taken, a second more is not, for the default -idle and others. A
// send of 2 min (chiosco -centrale-timeout 1m) was accepted with -idle
// 60s: the citizen waiting for their ticket was warned at 50 s and wiped
// at 60.
func TestCheckSendWait(t *testing.T) {
	for _, idle := range []time.Duration{DefaultIdle, 90 * time.Second, 5 * time.Minute, 25 * time.Second, 20 * time.Second} {
		if err := CheckSendWait(time.Minute, SendWaitFor(time.Minute), idle, DefaultWarn); idle < 3*time.Minute && err == nil {
			t.Errorf("-idle %v: a post of 1m (a send of %v) taken", idle, SendWaitFor(time.Minute))
		}
		var most time.Duration
		for post := time.Second; post <= 10*time.Minute; post += time.Second {
			if CheckSendWait(post, SendWaitFor(post), idle, DefaultWarn) == nil {
				most = post
			}
		}
		err := CheckSendWait(most+time.Second, SendWaitFor(most+time.Second), idle, DefaultWarn)
		if most == 0 { // even the shortest send outlasts it
			if want := "want -idle longer than " + (SendWaitFor(time.Second) + DefaultWarn).String(); err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("-idle %v: no post fits; a post of 1s: %v, want %q", idle, err, want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "want at most "+most.String()+",") {
			t.Errorf("-idle %v: the longest post taken is %v; a second more: %v, want an error naming %v", idle, most, err, most)
		}
		if SendWaitFor(most) >= idle-DefaultWarn {
			t.Errorf("-idle %v: a post of %v (a send of %v) taken, past the warning at %v", idle, most, SendWaitFor(most), idle-DefaultWarn)
		}
	}
}

// stuckSink takes no request: each Submit is told on arrived and then
// waits, whatever its context, until release closes, as a write to a
// share whose server is gone waits in a system call no context ends.
type stuckSink struct {
	arrived chan Submission
	release chan struct{}
}

func (s stuckSink) Submit(_ context.Context, sub Submission) error {
	s.arrived <- sub
	<-s.release
	return errSinkDown
}

// Ensure that a send whose sink never answers ends within SendWait all
// the same (a spool-only kiosk's confirmation waited on the hung write
// past its limit, for ever): the last screen shows, telling the citizen
// in their language to show the ticket at the desk; the request waits at
// the kiosk; the next citizen's send, the calls to the sink still hung,
// waits for no new one; and the idle time wipes the screen.
func TestSendBoundedWhenSinkHangs(t *testing.T) {
	sink := stuckSink{arrived: make(chan Submission, 8), release: make(chan struct{})}
	h := newHarnessWith(t, func(c *Config) {
		c.Sink = sink
		c.SendWait = time.Millisecond // the kiosk's own bound, the event waited on
	})
	t.Cleanup(func() { close(sink.release) })
	for i, lang := range []string{"de", "it", "ro"} {
		h.startWizard(lang)
		h.fill(rossi)
		h.confirm() // on main: waited for ever
		if h.app.Screen() != "done" || !strings.Contains(h.texts(), tr("done.pending")) {
			t.Fatalf("%s: screen %s after a send that never ends, want the last screen saying the request waits:\n%s", lang, h.app.Screen(), h.texts())
		}
		if h.app.Waiting() != i+1 {
			t.Errorf("%s: %d requests wait at the kiosk, want %d", lang, h.app.Waiting(), i+1)
		}
		h.now = h.now.Add(DefaultIdle)
		h.app.CheckIdle()
		if h.app.Screen() != "languages" || strings.Contains(h.texts(), rossi.cognome) {
			t.Fatalf("%s: screen %s after the idle time", lang, h.app.Screen())
		}
	}
	if n := len(sink.arrived); n != maxOffers {
		t.Errorf("the sink was called %d times, want %d: no more once its calls hang", n, maxOffers)
	}
}
