package main

import (
	"bytes"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/xtest"
)

// xkLowScreens are the low screens the kiosk is laid out for
// (ui/kiosk's kioskScreens, TestScreensFitKioskScreens): on them the
// largest text size asked for up to 1,148 px of height, and Avanti went
// under the bottom edge.
var xkLowScreens = []string{"1280x800x24", "1024x768x24"}

// xkScreensWalk is a walk through every screen by keyboard alone: the
// screen the keys lead to, and what is typed there, in turn: text, or
// after "key:" a key (xdotool's name), the last leading on.
var xkScreensWalk = []struct {
	screen string
	input  []string
}{
	{"services", []string{"key:Return"}},
	{"service", []string{"key:Return"}},
	{"question:cognome", []string{"Rossi", "key:Return"}},
	{"question:nome", []string{"Maria", "key:Return"}},
	{"question:sesso", []string{"key:Return"}},
	{"question:nascita", []string{"07/03/1985", "key:Return"}},
	{"question:luogo", []string{"Barlet", "key:Tab", "key:Return", "key:Return"}}, // the first place listed
	{"question:cf", []string{"key:Tab", "key:Return", "key:Return"}},              // the code computed
	{"question:stato", []string{"Germania", "key:Return"}},
	{"question:indirizzo", []string{"Hauptstrasse 5", "key:Tab", "Berlin", "key:Return"}},
	{"question:telefono", []string{"+49 151 2345678", "key:Return"}},
	{"question:email", []string{"maria.rossi@example.com", "key:Return"}},
	{"review", []string{"key:Return"}}, // the focus is on Conferma
	{"done", []string{"key:Return"}},   // Fine: back to the languages
}

// TestXInputKioskScreens runs the real kiosk full screen on each of
// xkLowScreens, makes the text as large as A+ makes it by keyboard (Tab
// to A+ and Enter, twice), and walks every screen
// by keyboard, in Italian and in Romanian (the language whose texts are
// longest), from the languages to the ticket: on each screen the lowest
// blue button (the forward button, or the languages' and services' last
// row) shows whole over the bottom edge, and the keys reach the next
// screen.
func TestXInputKioskScreens(t *testing.T) {
	t.Parallel()
	for _, screen := range xkLowScreens {
		t.Run(strings.TrimSuffix(screen, "x24"), func(t *testing.T) {
			t.Parallel()
			k := xkStart(t, screen)
			xtest.ClearOfMidnight(t, xkDayMargin)
			for _, lang := range []struct {
				code string
				tabs int // from Italiano to its button
			}{{"it", 0}, {"ro", 6}} {
				k.largest()
				k.assertActionInView("languages, A+, " + lang.code)
				for range lang.tabs {
					k.Keys("Tab")
				}
				k.Keys("Return")
				for _, step := range xkScreensWalk {
					k.WaitScreen(step.screen)
					k.assertActionInView(step.screen + ", A+, " + lang.code)
					for _, in := range step.input {
						if key, ok := strings.CutPrefix(in, "key:"); ok {
							k.Keys(key)
						} else {
							k.Type(in)
						}
					}
				}
				k.WaitScreen("languages")
			}
			if n := len(k.spooled()); n != 2 {
				t.Errorf("the spool holds %d requests, want 2", n)
			}
			k.checkLog()
		})
	}
}

// xkTabsToLarger is how many Tabs take the focus from the first
// language to A+: the seven languages, then A− and A+ in the top bar.
const xkTabsToLarger = 8

// largest presses A+ on the language screen, by Tab and Enter, as many
// times as it makes the text larger (xkLargerSteps), and fails unless
// each time the greeting changed. A+ shows the screen again, the focus on
// the first language.
func (k *xkKiosk) largest() {
	k.t.Helper()
	k.WaitScreen("languages")
	// The greeting, between the top bar and the languages: the focus,
	// on A+ or back on Italiano, shows in neither.
	b := k.Capture().Bounds()
	greeting := image.Rect(0, 120, b.Dx(), b.Dy()/2)
	before := xtest.Pixels(k.Painted(), greeting)
	for larger := range xkLargerSteps {
		for range xkTabsToLarger {
			k.Keys("Tab")
		}
		k.Keys("Return")
		after := xtest.Pixels(k.Painted(), greeting)
		if bytes.Equal(before, after) {
			k.Shot("a-plus-unchanged")
			k.t.Fatalf("A+ (Tab %d times and Enter) made the text larger %d times, want %d", xkTabsToLarger, larger, xkLargerSteps)
		}
		before = after
	}
}

// xkLargerSteps is how many times A+ makes the text larger from the
// normal size: to 1.2, then to 1.4, the largest (ui/kiosk's textScales).
const xkLargerSteps = 2

// assertActionInView checks, on the screen as drawn, that the lowest
// row of blue buttons (the forward button at the bottom right, or the
// last of the languages or services) shows whole: at least MinTarget
// high, and ending above the screen's bottom edge, background under it.
// Nor does it touch the right edge: 1,280 px wide, the kiosk cut Avanti
// on a screen 1024 wide. On a question with a field, the field typed in
// shows whole above it too: its blue border, at least 40% of the screen
// wide, top and bottom (squeezed, the question hid it under the
// keyboard).
func (k *xkKiosk) assertActionInView(where string) {
	k.t.Helper()
	img := k.Painted()
	top, bottom, ok := xkLowestBlue(img)
	b := img.Bounds()
	field := strings.HasPrefix(where, "question:") && !strings.HasPrefix(where, "question:sesso")
	switch {
	case !ok:
		k.t.Errorf("%s: no blue button on the screen", where)
	case bottom >= b.Max.Y-4 || bottom-top < 44:
		k.t.Errorf("%s: the lowest blue button takes rows %d to %d of %d: not whole on the screen", where, top, bottom, b.Dy())
	case xkRightmostBlue(img, top, bottom) >= b.Max.X-4:
		k.t.Errorf("%s: the lowest blue button goes to the right edge of the screen: cut", where)
	case field && !xkFieldShown(img, top):
		k.t.Errorf("%s: the field typed in does not show whole over the navigation bar", where)
	default:
		return
	}
	shot, _ := k.Shot(fmt.Sprintf("action-%dx%d-%s", b.Dx(), b.Dy(), strings.NewReplacer(" ", "", ",", "-", ":", "-").Replace(where)))
	k.t.Logf("%s: %s", where, shot)
}

// xkFieldShown reports whether img shows, above row above, the top and
// the bottom edge of a focused field: rows in which at least 40% of the
// pixels are blue, 40 rows apart at least.
func xkFieldShown(img image.Image, above int) bool {
	b := img.Bounds()
	first, last := -1, -1
	for y := b.Min.Y; y < above; y++ {
		if xkBlueCount(img, y) >= b.Dx()*4/10 {
			if first < 0 {
				first = y
			}
			last = y
		}
	}
	return first >= 0 && last-first >= 40
}

// xkRightmostBlue returns the column of the rightmost blue pixel
// (xkBlueCount's blue) in rows top to bottom of img, or -1.
func xkRightmostBlue(img image.Image, top, bottom int) int {
	b := img.Bounds()
	right := -1
	for y := top; y <= bottom; y++ {
		px := xtest.Pixels(img, image.Rect(b.Min.X, y, b.Max.X, y+1))
		for i := 0; i+2 < len(px); i += 3 {
			if xkBlue(px[i], px[i+1], px[i+2]) {
				right = max(right, b.Min.X+i/3)
			}
		}
	}
	return right
}

// xkBlueCount counts the pixels of row y of img that are the blue of the
// kiosk's buttons and focused fields (uitheme.Primary, #0066CC, or its
// darker focused shade).
func xkBlueCount(img image.Image, y int) int {
	b := img.Bounds()
	px := xtest.Pixels(img, image.Rect(b.Min.X, y, b.Max.X, y+1))
	n := 0
	for i := 0; i+2 < len(px); i += 3 {
		if xkBlue(px[i], px[i+1], px[i+2]) {
			n++
		}
	}
	return n
}

// xkBlue reports whether r, g, b is the blue of the kiosk's buttons.
func xkBlue(r, g, b byte) bool { return r < 60 && g > 50 && g < 140 && b > 130 && b > g+60 }

// xkLowestBlue returns the rows of the lowest band of rows of img in
// which at least 40 pixels are blue (xkBlueCount): the lowest button.
func xkLowestBlue(img image.Image) (top, bottom int, ok bool) {
	b := img.Bounds()
	blueRow := func(y int) bool { return xkBlueCount(img, y) >= 40 }
	y := b.Max.Y - 1
	for y >= b.Min.Y && !blueRow(y) {
		y--
	}
	if y < b.Min.Y {
		return 0, 0, false
	}
	bottom = y
	for y >= b.Min.Y && blueRow(y) {
		y--
	}
	return y + 1, bottom, true
}

// xkWarnIdle is the kiosk's idle timeout in TestXInputKioskIdleWarning:
// above kiosk.DefaultWarn, so that the warning counts down its 10 s.
const xkWarnIdle = 30 * time.Second // the least chiosco takes (kiosk.MinIdle)

// TestXInputKioskIdleWarning runs the real kiosk full screen on 1024x768
// at A+, leaves the first question idle until the idle timer, on its own
// goroutine, shows the warning (the screen under it darkened), and goes
// on by Enter (Continua has the keyboard): the warning must go, and the
// citizen's next keys must reach the field they were in: a surname typed
// and Enter lead to the next question. The warning left the keyboard on
// its own button, gone: the surname went nowhere, and Enter stayed on the
// question.
func TestXInputKioskIdleWarning(t *testing.T) {
	k := xkStart(t, xkLowScreens[1], "-idle", xkWarnIdle.String())
	k.largest()
	k.Keys("Return")
	k.WaitScreen("services")
	k.Keys("Return")
	k.WaitScreen("service")
	k.Keys("Return")
	k.WaitScreen("question:cognome")
	before := k.Painted()
	// The left margin beside the navigation bar: the background, which
	// the warning's shadow darkens.
	b := before.Bounds()
	margin := image.Rect(b.Min.X+2, b.Max.Y-6, b.Min.X+12, b.Max.Y-2)
	k.WaitFrame("the idle warning's shadow", func(img image.Image) bool {
		return !bytes.Equal(xtest.Pixels(img, margin), xtest.Pixels(before, margin))
	})
	k.Keys("Return")
	k.WaitFrame("the question without the warning", func(img image.Image) bool {
		return bytes.Equal(xtest.Pixels(img, margin), xtest.Pixels(before, margin))
	})
	k.Type("Rossi")
	k.Keys("Return")
	k.WaitScreen("question:nome")
	k.checkLog()
}
