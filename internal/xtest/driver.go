package xtest

import (
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Driver drives a running program for a test with xdotool, as a user's
// keyboard would, and waits on its window's title, which names the screen
// showing after ScreenPrefix. Every method fails the test on an error.
type Driver struct {
	TB  testing.TB
	App *App
	// Dir is the folder of the screenshots.
	Dir string
	// ScreenPrefix is the window's title before the screen's name:
	// "PIN Sede – Sportello · ".
	ScreenPrefix string
	// ShotPrefix starts the screenshots' file names: "xinput-".
	ShotPrefix string
	// KeyDelay is xdotool's delay between keys, in ms: "15".
	KeyDelay string
	// Timeout bounds the wait for a screen or a frame, after the keys
	// that lead to it. Zero (UntilDeadline) waits as long as the test may
	// run: a slow machine makes the test slower, not red.
	Timeout time.Duration
}

// Xdotool runs xdotool with args on the program's display.
func (d *Driver) Xdotool(args ...string) {
	d.TB.Helper()
	if err := Xdotool(d.App.Display, args...); err != nil {
		d.TB.Fatalf("xdotool %s: %v", strings.Join(args, " "), err)
	}
}

// Type types text as the keyboard would, character by character.
func (d *Driver) Type(text string) {
	d.TB.Helper()
	d.Xdotool("type", "--delay", d.KeyDelay, "--", text)
}

// Keys presses keys (xdotool's names: Tab, shift+Tab, Return, Escape,
// dead_acute...).
func (d *Driver) Keys(keys ...string) {
	d.TB.Helper()
	d.Xdotool(append([]string{"key", "--delay", d.KeyDelay}, keys...)...)
}

// WaitScreen waits until the window's title names one of screens and the
// app has drawn the frame of that screen (the app sets the title with the
// screen's content, before it draws), and returns which; it fails, with a
// screenshot, when the app exits or after Timeout.
func (d *Driver) WaitScreen(screens ...string) string {
	d.TB.Helper()
	titles := make([]string, len(screens))
	for i, s := range screens {
		titles[i] = d.ScreenPrefix + s
	}
	title, err := d.App.WaitTitle(d.Timeout, titles...)
	if err != nil {
		if d.App.Alive() == nil {
			d.Shot("timeout")
		}
		d.TB.Fatal(err)
	}
	if err := d.App.Painted(d.Timeout); err != nil {
		d.Shot("timeout")
		d.TB.Fatal(err)
	}
	return strings.TrimPrefix(title, d.ScreenPrefix)
}

// Screen returns the screen the window's title names now ("" when the
// window is not mapped).
func (d *Driver) Screen() string {
	title, _ := d.App.MappedWindow()
	return strings.TrimPrefix(title, d.ScreenPrefix)
}

// WaitScreenNot waits until the window's title names another screen
// than screen, and returns it; it fails, with a screenshot, when the app
// exits or after Timeout.
func (d *Driver) WaitScreenNot(screen string) string {
	d.TB.Helper()
	title, err := d.App.WaitTitleNot(d.Timeout, d.ScreenPrefix+screen)
	if err != nil {
		if d.App.Alive() == nil {
			d.Shot("timeout")
		}
		d.TB.Fatal(err)
	}
	return strings.TrimPrefix(title, d.ScreenPrefix)
}

// Shot takes a screenshot into Dir (and the folder $PINSEDE_SMOKE_OUT
// names) once it is drawn, and returns its path and distinct colours.
func (d *Driver) Shot(name string) (string, int) {
	d.TB.Helper()
	file := filepath.Join(d.Dir, d.ShotPrefix+name+".png")
	n, err := Screenshot(d.App.Display, file, d.App, d.Timeout)
	if err != nil {
		d.TB.Errorf("screenshot %s: %v", name, err)
	}
	if _, err := Keep(file); err != nil {
		d.TB.Error(err)
	}
	return file, n
}

// Capture returns the screen as drawn now (Frame).
func (d *Driver) Capture() image.Image {
	d.TB.Helper()
	img, err := Frame(d.App.Display)
	if err != nil {
		d.TB.Fatal(err)
	}
	return img
}

// WaitFrame returns the screen once ok says it shows what it waits for:
// looked at now, then after each drawing of the app (App.WaitDrawn). It
// fails, with a screenshot, when the app exits or after Timeout.
func (d *Driver) WaitFrame(what string, ok func(image.Image) bool) image.Image {
	d.TB.Helper()
	var img image.Image
	err := d.App.WaitDrawn(d.Timeout, what, func() (bool, error) {
		var err error
		img, err = Frame(d.App.Display)
		return err == nil && ok(img), err
	})
	if err != nil {
		if d.App.Alive() == nil {
			d.Shot("timeout")
		}
		d.TB.Fatalf("the screen does not show %s: %v", what, err)
	}
	return img
}

// Painted returns the screen once the app has drawn the frame of every
// key sent so far (App.Painted). It fails when the app exits or after
// Timeout.
func (d *Driver) Painted() image.Image {
	d.TB.Helper()
	if err := d.App.Painted(d.Timeout); err != nil {
		if d.App.Alive() == nil {
			d.Shot("timeout")
		}
		d.TB.Fatal(err)
	}
	return d.Capture()
}

// Red reports whether px (RGB, three bytes a pixel, as Pixels returns
// them) holds the red of the apps' problems, #CC334D (theme.Danger), or
// its anti-aliased edge.
func Red(px []byte) bool {
	for i := 0; i+2 < len(px); i += 3 {
		if px[i] > 180 && px[i+1] < 90 && px[i+2] < 110 {
			return true
		}
	}
	return false
}
