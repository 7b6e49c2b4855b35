package xtest

import (
	"image"
	"strings"
	"testing"
	"time"
)

// TestRedrawAfterCacheClean runs testdata/cachegap with Fyne's render
// caches living 2 s (FYNE_CACHE, as cmd/sportello's TestXInputLoginCardKept
// sets it): a spinner runs, every frame dirty, until the caches are
// cleaned; right after that frame the program stops the spinner and turns
// a box red. The red box must be drawn. Fyne's driver walked a window to
// keep its objects' canvases alive only in the frames that did not draw
// it, and counted a drawn frame as a walk, though drawing touches no
// canvas: after more than the caches' lifetime of dirty frames, a clean
// dropped the canvases of the window's visible objects, their refreshes
// then found no canvas to mark dirty, and with the spinner stopped in
// that gap the window was never drawn again (the desk frozen at its
// refused login: spinner and clock still for minutes).
func TestRedrawAfterCacheClean(t *testing.T) {
	Need(t)
	t.Setenv("FYNE_CACHE", "2s")
	bin := build(t, "cachegap", "./testdata/cachegap")
	display := StartXvfb(t, "320x240x24")
	app := Start(t, bin, display, t.TempDir(), "cachegap")
	if _, err := app.WaitTitle(UntilDeadline, "cachegap responded"); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(app.Output()))
	err := app.WaitDrawn(15*time.Second, "the box red", func() (bool, error) {
		img, err := Frame(display)
		return err == nil && hasBoxRed(img), err
	})
	if err != nil {
		t.Fatalf("the change made right after a clean of the caches is not drawn: %v", err)
	}
}

// hasBoxRed reports whether img shows the red of cachegap's box,
// #CC334D.
func hasBoxRed(img *image.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if c.R > 180 && c.G < 90 && c.B < 110 {
				return true
			}
		}
	}
	return false
}
