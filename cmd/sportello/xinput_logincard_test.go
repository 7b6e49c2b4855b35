package main

import (
	"bytes"
	"image"
	"strconv"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

const (
	// xinRenderLife is the lifetime TestXInputLoginCardKept gives the
	// renderers of Fyne's cache (FYNE_CACHE, one minute by default): the
	// widgets not drawn for that long lose theirs at the next cleaning.
	xinRenderLife = 2 * time.Second
	// xinCleanGap is the least time between two cleanings of Fyne's cache
	// (fyne's internal/cache.Clean): the cleaning of a frame drawn sooner
	// after the last one waits for the first frame past the gap.
	xinCleanGap = 10 * time.Second
)

// TestXInputLoginCardKept logs out after the login screen stayed hidden
// longer than the renderers of Fyne's cache live, as any session of more
// than a minute does, and checks that the login card is drawn where it
// was at the first login, and stays there when a login is refused: the
// room of the messages, measured on text whose renderer the cache had
// dropped, was one line short, the card, centred on it, sat 12 px low,
// and the refusal, two lines, moved the fields 12 px up. The desk runs
// with FYNE_CACHE at xinRenderLife; the waits are for frames drawn after
// the lifetime and after Fyne's least gap between two cleanings, each a
// lower bound: one of the two frames cleans the cache. It does not run in
// parallel with the other X tests (t.Setenv), idle in its waits.
func TestXInputLoginCardKept(t *testing.T) {
	testclock.RealDayOnly(t, "the login card after Fyne's cache")
	t.Setenv("FYNE_CACHE", xinRenderLife.String())
	bin, display, dir := xinPrepare(t)
	d := xinStart(t, bin, display, dir)
	// The pointer, where Xvfb starts it, is on the id: Xvfb draws it into
	// the screen it keeps, and takes it off while the desk puts a frame,
	// so that a frame read then lacks it (xinUndrawn). Off to the banner.
	d.xdotool("mousemove", "--sync", strconv.Itoa(xinBannerPointer.X), strconv.Itoa(xinBannerPointer.Y))
	d.setUp()
	// The id filled, the keyboard in the password: as below after the id
	// and Enter.
	first := d.region(xinLoginIDRect)
	d.shot("logincard-first")
	d.typeText(xinPassword)
	d.keys("Return")
	d.waitScreen("Home")
	d.drawn()
	hidden := time.Now()

	// The login screen is not drawn for longer than its renderers live;
	// then a frame, and another after Fyne's least gap between cleanings.
	time.Sleep(time.Until(hidden.Add(xinRenderLife)))
	d.leave("ctrl+n", "Richiesta MV35")
	d.drawn()
	time.Sleep(xinCleanGap)
	d.come("ctrl+f", "Home")
	d.come("shift+Tab shift+Tab space", "Accesso operatore")

	d.typeText("m.rossi") // the id has the keyboard
	d.keys("Return")
	if !bytes.Equal(d.region(xinLoginIDRect), first) {
		d.shot("logincard-moved")
		t.Error("the login shown again after Fyne's cache dropped its renderers: the id is drawn elsewhere than at the first login")
	}
	d.shot("logincard-again")
	d.typeText("password-sbagliata")
	typed := d.region(xinLoginPasswordRect)
	d.keys("Return")
	img := d.waitFrame("the login refused", func(img image.Image) bool {
		return xtest.Red(xtest.Pixels(img, xinLoginMessageRect)) && !bytes.Equal(xtest.Pixels(img, xinLoginPasswordRect), typed)
	})
	d.shot("logincard-refused")
	if !bytes.Equal(xtest.Pixels(img, xinLoginIDRect), first) {
		t.Error("the login shown again after Fyne's cache dropped its renderers: the id moves when a login is refused")
	}
	if err := d.app.Alive(); err != nil {
		t.Fatalf("sportello: %v", err)
	}
	d.app.Stop(t)
	xinCheckLog(t, dir, d.app)
}
