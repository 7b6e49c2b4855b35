package xtest

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// windows follows the top-level windows of a display on a connection of
// its own, from the X server's events: a window created, mapped, unmapped
// or gone (SubstructureNotify on the root; no window manager runs, so the
// programs' windows are the root's children), and a change of a window's
// properties, its title among them (PropertyChange on each child). A wait
// for a window or a title ends at the event that brings it, and costs
// nothing meanwhile: no xwininfo or xprop started again and again.
type windows struct {
	conn *xgb.Conn
	root xproto.Window
	// netWMName is _NET_WM_NAME, the title in UTF-8 that GLFW sets.
	netWMName xproto.Atom

	mu       sync.Mutex
	changed  chan struct{}          // closed, and replaced, at each event
	watched  map[xproto.Window]bool // children whose property changes are selected
	closed   bool                   // the connection closed
	closeErr error                  // the last error read, for the report
}

// watchWindows opens a connection to display and follows its windows.
func watchWindows(display string) (*windows, error) {
	quietXGB()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", display, err)
	}
	w := &windows{conn: conn, changed: make(chan struct{}), watched: map[xproto.Window]bool{}}
	w.root = xproto.Setup(conn).DefaultScreen(conn).Root
	r, err := xproto.InternAtom(conn, false, uint16(len("_NET_WM_NAME")), "_NET_WM_NAME").Reply()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("atom _NET_WM_NAME: %w", err)
	}
	w.netWMName = r.Atom
	if err := xproto.ChangeWindowAttributesChecked(conn, w.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("select the root's events: %w", err)
	}
	go w.read()
	return w, nil
}

// read wakes the waits at each event of the connection. An error (a
// window gone between its event and a request about it) wakes them too:
// they look again.
func (w *windows) read() {
	for {
		ev, err := w.conn.WaitForEvent()
		w.mu.Lock()
		if err != nil {
			w.closeErr = err
		}
		if ev == nil && err == nil {
			w.closed = true
		}
		close(w.changed)
		w.changed = make(chan struct{})
		closed := w.closed
		w.mu.Unlock()
		if closed {
			return
		}
	}
}

// close ends the connection.
func (w *windows) close() { w.conn.Close() }

// next returns the channel closed at the next event, and whether the
// connection is still open.
func (w *windows) next() (<-chan struct{}, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed, !w.closed
}

// find returns the id and the title of a viewable top-level window whose
// title starts with prefix. It selects the property changes of each
// window it meets before it reads the title, so that a title set after
// the read is an event.
func (w *windows) find(prefix string) (xproto.Window, string, bool) {
	tree, err := xproto.QueryTree(w.conn, w.root).Reply()
	if err != nil {
		return 0, "", false
	}
	for _, child := range tree.Children {
		w.mu.Lock()
		watched := w.watched[child]
		w.watched[child] = true
		w.mu.Unlock()
		if !watched {
			// Unchecked: a window gone meanwhile is an error event, which
			// only wakes the waits.
			xproto.ChangeWindowAttributes(w.conn, child, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange})
		}
		attrs, err := xproto.GetWindowAttributes(w.conn, child).Reply()
		if err != nil || attrs.MapState != xproto.MapStateViewable {
			continue
		}
		name, err := xproto.GetProperty(w.conn, false, child, w.netWMName, xproto.GetPropertyTypeAny, 0, 1<<16).Reply()
		if err != nil {
			continue
		}
		if title := string(name.Value); strings.HasPrefix(title, prefix) {
			return child, title, true
		}
	}
	return 0, "", false
}

// windowsOf returns the app's watch of its display's windows, opened at
// the first call.
func (a *App) windowsOf() (*windows, error) {
	if a.windows == nil {
		w, err := watchWindows(a.Display)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.name, err)
		}
		a.windows = w
	}
	return a.windows, nil
}

// waitWindow waits until the app has a viewable window whose title
// satisfies ok, at an event of the X server, and returns its id and
// title; it returns an error, saying what it waited for and the title
// last seen, when the app exits or the deadline of timeout passes
// (App.deadline).
func (a *App) waitWindow(timeout time.Duration, what string, ok func(title string) bool) (xproto.Window, string, error) {
	began := time.Now()
	deadline, stop := a.deadline(timeout)
	defer stop()
	w, err := a.windowsOf()
	if err != nil {
		return 0, "", err
	}
	last := "no viewable window"
	for {
		changed, open := w.next()
		if id, title, found := w.find(a.TitlePrefix); found {
			if ok(title) {
				a.waited(began, what)
				return id, title, nil
			}
			last = fmt.Sprintf("the window is %q", title)
		}
		if !open {
			return 0, "", fmt.Errorf("waiting for %s: the connection to the X server closed (%v); %s", what, w.closeErr, last)
		}
		select {
		case <-changed:
		case <-a.gone:
			return 0, "", fmt.Errorf("waiting for %s: %w; %s", what, a.Alive(), last)
		case <-deadline:
			return 0, "", fmt.Errorf("waiting for %s: %s after %v", what, last, time.Since(began).Round(time.Millisecond))
		}
	}
}
