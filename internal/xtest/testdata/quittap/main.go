// Command quittap is a Fyne window filled by an entry, which a click
// focuses only once Fyne's double tap delay has passed without a second
// click: the driver waits for it on a goroutine of its own. It sets its
// title to "quittap released" when the button is released on the entry,
// and writes "quittap: stopped" from the app's OnStopped and "quittap:
// tapped" when the entry is tapped; once ShowAndRun has returned it runs
// on for twice the delay after the release, as the desk does while it
// closes its store and ends its sync, and writes "quittap: ended".
// xtest's tests click it and send SIGTERM at once: a tap that comes after
// the app stopped must not be delivered, off the main goroutine, to
// widgets being torn down.
package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
)

// entry is an entry that tells when the mouse button is released on it
// and when it is tapped.
type entry struct {
	widget.Entry
	win      fyne.Window
	released atomic.Int64 // when the button was last released, in Unix ns
}

func newEntry(win fyne.Window) *entry {
	e := &entry{win: win}
	e.ExtendBaseWidget(e)
	return e
}

// MouseUp is the entry's, then the title says so.
func (e *entry) MouseUp(ev *desktop.MouseEvent) {
	e.Entry.MouseUp(ev)
	e.released.Store(time.Now().UnixNano())
	e.win.SetTitle("quittap released")
}

// Tapped writes that it came, then is the entry's.
func (e *entry) Tapped(ev *fyne.PointEvent) {
	fmt.Println("quittap: tapped")
	e.Entry.Tapped(ev)
}

func main() {
	a := app.NewWithID("it.inps.pinsede.quittap")
	w := a.NewWindow("quittap")
	e := newEntry(w)
	w.SetContent(e)
	w.Resize(fyne.NewSize(200, 100))
	a.Lifecycle().SetOnStopped(func() { fmt.Println("quittap: stopped") })
	w.ShowAndRun()
	if up := e.released.Load(); up != 0 {
		time.Sleep(time.Until(time.Unix(0, up).Add(2 * a.Driver().DoubleTapDelay())))
	}
	fmt.Println("quittap: ended")
}
