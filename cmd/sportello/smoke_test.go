package main

// The smoke test runs the real sportello binary in a real X server (Xvfb),
// waits for its window, takes a screenshot and checks that something was
// drawn. BenchmarkColdStart times the same start, from exec to the window
// being mapped.
//
// It needs Xvfb and ImageMagick's import on PATH:
// scripts/setup.sh installs them. It is skipped with -short, and when one
// is missing outside CI (internal/xtest.Need).
//
// Every name in this file starts with "smoke" so that it cannot clash with
// the names main.go declares in the same package.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

const (
	// smokeTitlePrefix starts the desk window's title, "PIN Sede – Sportello".
	smokeTitlePrefix = "PIN Sede"
	// smokeScreen is the Xvfb screen: a common desk monitor size.
	smokeScreen = "1280x800x24"
)

// TestMain runs the tests through xtest.Main: the sportello their X
// tests start is built once for them all (smokeBuild).
func TestMain(m *testing.M) { os.Exit(xtest.Main(m)) }

// TestSmoke starts sportello with a fresh store under Xvfb and checks that its
// window appears and is drawn.
func TestSmoke(t *testing.T) {
	t.Parallel()
	// The walks kept on a pass with the clock moved start the desk in
	// that pass's zone and locale too (TestXInputWalkIn's first screen).
	testclock.RealDayOnly(t, "the desk's first window")
	xtest.Need(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	dir := t.TempDir()

	app := smokeStartApp(t, bin, display, dir)
	mapped, err := app.WaitMapped(xtest.UntilDeadline)
	if err != nil {
		t.Fatalf("sportello window: %v", err)
	}
	title, _ := app.MappedWindow()
	t.Logf("cold start: window %q mapped %v after exec", title, mapped.Round(time.Millisecond))

	shot := filepath.Join(dir, "sportello-smoke.png")
	colours, err := xtest.Screenshot(display, shot, app, xtest.UntilDeadline)
	smokeKeepArtifacts(t, shot, app)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot %s: %d distinct colours", shot, colours)

	if err := app.Alive(); err != nil {
		t.Fatalf("sportello after the screenshot: %v", err)
	}
	// A start-up error (store, key) is shown in the same window, so a window
	// alone proves little: main reports such errors on stderr as well.
	if errs := smokeErrorLines(app.Output()); errs != "" {
		t.Errorf("sportello reported an error at start:\n%s", errs)
	}
	app.Stop(t)
}

// smokeErrorLines returns the lines of output in which sportello reports an
// error: those that start with "sportello:".
func smokeErrorLines(output string) string {
	var errs []string
	for line := range strings.Lines(output) {
		if strings.HasPrefix(line, "sportello:") {
			errs = append(errs, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(errs, "\n")
}

// BenchmarkColdStart measures the time from exec of sportello to its window
// being mapped, on an existing store (as at a desk every morning: the first,
// untimed start creates the store and key). It reports the median of the
// runs as ms/op; ns/op is their mean.
func BenchmarkColdStart(b *testing.B) {
	xtest.Need(b)
	bin := smokeBuild(b)
	display := smokeStartXvfb(b)
	dir := b.TempDir()

	first := smokeStartApp(b, bin, display, dir)
	if _, err := first.WaitMapped(xtest.UntilDeadline); err != nil {
		b.Fatalf("first start: %v", err)
	}
	first.Stop(b)

	var runs []time.Duration
	for b.Loop() {
		app := smokeStartApp(b, bin, display, dir)
		d, err := app.WaitMapped(xtest.UntilDeadline)
		b.StopTimer()
		if err != nil {
			b.Fatalf("start %d: %v", len(runs)+1, err)
		}
		runs = append(runs, d)
		app.Stop(b)
		b.StartTimer()
	}
	slices.Sort(runs)
	median := runs[len(runs)/2]
	if len(runs)%2 == 0 {
		median = (runs[len(runs)/2-1] + runs[len(runs)/2]) / 2
	}
	b.ReportMetric(float64(median)/float64(time.Millisecond), "ms/op")
}

// smokeBuild returns the sportello binary built from this package, as
// make builds it, once for the test process (xtest.Build).
func smokeBuild(tb testing.TB) string {
	tb.Helper()
	return xtest.Build(tb, "sportello")
}

// smokeMovedClock reports whether the suites' clock is moved
// (PINSEDE_TEST_NOW, make test's hard-day pass). sportello reads the real
// clock (main.go), never that variable: for the desk such a pass changes
// only its time zone and locale (TZ=America/Sao_Paulo, LC_ALL=C), on the
// real day. The X tests whose subject is not a date run on the first pass
// only (testclock.RealDayOnly): the dates and times of day the desk shows
// or stores in the pass's zone are those the walks kept on that pass carry
// through the real desk (the walk-ins' MV35, identity check, PIN issued,
// slip, citizen's page and revocation, from a kiosk ticket of the day too;
// the supervisor's audit and reconciliation of the day; the clocks an hour
// off centrale's; the second desk's handover; the print cut short), or
// that the root package's and ui/desk's tests check under the pass's TZ
// (a draft of an earlier day, a conversion).
func smokeMovedClock() bool { return os.Getenv(testclock.Env) != "" }

// smokeStartXvfb starts an X server of smokeScreen (xtest.StartXvfb).
func smokeStartXvfb(tb testing.TB) string {
	tb.Helper()
	return xtest.StartXvfb(tb, smokeScreen)
}

// smokeStartApp starts bin on display with its store, key and dev slips in
// dir, and args after those flags.
func smokeStartApp(tb testing.TB, bin, display, dir string, args ...string) *xtest.App {
	tb.Helper()
	return xtest.Start(tb, bin, display, dir, smokeTitlePrefix, append([]string{
		"-store", filepath.Join(dir, "store.db"),
		"-key", filepath.Join(dir, "store.key"),
		"-dev-print", filepath.Join(dir, "slips"),
	}, args...)...)
}

// smokeKeepArtifacts copies the screenshot and the app's output to
// $PINSEDE_SMOKE_OUT, if set: a folder, or a file name ending in .png for the
// screenshot alone.
func smokeKeepArtifacts(t *testing.T, shot string, app *xtest.App) {
	t.Helper()
	logFile := filepath.Join(filepath.Dir(shot), "sportello.log")
	if err := os.WriteFile(logFile, []byte(app.Output()), 0o644); err != nil {
		t.Errorf("write %s: %v", logFile, err)
	}
	out := os.Getenv(xtest.OutVar)
	if strings.HasSuffix(strings.ToLower(out), ".png") {
		if err := xtest.Copy(shot, out); err != nil {
			t.Errorf("%s: %v", xtest.OutVar, err)
		}
		return
	}
	for _, f := range []string{shot, logFile} {
		kept, err := xtest.Keep(f)
		if err != nil {
			t.Error(err)
		} else if kept != "" {
			t.Logf("kept %s", kept)
		}
	}
}

// TestXvfbKeepsAcceptingClients: the X server of the tests accepts every
// connection while clients come and go, three at a time, as sportello,
// xwininfo, xdotool and import do in the X input tests. Without -noreset a
// server resets each time its last client leaves and refuses connections
// meanwhile: 18 of 600 connections failed so, and with them now and then a
// sportello that could not open its display.
func TestXvfbKeepsAcceptingClients(t *testing.T) {
	testclock.RealDayOnly(t, "the X server's connections")
	xtest.Need(t, "xdpyinfo")
	display := smokeStartXvfb(t)
	const clients, each = 3, 100
	errs := make(chan error, clients*each)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range each {
				if _, err := xtest.X(display, "xdpyinfo"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed == 0 {
			t.Errorf("xdpyinfo on %s: %v", display, err)
		}
		failed++
	}
	if failed > 0 {
		t.Errorf("%d of %d connections to the test's X server refused", failed, clients*each)
	}
}
