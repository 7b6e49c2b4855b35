// Command staleentry is a Fyne window whose spinner, hidden for longer than
// Fyne's render caches live, is shown and started again, and stopped and
// hidden right after the next clean of the caches, as the desk's spinners
// are between two requests: xtest's TestHiddenLongerThanCache runs it with
// FYNE_CACHE=30s and checks that the spinner's hiding is drawn.
//
// The window shows the spinner (widget.Activity, as the desk's) on a blue
// raster, in a room that keeps its size. At the raster's first drawing, the spinner drawn, the program
// hides the spinner. Once it has been hidden for longer than FYNE_CACHE,
// right after a walk of the window that keeps its objects' canvases alive
// in the cache (drawSingleFrame's, every FYNE_CACHE less 10 s), it shows
// and starts the spinner: the next clean comes before the next walk. The
// program learns of the walks from a second window, never shown, walked
// in the same frames (the walker), and of the clean from a widget of its
// own kept out of any window (the sentinel): Fyne destroys its renderer,
// expired, at the clean (internal/cache.Clean), just before it drops the
// expired canvases. There the program stops the spinner, so that no frame
// is drawn after the clean (the desk's answer, which stops and hides its
// spinner in one function, comes before that frame by chance); the
// function it then sends to the main thread hides the spinner and sets
// the title to "staleentry stopped". It writes
// whether the spinner still had its canvas then: "staleentry: stopped
// after the clean, in the gap: BOOL".
package main

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	_ "github.com/pinsede/pinsede/internal/fynelocale" // as the desk: a locale Fyne's lang can read
	"github.com/pinsede/pinsede/internal/xtest/cacheclean"
)

// walkTime is how long a walk of the walker's window takes. A window's
// next walk falls due a fixed time after the end of its last. The
// walker's comes first in the driver's list, the spinner's right after
// it: the end of the spinner's last walk followed the walker's by the
// length of that walk, microseconds, and walkTime delays its look at the
// time by more. So in a frame where the walker's window is walked, the
// spinner's is walked too, after it, and never earlier than the walker's.
const walkTime = 100 * time.Millisecond

// walker is a widget whose renderer's Objects says when a window that is
// never shown, never drawn, is walked: only the keep-alive walk reads it.
type walker struct {
	widget.BaseWidget
	walked func()
}

// CreateRenderer returns the renderer that calls w.walked.
func (w *walker) CreateRenderer() fyne.WidgetRenderer { return &walkerRenderer{w} }

type walkerRenderer struct{ w *walker }

func (r *walkerRenderer) Destroy()           {}
func (r *walkerRenderer) Layout(fyne.Size)   {}
func (r *walkerRenderer) MinSize() fyne.Size { return fyne.Size{} }
func (r *walkerRenderer) Refresh()           {}
func (r *walkerRenderer) Objects() []fyne.CanvasObject {
	time.Sleep(walkTime)
	r.w.walked()
	return nil
}

func main() {
	lifetime, err := time.ParseDuration(os.Getenv("FYNE_CACHE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "staleentry: FYNE_CACHE must be set:", err)
		os.Exit(2)
	}
	a := app.NewWithID("it.inps.pinsede.staleentry")
	walked := a.NewWindow("staleentry walker")
	w := a.NewWindow("staleentry")
	w.SetMaster()

	spin := widget.NewActivity()
	var shown bool
	respond := func() {
		gap := fyne.CurrentApp().Driver().CanvasForObject(spin) == nil
		spin.Hide()
		fmt.Printf("staleentry: stopped after the clean, in the gap: %v\n", gap)
		w.SetTitle("staleentry stopped")
	}
	clean := func() {
		if !shown {
			// Only a refresh makes a clean drop expired entries: none
			// comes while the spinner is hidden.
			fmt.Println("staleentry: a clean dropped expired entries before the spinner was shown")
			fyne.Do(func() { w.SetTitle("staleentry cleaned early") })
			return
		}
		spin.Stop()
		fyne.Do(respond)
	}
	painted := false
	var hiddenAt time.Time
	blue := canvas.NewRaster(func(width, height int) image.Image {
		if !painted {
			painted = true
			fyne.Do(func() {
				spin.Hide()
				hiddenAt = time.Now()
				cacheclean.Watch(clean) // expires with the spinner's canvas
				w.SetTitle("staleentry hidden")
			})
		}
		return image.NewUniform(color.NRGBA{R: 0x20, G: 0x40, B: 0xd0, A: 0xff})
	})
	// The spinner's room does not change with it, as the desk's slots do
	// not: its showing lays nothing out again, which would draw a second
	// frame (a container moved is drawn again) and put the canvases the
	// clean dropped back.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSquareSize(40))
	w.SetContent(container.NewStack(blue, container.NewCenter(container.NewStack(room, spin))))
	w.Resize(fyne.NewSize(200, 160))

	wk := &walker{}
	wk.ExtendBaseWidget(wk)
	wk.walked = func() {
		if shown || hiddenAt.IsZero() || time.Since(hiddenAt) <= lifetime {
			return
		}
		shown = true
		fyne.Do(func() {
			spin.Show()
			spin.Start()
			fmt.Printf("staleentry: shown after %v hidden\n", time.Since(hiddenAt).Round(time.Second))
			w.SetTitle("staleentry spinning")
		})
	}
	walked.SetContent(wk)
	w.ShowAndRun()
}
