// Command slowpaint is a Fyne window whose main thread is slow to handle
// a key, as a loaded machine makes any app: on "r" it is busy for half a
// second, then paints itself red. xtest's tests check that App.Painted
// returns that frame, not the white one drawn meanwhile.
package main

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
)

func main() {
	a := app.NewWithID("it.inps.pinsede.slowpaint")
	w := a.NewWindow("slowpaint")
	bg := canvas.NewRectangle(color.White)
	w.SetContent(bg)
	w.Canvas().SetOnTypedRune(func(r rune) {
		if r != 'r' {
			return
		}
		time.Sleep(500 * time.Millisecond) // the main thread busy: the frame comes late
		bg.FillColor = color.NRGBA{R: 0xff, A: 0xff}
		bg.Refresh()
	})
	w.Resize(fyne.NewSize(200, 200))
	w.ShowAndRun()
}
