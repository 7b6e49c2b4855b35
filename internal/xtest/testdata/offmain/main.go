// Command offmain is a Fyne window that, once running, paints itself red
// from a goroutine of its own, then sets its title to "offmain done". With
// -offmain the goroutine refreshes the window itself, the fault Fyne
// complains of ("should have been called in fyne.Do[AndWait]"); without
// it, through fyne.Do, as it should. xtest's tests check that the check of
// a program's output catches the first and passes the second.
package main

import (
	"flag"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
)

func main() {
	offMain := flag.Bool("offmain", false, "refresh the window off the main goroutine")
	flag.Parse()
	a := app.NewWithID("it.inps.pinsede.offmain")
	w := a.NewWindow("offmain")
	bg := canvas.NewRectangle(color.White)
	w.SetContent(bg)
	w.Resize(fyne.NewSize(200, 200))
	paint := func() {
		bg.FillColor = color.NRGBA{R: 0xff, A: 0xff}
		bg.Refresh()
	}
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			if *offMain {
				paint() // the fault: a canvas refreshed off the main goroutine
			} else {
				fyne.DoAndWait(paint)
			}
			fyne.Do(func() { w.SetTitle("offmain done") })
		}()
	})
	w.ShowAndRun()
}
