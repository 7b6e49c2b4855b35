package xtest

import (
	"image"
	"strings"
	"testing"
	"time"
)

// TestHiddenLongerThanCache runs testdata/staleentry with Fyne's render
// caches living 30 s (FYNE_CACHE): a spinner hidden for longer than that,
// in a room that does not change with it, is shown and started right
// after a walk of its window that keeps the caches alive; the next clean
// comes before the next walk (every 20 s), and right after it the spinner
// is stopped and hidden. Its hiding must be drawn. A hidden object is not
// walked, and its canvas entry expires; drawing it again called
// cache.SetCanvasForObject, which kept the entry as it was, expired, and
// the clean dropped it: the spinner's Hide found no canvas to mark dirty,
// and its last frame stayed on screen, a dot frozen (the desk's spinners
// and messages, hidden between two requests in slots that keep their
// size). The program says whether the spinner had lost its canvas ("in
// the gap"), which the fix prevents.
func TestHiddenLongerThanCache(t *testing.T) {
	Need(t)
	t.Setenv("FYNE_CACHE", "30s")
	bin := build(t, "staleentry", "./testdata/staleentry")
	display := StartXvfb(t, "320x240x24")
	app := Start(t, bin, display, t.TempDir(), "staleentry")
	title, err := app.WaitTitle(UntilDeadline, "staleentry stopped", "staleentry cleaned early")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(app.Output()))
	if title != "staleentry stopped" {
		t.Fatalf("the caches were cleaned before the spinner was shown: the test proves nothing")
	}
	err = app.WaitDrawn(15*time.Second, "the spinner hidden", func() (bool, error) {
		img, err := Frame(display)
		return err == nil && spinnerGone(img), err
	})
	if err != nil {
		t.Fatalf("the spinner, hidden right after a clean of the caches, is still drawn: %v", err)
	}
}

// spinnerGone reports whether the middle of the part of img that shows
// staleentry's blue, #2040D0, the spinner's room, shows nothing else: no
// dot of the spinner. (The pointer, which Xvfb draws, rests lower right.)
func spinnerGone(img *image.RGBA) bool {
	blue := func(x, y int) bool {
		c := img.RGBAAt(x, y)
		return c.R < 0x40 && c.G > 0x30 && c.G < 0x50 && c.B > 0xc0
	}
	var area image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if blue(x, y) {
				area = area.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if area.Empty() {
		return false
	}
	mid := image.Pt((area.Min.X+area.Max.X)/2, (area.Min.Y+area.Max.Y)/2)
	room := image.Rectangle{mid.Sub(image.Pt(20, 20)), mid.Add(image.Pt(20, 20))}
	for y := room.Min.Y; y < room.Max.Y; y++ {
		for x := room.Min.X; x < room.Max.X; x++ {
			if !blue(x, y) {
				return false
			}
		}
	}
	return true
}
