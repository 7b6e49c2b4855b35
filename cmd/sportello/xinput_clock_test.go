package main

import (
	"context"
	"image"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/sync/pki"
)

// xinMessageRect is the part of the verification screen, at 1280×800
// under the development printer's banner, where the message under the
// checks shows, above the status bar (red too, with the clock ahead): red
// text when the issue is refused.
var xinMessageRect = image.Rect(60, 700, 1220, 762)

// TestXInputClockAhead runs the real sportello on a PC whose clock is an
// hour ahead of centrale's (the Italian time in the UTC time zone):
// centrale's clock is the real one less an hour, the desk's the real one.
// Desk 01 (in the test, on centrale's clock) sets up ROMA01 and m.rossi;
// the real sportello joins by itself, m.rossi logs in and serves Mario by keyboard,
// and Emetti PIN is refused with the message in red, on the verification
// screen: no slip, no credential in the store.
func TestXInputClockAhead(t *testing.T) {
	xinTools(t)
	// One moving clock, the real one: centrale's an hour behind it.
	centraleNow := func() time.Time { return time.Now().Add(-time.Hour) }
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
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	d := xinStart(t, bin, display, two, "-centrale", srv.URL, "-cert", cert, "-certkey", key,
		"-ca", filepath.Join(dir, "ca", pki.CertFile))
	d.logIn() // after the catch-up of the sede: centrale's answers measured the clock
	d.toMV35()
	d.fillMV35()
	d.fillVerification()
	d.keys("space", "Tab", "space", "Tab", "space") // the three checks
	d.keys("ctrl+Return")                           // Emetti PIN
	d.waitFrame("the issue refused", func(img image.Image) bool {
		return xtest.Red(xtest.Pixels(img, xinMessageRect))
	})
	shot, _ := d.shot("clock-ahead")
	t.Logf("screenshot %s", shot)
	if got := d.waitScreen("Verifica identità", "PIN emesso"); got != "Verifica identità" {
		t.Errorf("screen %q after Emetti PIN with the clock an hour ahead, want the verification", got)
	}
	d.app.Stop(t)
	store := xinOpenStore(t, two)
	if creds := xinCredentials(t, store); len(creds) != 0 {
		t.Errorf("%d credentials issued with the clock an hour ahead: %+v", len(creds), creds)
	}
}
