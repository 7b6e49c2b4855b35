package xtest

import (
	"image"
	"image/color"
	"syscall"
	"testing"
	"time"
)

// TestPaintedWaitsForTheKeysFrame starts a real Fyne program whose main
// thread takes half a second over a key before it paints the window red
// (testdata/slowpaint), sends the key by XTest and takes the frame
// App.Painted waits for: it is red, however slow the program or the
// machine. Two screenshots 200 ms apart agreed on the white window
// before it, which is how a test of the desk once took the page behind
// the lock screen for the lock screen. A key that changes nothing is
// painted too (the window exposed), so Painted returns for it.
func TestPaintedWaitsForTheKeysFrame(t *testing.T) {
	Need(t, "xdotool")
	bin := build(t, "slowpaint", "./testdata/slowpaint")
	display := StartXvfb(t, "320x240x24")
	app := Start(t, bin, display, t.TempDir(), "slowpaint")
	if _, err := app.WaitMapped(UntilDeadline); err != nil {
		t.Fatal(err)
	}
	middle := func() color.RGBA {
		t.Helper()
		if err := app.Painted(UntilDeadline); err != nil {
			t.Fatal(err)
		}
		img, err := Frame(display)
		if err != nil {
			t.Fatal(err)
		}
		return img.RGBAAt(100, 100)
	}
	white, red := color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0xff, 0, 0, 0xff}
	if got := middle(); got != white {
		t.Fatalf("before any key the window is %v, want white", got)
	}
	if err := Xdotool(display, "key", "x"); err != nil {
		t.Fatal(err)
	}
	if got := middle(); got != white {
		t.Fatalf("after x, which changes nothing, the window is %v, want white", got)
	}
	if err := Xdotool(display, "key", "r"); err != nil {
		t.Fatal(err)
	}
	if got := middle(); got != red {
		t.Fatalf("the frame after r is %v, want red: Painted returned before the key's frame", got)
	}
}

// TestPaintedTwoApps waits on the frames of two programs, each on its
// own X server, the first one's painter still open, as a test does that
// starts the desk again. The first program paints itself red meanwhile,
// which its painter's connection reads as events of its own. Under -race
// (make race) it failed: xgb's damage.Init wrote its global tables for
// the second connection while the first one's reader read them.
func TestPaintedTwoApps(t *testing.T) {
	Need(t, "xdotool")
	bin := build(t, "slowpaint", "./testdata/slowpaint")
	first := StartXvfb(t, "320x240x24")
	app := Start(t, bin, first, t.TempDir(), "slowpaint")
	if _, err := app.WaitMapped(UntilDeadline); err != nil {
		t.Fatal(err)
	}
	if err := app.Painted(UntilDeadline); err != nil {
		t.Fatal(err)
	}
	if err := Xdotool(first, "key", "r"); err != nil {
		t.Fatal(err)
	}
	d := &Driver{TB: t, App: app, Dir: t.TempDir(), Timeout: UntilDeadline}
	d.WaitFrame("the first window red", func(img image.Image) bool {
		return img.(*image.RGBA).RGBAAt(100, 100) == color.RGBA{0xff, 0, 0, 0xff}
	})
	second := StartXvfb(t, "320x240x24")
	app = Start(t, bin, second, t.TempDir(), "slowpaint")
	if _, err := app.WaitMapped(UntilDeadline); err != nil {
		t.Fatal(err)
	}
	if err := app.Painted(UntilDeadline); err != nil {
		t.Fatal(err)
	}
}

// xtestStall is how long TestWaitsOutAStalledProgram stops its program:
// longer than PaintTimeout, the bound the Driver's waits for a frame had
// when a loaded CI machine made the X tests flaky.
const xtestStall = PaintTimeout + 2*time.Second

// TestWaitsOutAStalledProgram stops a real Fyne program (SIGSTOP) as a
// starved machine stalls it, for longer than the waits of the X tests
// were once bounded by, while the test sends it a key and waits, through
// a Driver given no Timeout, for the key's frame: the wait ends at the
// frame, once the program runs again, however long the stall. With the
// bound of before, it failed ("no the answer to a ping before the
// deadline") and a slow screen turned CI red. The stall is the test's
// doing, not a hope about the machine's speed.
func TestWaitsOutAStalledProgram(t *testing.T) {
	t.Parallel()
	Need(t, "xdotool")
	bin := build(t, "slowpaint", "./testdata/slowpaint")
	display := StartXvfb(t, "320x240x24")
	app := Start(t, bin, display, t.TempDir(), "slowpaint")
	d := &Driver{TB: t, App: app, Dir: t.TempDir(), ScreenPrefix: "slowpaint", KeyDelay: "1"}
	d.WaitScreen("")
	if err := app.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resume := time.AfterFunc(xtestStall, func() { _ = app.Cmd.Process.Signal(syscall.SIGCONT) })
	t.Cleanup(func() {
		resume.Stop()
		_ = app.Cmd.Process.Signal(syscall.SIGCONT)
	})
	d.Keys("r")
	if got := d.Painted().(*image.RGBA).RGBAAt(100, 100); got != (color.RGBA{0xff, 0, 0, 0xff}) {
		t.Fatalf("the frame after r and the stall is %v, want red", got)
	}
}
