// Command prefsave is a Fyne window with an app ID that changes its
// preferences again and again: Fyne saves them at a change, then at most
// once each 100 ms while they keep changing, and at the exit, as it saves
// the desk's at each exit. xtest's TestPreferencesWrittenWhole reads the
// file at each change the kernel reports of it, as Fyne's own watch of
// the file does.
package main

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
)

// pause paces the changes: Fyne saves only some of them, and the main
// thread is not kept busy by them alone.
const pause = 2 * time.Millisecond

func main() {
	a := app.NewWithID("it.inps.pinsede.prefsave")
	w := a.NewWindow("prefsave")
	w.SetContent(widget.NewLabel("prefsave"))
	w.Resize(fyne.NewSize(200, 100))
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			for n := 1; ; n++ {
				fyne.DoAndWait(func() { a.Preferences().SetInt("n", n) })
				time.Sleep(pause)
			}
		}()
		w.SetTitle("prefsave saving")
	})
	w.ShowAndRun()
}
