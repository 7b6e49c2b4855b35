package xtest

import (
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/xproto"
)

// painter knows when the app has drawn a frame of everything it was sent,
// from events of the X server on one connection of its own, so in the
// server's order:
//
//   - the window manager's ping (_NET_WM_PING, ICCCM/EWMH), which GLFW
//     answers from its event loop, on the app's main thread, after the
//     events queued before it: key presses sent earlier (xdotool syncs
//     with the server before it exits) are handled when the answer comes;
//   - an Expose event sent to the window, which makes Fyne's canvas dirty
//     (GLFW's refresh callback), so that a frame is drawn even when the
//     keys changed nothing;
//   - the DAMAGE extension, which reports each drawing into the window:
//     Mesa's software GL puts each frame into it as an image.
//
// A frame drawn after the first answer shows the keys; a second ping,
// answered once that frame is put, means the server has it all.
type painter struct {
	conn       *xgb.Conn
	win, root  xproto.Window
	protocols  xproto.Atom // WM_PROTOCOLS
	ping       xproto.Atom // _NET_WM_PING
	mu         sync.Mutex
	changed    chan struct{}     // closed, and replaced, at each event
	damages    uint64            // drawings into the window so far
	pongs      map[uint32]uint64 // a ping's token: damages when it came back
	token      uint32
	readErr    error
	readerDone bool
}

// newPainter opens its own connection to display and watches the window
// win.
func newPainter(display string, win xproto.Window) (*painter, error) {
	quietXGB()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", display, err)
	}
	p := &painter{conn: conn, win: win, pongs: map[uint32]uint64{}, changed: make(chan struct{})}
	if err := p.setUp(); err != nil {
		conn.Close()
		return nil, err
	}
	go p.read()
	return p, nil
}

// quietXGB silences xgb's logger, once for the process: xgb logs to
// standard error (a missing ~/.Xauthority, the closed connection at the
// app's exit), and its errors come back as values. Once, because the
// readers of the connections already open (the painters of X tests
// running in parallel) read the logger.
var quietXGB = sync.OnceFunc(func() { xgb.Logger = log.New(io.Discard, "", 0) })

// damageTables is xgb's set-up of the DAMAGE extension for the whole
// process: damage.Init fills xgb's global tables of event and error
// constructors at each connection, while the readers of the other
// connections (an app's painter still open as the next app starts) read
// them, a data race. They are filled once, and each later connection
// only learns the extension's opcode.
var damageTables struct {
	once       sync.Once
	err        error
	firstEvent uint8 // the extension's first event number
}

// initDamage sets up the DAMAGE extension on c, as damage.Init does,
// filling xgb's global tables once.
func initDamage(c *xgb.Conn) error {
	reply, err := xproto.QueryExtension(c, uint16(len("DAMAGE")), "DAMAGE").Reply()
	if err != nil {
		return err
	}
	if !reply.Present {
		return errors.New("the X server has no DAMAGE extension")
	}
	damageTables.once.Do(func() {
		damageTables.err = damage.Init(c)
		damageTables.firstEvent = reply.FirstEvent
	})
	if damageTables.err != nil {
		return damageTables.err
	}
	if reply.FirstEvent != damageTables.firstEvent {
		return fmt.Errorf("its events start at %d on this X server, at %d on the first: xgb's tables hold one", reply.FirstEvent, damageTables.firstEvent)
	}
	c.ExtLock.Lock()
	c.Extensions["DAMAGE"] = reply.MajorOpcode
	c.ExtLock.Unlock()
	return nil
}

// setUp finds the atoms, selects the pings' answers on the root window
// and creates the window's damage object.
func (p *painter) setUp() error {
	if err := initDamage(p.conn); err != nil {
		return fmt.Errorf("DAMAGE extension: %w", err)
	}
	if _, err := damage.QueryVersion(p.conn, 1, 1).Reply(); err != nil {
		return fmt.Errorf("DAMAGE version: %w", err)
	}
	p.root = xproto.Setup(p.conn).DefaultScreen(p.conn).Root
	for name, atom := range map[string]*xproto.Atom{"WM_PROTOCOLS": &p.protocols, "_NET_WM_PING": &p.ping} {
		r, err := xproto.InternAtom(p.conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			return fmt.Errorf("atom %s: %w", name, err)
		}
		*atom = r.Atom
	}
	// SubstructureNotify on the root is where GLFW sends its answers; no
	// window manager runs, and other clients may select it too.
	if err := xproto.ChangeWindowAttributesChecked(p.conn, p.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		return fmt.Errorf("select the root's events: %w", err)
	}
	id, err := damage.NewDamageId(p.conn)
	if err != nil {
		return fmt.Errorf("damage id: %w", err)
	}
	// Raw rectangles: an event for every drawing, with no state to reset
	// (NonEmpty reports once until a Subtract, which would race a frame).
	if err := damage.CreateChecked(p.conn, id, xproto.Drawable(p.win), damage.ReportLevelRawRectangles).Check(); err != nil {
		return fmt.Errorf("damage of window %#x: %w", p.win, err)
	}
	return nil
}

// read takes the connection's events in the server's order.
func (p *painter) read() {
	for {
		ev, err := p.conn.WaitForEvent()
		p.mu.Lock()
		switch e := ev.(type) {
		case damage.NotifyEvent:
			p.damages++
		case xproto.ClientMessageEvent:
			if e.Type == p.protocols && e.Format == 32 && xproto.Atom(e.Data.Data32[0]) == p.ping {
				p.pongs[e.Data.Data32[1]] = p.damages
			}
		}
		if err != nil && p.readErr == nil {
			p.readErr = err
		}
		closed := ev == nil && err == nil
		p.readerDone = closed
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if closed {
			return
		}
	}
}

// close ends the connection.
func (p *painter) close() { p.conn.Close() }

// pingWait sends a ping and waits for its answer: the app has handled
// every event queued before it. It returns the drawings counted then.
func (p *painter) pingWait(a *App, deadline <-chan time.Time) (uint64, error) {
	p.mu.Lock()
	p.token++
	token := p.token
	p.mu.Unlock()
	ev := xproto.ClientMessageEvent{
		Format: 32, Window: p.win, Type: p.protocols,
		// Data32[1] is the timestamp in the protocol; GLFW sends the
		// event back as it came, so it carries the token.
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(p.ping), token, uint32(p.win), 0, 0}),
	}
	if err := xproto.SendEventChecked(p.conn, false, p.win, xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
		return 0, fmt.Errorf("ping the window: %w", err)
	}
	var at uint64
	err := p.wait(a, deadline, "the answer to a ping", func() bool {
		d, ok := p.pongs[token]
		if ok {
			at = d
			delete(p.pongs, token)
		}
		return ok
	})
	return at, err
}

// expose asks the app to draw its window again.
func (p *painter) expose() error {
	ev := xproto.ExposeEvent{Window: p.win, Width: 1, Height: 1}
	if err := xproto.SendEventChecked(p.conn, false, p.win, xproto.EventMaskExposure, string(ev.Bytes())).Check(); err != nil {
		return fmt.Errorf("expose the window: %w", err)
	}
	return nil
}

// wait waits until done reports true (called with p.mu held), at an
// event of the connection; it returns an error, saying what it waited
// for, when the app exits or deadline receives.
func (p *painter) wait(a *App, deadline <-chan time.Time, what string, done func() bool) error {
	for {
		p.mu.Lock()
		ok, closed, changed, readErr := done(), p.readerDone, p.changed, p.readErr
		p.mu.Unlock()
		switch {
		case ok:
			return nil
		case closed:
			return fmt.Errorf("waiting for %s: the connection to the X server closed (%v)", what, readErr)
		}
		select {
		case <-changed:
		case <-a.gone:
			return fmt.Errorf("waiting for %s: %w", what, a.Alive())
		case <-deadline:
			return fmt.Errorf("waiting for %s: its bound passed (the timeout given, or go test's -timeout less %v)", what, DeadlineGrace)
		}
	}
}

// drawings returns how many drawings into the window the connection has
// read so far.
func (p *painter) drawings() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.damages
}

// painted waits until the app has drawn, and the server holds, a frame of
// everything sent to it before the call: a ping answered (the events
// before it handled), the window exposed, a drawing after the answer,
// and a second ping answered (that frame put whole).
func (p *painter) painted(a *App, deadline <-chan time.Time) error {
	at, err := p.pingWait(a, deadline)
	if err != nil {
		return err
	}
	if err := p.expose(); err != nil {
		return err
	}
	if err := p.wait(a, deadline, "a frame drawn", func() bool { return p.damages > at }); err != nil {
		return err
	}
	_, err = p.pingWait(a, deadline)
	return err
}

// painterOf returns the app's painter, made at the first call, on its
// viewable window.
func (a *App) painterOf() (*painter, error) {
	if a.painter != nil {
		return a.painter, nil
	}
	w, err := a.windowsOf()
	if err != nil {
		return nil, err
	}
	id, _, ok := w.find(a.TitlePrefix)
	if !ok {
		return nil, fmt.Errorf("%s: no viewable window", a.name)
	}
	p, err := newPainter(a.Display, id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	a.painter = p
	return p, nil
}

// Painted waits until the app has handled every event sent to it so far
// (keys included) and drawn a frame of them, which the X server holds: a
// screenshot then shows their effect. It returns an error when the app
// exits, or after timeout (UntilDeadline: at the test's Deadline). Every
// wait for "the frame of the keys sent so far" goes through it: an event
// of the app, not a pause.
func (a *App) Painted(timeout time.Duration) error {
	p, err := a.painterOf()
	if err != nil {
		return err
	}
	began := time.Now()
	deadline, stop := a.deadline(timeout)
	defer stop()
	if err := p.painted(a, deadline); err != nil {
		return fmt.Errorf("%s: %w (waited %v)", a.name, err, time.Since(began).Round(time.Millisecond))
	}
	a.waited(began, "the frame of the events sent")
	return nil
}

// WaitDrawn calls look now and again after each drawing of the app into
// its window, until it reports true: a wait for what the app will draw
// by itself (a screen after the keys, a tip after its delay), at the X
// server's events. It returns look's error, or an error saying what it
// waited for when the app exits or after timeout (UntilDeadline: at the
// test's Deadline).
//
// Each look comes after a ping answered, which the app answers once the
// drawings so far are put whole (a ping draws nothing): a drawing's
// damage came, now and then, before the server held the frame, the look
// saw the frame before, and when no drawing followed the wait failed on
// a screen right by then (TestHiddenLongerThanCache, 1 run of 5).
func (a *App) WaitDrawn(timeout time.Duration, what string, look func() (bool, error)) error {
	p, err := a.painterOf()
	if err != nil {
		return err
	}
	deadline, stop := a.deadline(timeout)
	defer stop()
	began := time.Now()
	for {
		// Counted before the look: a drawing during it wakes the wait.
		seen := p.drawings()
		if _, err := p.pingWait(a, deadline); err != nil {
			return fmt.Errorf("%s: %w (waited %v)", a.name, err, time.Since(began).Round(time.Millisecond))
		}
		if ok, err := look(); ok || err != nil {
			if ok {
				a.waited(began, what)
			}
			return err
		}
		if err := p.wait(a, deadline, what, func() bool { return p.damages > seen }); err != nil {
			return fmt.Errorf("%s: %w (waited %v)", a.name, err, time.Since(began).Round(time.Millisecond))
		}
	}
}
