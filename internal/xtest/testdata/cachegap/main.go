// Command cachegap is a Fyne window whose state changes right after Fyne's
// render caches were cleaned while a spinner ran, as the desk's login
// does when its answer comes: xtest's TestRedrawAfterCacheClean runs it
// with FYNE_CACHE=2s and checks that the change is drawn.
//
// The window shows a spinner (widget.Activity, as the desk's), a blue box
// and a small grey square, the probe. Once the spinner runs, every frame
// is dirty. The program learns that the caches were cleaned from a widget
// of its own kept out of any window (the sentinel): Fyne destroys its
// renderer, expired, at the clean (internal/cache.Clean). The function it
// then sends to the main thread runs after that frame; it stops and hides
// the spinner and turns the box red, as the desk's answer stops its
// spinner and shows its message, and sets the title to "cachegap
// responded". It does so when the probe has lost its canvas (the clean
// dropped the canvases of the window's objects, "in the gap"), or at the
// third clean. It writes whether the box and the spinner still had their
// canvases then, and "cachegap: responded after N cleans, in the gap:
// BOOL".
package main

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
	"github.com/pinsede/pinsede/internal/xtest/cacheclean"
)

// tries is the clean at which the program answers even when the probe
// kept its canvas.
const tries = 3

func main() {
	a := app.NewWithID("it.inps.pinsede.cachegap")
	w := a.NewWindow("cachegap")
	spin := widget.NewActivity()
	box := canvas.NewRectangle(color.NRGBA{R: 0x20, G: 0x40, B: 0xd0, A: 0xff})
	box.SetMinSize(fyne.NewSize(160, 80))
	probe := canvas.NewRectangle(color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff})
	probe.SetMinSize(fyne.NewSize(8, 8))
	w.SetContent(container.NewVBox(spin, box, probe))
	w.Resize(fyne.NewSize(200, 160))

	cleans := 0
	respond := func(gap bool) {
		d := fyne.CurrentApp().Driver()
		fmt.Printf("cachegap: canvases before the answer: box %v spinner %v\n", d.CanvasForObject(box) != nil, d.CanvasForObject(spin) != nil)
		spin.Stop()
		spin.Hide()
		box.FillColor = color.NRGBA{R: 0xcc, G: 0x33, B: 0x4d, A: 0xff}
		box.Refresh()
		fmt.Printf("cachegap: responded after %d cleans, in the gap: %v\n", cleans, gap)
		w.SetTitle("cachegap responded")
	}
	var watch func()
	watch = func() {
		cacheclean.Watch(func() {
			cleans++
			// Runs after the frame of the clean, before the next one
			// unless the next tick came meanwhile.
			fyne.Do(func() {
				gap := fyne.CurrentApp().Driver().CanvasForObject(probe) == nil
				if gap || cleans >= tries {
					respond(gap)
					return
				}
				watch()
			})
		})
	}
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			time.Sleep(time.Second)
			fyne.Do(func() {
				spin.Start()
				watch()
				w.SetTitle("cachegap spinning")
			})
		}()
	})
	w.ShowAndRun()
}
