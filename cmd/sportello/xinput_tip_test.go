package main

import (
	"image"
	"strconv"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// xinNewRequestAt is a point on the home page's Nuova richiesta, at
// 1280×800 under the development banner; xinTipRect is where its tip
// shows, under it.
var (
	xinNewRequestAt = image.Pt(1000, 211)
	xinTipRect      = image.Rect(790, 232, 980, 258)
)

// xinTipShows reports whether the region of the tip is drawn in img in
// the tip's blue-black (#17324D, the header's): the page there is white
// and grey.
func xinTipShows(img image.Image) bool {
	px, dark := xtest.Pixels(img, xinTipRect), 0
	for i := 0; i+2 < len(px); i += 3 {
		if px[i] < 40 && px[i+1] > 35 && px[i+1] < 65 && px[i+2] > 60 && px[i+2] < 95 {
			dark++
		}
	}
	return dark > len(px)/3/2
}

// waitTip waits until the tip shows (want) or is gone (!want), as drawn on
// the screen: the desk draws it desk.TipDelay after the mouse rests.
func (d *xinDesk) waitTip(want bool, when string) {
	d.t.Helper()
	what := map[bool]string{true: "the tip, ", false: "no tip, "}[want] + when
	d.waitFrame(what, func(img image.Image) bool { return xinTipShows(img) == want })
}

// TestXInputTip rests the real mouse on Nuova richiesta: its tip is drawn
// under it, and goes when the mouse leaves and when a key is pressed
// (issue 14).
// A headless test cannot see this: Fyne's test canvas paints the whole
// window at each capture, the real one only what it was told changed.
func TestXInputTip(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the tip under the mouse")
	xinTools(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	d := xinStart(t, bin, display, t.TempDir())
	d.setUpAndLogIn()
	if xinTipShows(d.capture()) {
		t.Fatal("a tip before the mouse came")
	}
	hover := func() {
		d.xdotool("mousemove", "--sync", strconv.Itoa(xinNewRequestAt.X), strconv.Itoa(xinNewRequestAt.Y))
		d.xdotool("mousemove_relative", "--sync", "1", "0")
	}

	hover()
	d.waitTip(true, "mouse on Nuova richiesta")
	d.shot("tip")
	d.xdotool("mousemove", "--sync", "400", "600")
	d.waitTip(false, "mouse out")

	hover()
	d.waitTip(true, "mouse back on Nuova richiesta")
	d.keys("Right") // in the codice fiscale, which has the focus
	d.waitTip(false, "a key")
	if err := d.app.Alive(); err != nil {
		t.Fatal(err)
	}
	d.app.Stop(t)
	xinCheckLog(t, d.dir, d.app)
}
