package main

import (
	"bytes"
	"context"
	"image"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/sync/pki"
)

var (
	// xinMessageRect is the part of the verification screen, at 1280×800
	// under the development printer's banner, where the message shows,
	// in its panel just above Indietro and Emetti PIN: red text when the
	// issue is refused.
	xinMessageRect = image.Rect(60, 655, 1220, 712)
	// xinVerifyFormRect is the verification screen above the message's
	// panel and the shadow it casts, the document typed and the checks
	// ticked, left of the scroll bar that shows once the panel leaves the
	// form less room than it takes.
	xinVerifyFormRect = image.Rect(0, 80, 1270, 640)
	// xinStatusBarRect is the status bar's state, left of its clock: red
	// while the desk knows its clock off.
	xinStatusBarRect = image.Rect(0, 766, 1000, 800)
	// xinBannerPointer is where the test leaves the mouse pointer: on the
	// development printer's banner, out of the parts it compares (Xvfb
	// draws the pointer into the screen itself, and takes it off while
	// the desk puts a frame).
	xinBannerPointer = image.Pt(4, 4)
)

// TestXInputClockOff runs the real sportello on a PC whose clock is an
// hour off centrale's, either way: ahead (the Italian time in the UTC
// time zone; centrale's clock the real one less an hour) or behind
// (centrale's the real one plus an hour). The desk's clock is the real
// one. Desk 01 (in the test, on centrale's clock) sets up ROMA01 and
// m.rossi; the real sportello joins by itself, m.rossi logs in and
// serves Mario by keyboard, and Emetti PIN is refused with the message
// in red on the verification screen, the status bar red too, everything
// typed still there: no slip, no credential in the store. The two
// directions' refusals must not be drawn alike: each says its own.
func TestXInputClockOff(t *testing.T) {
	t.Parallel()
	xinTools(t)
	bin := smokeBuild(t)
	refusals := map[string][]byte{} // each direction's message, as drawn
	for _, tc := range []struct {
		name string
		// centrale is centrale's clock less the real one, the desk's.
		centrale time.Duration
	}{
		{"ahead", -time.Hour},
		{"behind", time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusals[tc.name] = xinClockOff(t, bin, tc.name, tc.centrale)
		})
	}
	if a, b := refusals["ahead"], refusals["behind"]; a != nil && b != nil && bytes.Equal(a, b) {
		t.Error("the refusals of a clock ahead and behind are drawn alike")
	}
}

// xinClockOff runs the case name of TestXInputClockOff, with centrale's
// clock off the real one by offset, on an X server of its own, and returns
// the refusal's message as drawn.
func xinClockOff(t *testing.T, bin, name string, offset time.Duration) []byte {
	// One moving clock, the real one: centrale's off it by offset.
	centraleNow := func() time.Time { return time.Now().Add(offset) }
	ctx := context.Background()
	dir := t.TempDir()
	ca, _, srv := e2eCentrale(t, dir, centraleNow, nil)

	one, _, c1 := xinSiblingDesk(t, ca, srv.URL, "01", centraleNow)
	if err := one.Setup(pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale Aldo Ballarin 42, 00142 Roma"},
		pinsede.NewOperator{ID: "m.rossi", Name: "Maria Rossi", Password: "password-di-prova"}); err != nil {
		t.Fatal(err)
	}
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	two, cert, key := xinDeskFiles(t, ca, "02", centraleNow)
	display := smokeStartXvfb(t)
	d := xinStart(t, bin, display, two, "-centrale", srv.URL, "-cert", cert, "-certkey", key,
		"-ca", filepath.Join(dir, "ca", pki.CertFile))
	d.xdotool("mousemove", "--sync", strconv.Itoa(xinBannerPointer.X), strconv.Itoa(xinBannerPointer.Y))
	d.logIn() // after the catch-up of the sede: centrale's answers measured the clock
	d.toMV35()
	d.fillMV35()
	d.fillVerification()
	d.keys("space", "Tab", "space", "Tab", "space") // the three checks
	typed := d.region(xinVerifyFormRect)
	d.shot("clock-" + name + "-typed")
	d.keys("ctrl+Return") // Emetti PIN
	const verify = "Verifica identità"
	refused := d.waitFrame("the issue refused, or another screen", func(img image.Image) bool {
		return d.drv().Screen() != verify ||
			xtest.Red(xtest.Pixels(img, xinMessageRect)) && xtest.Red(xtest.Pixels(img, xinStatusBarRect))
	})
	shot, _ := d.shot("clock-" + name)
	t.Logf("screenshot %s", shot)
	if got := d.drv().Screen(); got != verify {
		t.Fatalf("screen %q after Emetti PIN with the clock an hour off, want the verification", got)
	}
	if _, ok := scrolledUp(typed, xtest.Pixels(refused, xinVerifyFormRect), xinVerifyFormRect.Dx(), xinVerifyFormRect.Dy()/2); !ok {
		t.Error("the verification is drawn otherwise after the refusal: what was typed was lost or changed")
	}
	d.app.Stop(t)
	xinCheckLog(t, two, d.app)
	store := xinOpenStore(t, two)
	if creds := xinCredentials(t, store); len(creds) != 0 {
		t.Errorf("%d credentials issued with the clock an hour off: %+v", len(creds), creds)
	}
	if printed, _ := filepath.Glob(filepath.Join(two, "slips", "*")); len(printed) != 0 {
		t.Errorf("printed with the clock an hour off: %v", printed)
	}
	return xtest.Pixels(refused, xinMessageRect)
}

// scrolledUp reports whether after, a region width pixels wide (RGB, as
// xtest.Pixels gives it), draws before scrolled up by at most max rows:
// its rows from the shift on, in before's place, below the shadow a
// scrolled form casts at its top (scrollShadow rows). The form keeps its
// end and the focused field in view when a message takes room at its
// foot (footLayout), so what was typed may move up, unchanged. It
// returns the rows of the shift.
func scrolledUp(before, after []byte, width, max int) (int, bool) {
	const scrollShadow = 16
	if len(before) != len(after) {
		return 0, false
	}
	row := 3 * width
	for dy := 0; dy <= max && (dy+scrollShadow)*row < len(before); dy++ {
		if bytes.Equal(before[(dy+scrollShadow)*row:], after[scrollShadow*row:len(after)-dy*row]) {
			return dy, true
		}
	}
	return 0, false
}
