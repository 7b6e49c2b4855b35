// Command quitrace is a Fyne window whose goroutines keep sending
// functions to the main thread (fyne.Do, fyne.DoAndWait), as the desk's
// do while it syncs and counts down, when it is told to quit. It writes
// "quitrace: stopped" from the app's OnStopped and "quitrace: ended" once
// ShowAndRun has returned. xtest's tests send it SIGTERM and check that it
// ends, whenever the signal comes: a function sent while the driver
// closed its queue once kept the stop hook waiting for ever.
package main

import (
	"fmt"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
)

// senders is how many goroutines send functions to the main thread.
const senders = 8

func main() {
	a := app.NewWithID("it.inps.pinsede.quitrace")
	w := a.NewWindow("quitrace")
	w.SetContent(widget.NewLabel("quitrace"))
	w.Resize(fyne.NewSize(200, 100))
	var ran atomic.Int64
	a.Lifecycle().SetOnStarted(func() {
		for i := 0; i < senders; i++ {
			go func() {
				for {
					fyne.DoAndWait(func() { ran.Add(1) })
					fyne.Do(func() { ran.Add(1) })
				}
			}()
		}
		// The title says the senders are at work: the test signals then.
		w.SetTitle("quitrace sending")
	})
	a.Lifecycle().SetOnStopped(func() { fmt.Println("quitrace: stopped") })
	w.ShowAndRun()
	fmt.Printf("quitrace: ended (%d functions ran)\n", ran.Load())
}
