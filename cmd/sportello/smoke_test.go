package main

// The smoke test runs the real sportello binary in a real X server (Xvfb),
// waits for its window, takes a screenshot and checks that something was
// drawn. BenchmarkColdStart times the same start, from exec to the window
// being mapped.
//
// It needs Xvfb, xwininfo (x11-utils) and ImageMagick's import on PATH:
// scripts/setup.sh installs them. It is skipped only with -short.
//
// Every name in this file starts with "smoke" so that it cannot clash with
// the names main.go declares in the same package.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// smokeTitlePrefix starts the desk window's title, "PIN Sede – Sportello".
	smokeTitlePrefix = "PIN Sede"
	// smokeScreen is the Xvfb screen: a common desk monitor size.
	smokeScreen = "1280x800x24"
	// smokeMapTimeout bounds the wait from exec to a mapped window.
	smokeMapTimeout = 20 * time.Second
	// smokePaintTimeout bounds the wait from a mapped window to a screenshot
	// that shows more than a blank screen.
	smokePaintTimeout = 10 * time.Second
	// smokeMinColours is how many distinct colours a screenshot must have to
	// count as drawn: an empty X screen has one, a real window dozens.
	smokeMinColours = 10
)

// TestSmoke starts sportello with a fresh store under Xvfb and checks that its
// window appears and is drawn.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test: builds sportello and runs it under Xvfb; skipped with -short")
	}
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	dir := t.TempDir()

	app := smokeStartApp(t, bin, display, dir)
	mapped, err := app.waitMapped(smokeMapTimeout)
	if err != nil {
		t.Fatalf("sportello window: %v", err)
	}
	t.Logf("cold start: window %q mapped %v after exec", app.title, mapped.Round(time.Millisecond))

	shot := filepath.Join(dir, "sportello-smoke.png")
	colours, err := smokeScreenshot(display, shot, app, smokePaintTimeout)
	smokeKeepArtifacts(t, shot, app)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot %s: %d distinct colours", shot, colours)

	if err := app.alive(); err != nil {
		t.Fatalf("sportello after the screenshot: %v", err)
	}
	// A start-up error (store, key) is shown in the same window, so a window
	// alone proves little: main reports such errors on stderr as well.
	if errs := smokeErrorLines(app.output.String()); errs != "" {
		t.Errorf("sportello reported an error at start:\n%s", errs)
	}
	app.stop()
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
	if testing.Short() {
		b.Skip("cold start: builds sportello and runs it under Xvfb; skipped with -short")
	}
	bin := smokeBuild(b)
	display := smokeStartXvfb(b)
	dir := b.TempDir()

	first := smokeStartApp(b, bin, display, dir)
	if _, err := first.waitMapped(smokeMapTimeout); err != nil {
		b.Fatalf("first start: %v", err)
	}
	first.stop()

	var runs []time.Duration
	for b.Loop() {
		app := smokeStartApp(b, bin, display, dir)
		d, err := app.waitMapped(smokeMapTimeout)
		b.StopTimer()
		if err != nil {
			b.Fatalf("start %d: %v", len(runs)+1, err)
		}
		runs = append(runs, d)
		app.stop()
		b.StartTimer()
	}
	slices.Sort(runs)
	median := runs[len(runs)/2]
	if len(runs)%2 == 0 {
		median = (runs[len(runs)/2-1] + runs[len(runs)/2]) / 2
	}
	b.ReportMetric(float64(median)/float64(time.Millisecond), "ms/op")
}

// smokeBuild builds the sportello binary from this package into a temporary
// folder and returns its path. It builds it as make builds it: without
// Fyne's animations, and with the idle patch of Fyne's driver
// (third_party/fyne-idle, through scripts/fyne-idle.sh).
func smokeBuild(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	modfile := fyneIdleModfile(tb, dir, "")
	bin := filepath.Join(dir, "sportello")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-modfile", modfile, "-tags", "no_animations", "-o", bin, ".")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// smokeStartXvfb starts an X server on a free display and returns the
// display name (":N"). Xvfb picks the number itself (-displayfd), which is
// free of races with other servers starting at the same time. It runs with
// -noreset: by default an X server resets when its last client leaves, and
// refuses connections while it does, so that a sportello started as the
// previous one (or an xwininfo, an xdotool) closed found the display
// unreachable ("Failed to open display") now and then
// (TestXvfbKeepsAcceptingClients). The server is stopped when the test
// ends.
func smokeStartXvfb(tb testing.TB) string {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var stderr smokeBuffer
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", smokeScreen, "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.Stderr = &stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		tb.Fatalf("start Xvfb (scripts/setup.sh installs it): %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() { smokeStop(cmd, done) })

	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			tb.Fatalf("Xvfb gave no display number:\n%s", stderr.String())
		}
		return ":" + n
	case err := <-done:
		tb.Fatalf("Xvfb exited: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		tb.Fatalf("Xvfb gave no display number in 10s:\n%s", stderr.String())
	}
	return ""
}

// smokeApp is a running sportello process.
type smokeApp struct {
	cmd     *exec.Cmd
	display string
	start   time.Time
	done    chan error // receives Wait's result once
	exited  bool
	exitErr error
	output  smokeBuffer // stdout and stderr
	title   string      // the window's title, once mapped
}

// smokeStartApp starts bin on display with its store, key and dev slips in
// dir, and args after those flags. Its working directory is the module root, so that the development
// fallback of Fyne finds FyneApp.toml and the icon there, as with `go run`.
func smokeStartApp(tb testing.TB, bin, display, dir string, args ...string) *smokeApp {
	tb.Helper()
	app := &smokeApp{display: display, done: make(chan error, 1)}
	app.cmd = exec.Command(bin, append([]string{
		"-store", filepath.Join(dir, "store.db"),
		"-key", filepath.Join(dir, "store.key"),
		"-dev-print", filepath.Join(dir, "slips"),
	}, args...)...)
	app.cmd.Dir = smokeModuleRoot(tb)
	app.cmd.Env = append(smokeEnviron("DISPLAY", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"),
		"DISPLAY="+display,
		// Fyne's settings and caches go to the test's folder, not the user's.
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
	)
	app.cmd.Stdout = &app.output
	app.cmd.Stderr = &app.output
	app.start = time.Now()
	if err := app.cmd.Start(); err != nil {
		tb.Fatalf("start sportello: %v", err)
	}
	go func() { app.done <- app.cmd.Wait() }()
	tb.Cleanup(func() {
		app.stop()
		if tb.Failed() {
			tb.Logf("sportello output:\n%s", app.output.String())
		}
	})
	return app
}

// smokeWindowLine matches a window line of `xwininfo -root -tree`:
// `0x400007 "PIN Sede – Sportello": ("PIN Sede – Sportello" "...")  1024x700+0+0`,
// the window's name first, then its class.
var smokeWindowLine = regexp.MustCompile(`^\s*(0x[0-9a-fA-F]+) (.*)$`)

// smokeTitle matches a quoted title that starts with smokeTitlePrefix.
var smokeTitle = regexp.MustCompile(`"(` + regexp.QuoteMeta(smokeTitlePrefix) + `[^"]*)"`)

// waitMapped polls the X server until a window whose title starts with
// smokeTitlePrefix is viewable, and returns the time since exec.
func (a *smokeApp) waitMapped(timeout time.Duration) (time.Duration, error) {
	deadline := a.start.Add(timeout)
	for {
		if err := a.alive(); err != nil {
			return 0, err
		}
		if title, ok := a.mappedWindow(); ok {
			a.title = title
			return time.Since(a.start), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no viewable window titled %q… within %v", smokeTitlePrefix, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mappedWindow reports the title of a viewable window of the app, if any.
func (a *smokeApp) mappedWindow() (string, bool) {
	tree, err := smokeX(a.display, "xwininfo", "-root", "-tree")
	if err != nil {
		return "", false
	}
	for line := range strings.SplitSeq(tree, "\n") {
		// The name is matched, or else the class: xwininfo prints a UTF-8
		// name as a conversion failure under a non-UTF-8 locale.
		m := smokeWindowLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		t := smokeTitle.FindStringSubmatch(m[2])
		if t == nil {
			continue
		}
		info, err := smokeX(a.display, "xwininfo", "-id", m[1])
		if err == nil && strings.Contains(info, "Map State: IsViewable") {
			return t[1], true
		}
	}
	return "", false
}

// alive returns an error if the process has exited.
func (a *smokeApp) alive() error {
	if !a.exited {
		select {
		case err := <-a.done:
			a.exited, a.exitErr = true, err
		default:
			return nil
		}
	}
	return fmt.Errorf("sportello exited early (%v)", a.exitErr)
}

// stop ends the process (SIGTERM, then SIGKILL) and waits for it.
func (a *smokeApp) stop() {
	if a.exited {
		return
	}
	smokeStop(a.cmd, a.done)
	a.exited = true
}

// smokeStop sends SIGTERM to a started command, waits up to 5s for it, then
// kills it. done receives the result of cmd.Wait.
func smokeStop(cmd *exec.Cmd, done chan error) {
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// smokeScreenshot takes screenshots of the whole screen into file until one
// has at least smokeMinColours colours, and returns how many it has.
func smokeScreenshot(display, file string, app *smokeApp, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		if err := app.alive(); err != nil {
			return 0, err
		}
		if _, err := smokeX(display, "import", "-window", "root", file); err != nil {
			return 0, err
		}
		n, err := smokeColours(file)
		if err != nil {
			return 0, err
		}
		if n > smokeMinColours {
			return n, nil
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("%s looks blank: %d distinct colours after %v (want more than %d)",
				file, n, timeout, smokeMinColours)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// smokeColours counts the distinct colours of a PNG file.
func smokeColours(file string) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("decode %s: %w", file, err)
	}
	return smokeCountColours(img), nil
}

func smokeCountColours(img image.Image) int {
	seen := make(map[[4]uint32]struct{})
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = struct{}{}
		}
	}
	return len(seen)
}

// smokeKeepArtifacts copies the screenshot and the app's output to
// $PINSEDE_SMOKE_OUT, if set: a folder, or a file name ending in .png for the
// screenshot alone.
func smokeKeepArtifacts(t *testing.T, shot string, app *smokeApp) {
	t.Helper()
	logFile := filepath.Join(filepath.Dir(shot), "sportello.log")
	if err := os.WriteFile(logFile, []byte(app.output.String()), 0o644); err != nil {
		t.Errorf("write %s: %v", logFile, err)
	}
	out := os.Getenv("PINSEDE_SMOKE_OUT")
	if out == "" {
		return
	}
	copies := map[string]string{shot: out}
	if !strings.HasSuffix(strings.ToLower(out), ".png") {
		copies = map[string]string{
			shot:    filepath.Join(out, filepath.Base(shot)),
			logFile: filepath.Join(out, filepath.Base(logFile)),
		}
	}
	for from, to := range copies {
		if err := smokeCopy(from, to); err != nil {
			t.Errorf("PINSEDE_SMOKE_OUT: %v", err)
			continue
		}
		t.Logf("kept %s", to)
	}
}

func smokeCopy(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s: %w", to, err)
	}
	return dst.Close()
}

// smokeX runs an X client on display and returns its standard output.
func smokeX(display, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	// A UTF-8 locale, so that xwininfo can print titles such as "PIN Sede – Sportello".
	cmd.Env = append(smokeEnviron("DISPLAY", "LC_ALL"), "DISPLAY="+display, "LC_ALL=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var notFound *exec.Error
		if errors.As(err, &notFound) {
			return "", fmt.Errorf("%s not found (scripts/setup.sh installs it): %w", name, err)
		}
		return string(out), fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// smokeEnviron returns the environment without the named variables.
func smokeEnviron(drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			env = append(env, kv)
		}
	}
	return env
}

// smokeModuleRoot returns the folder of go.mod above the working directory.
func smokeModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// smokeBuffer is a bytes.Buffer safe for the concurrent writes of a
// process's stdout and stderr.
type smokeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *smokeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *smokeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestXvfbKeepsAcceptingClients: the X server of the tests accepts every
// connection while clients come and go, three at a time, as sportello,
// xwininfo, xdotool and import do in the X input tests. Without -noreset a
// server resets each time its last client leaves and refuses connections
// meanwhile: 18 of 600 connections failed so, and with them now and then a
// sportello that could not open its display.
func TestXvfbKeepsAcceptingClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Xvfb; skipped with -short")
	}
	if _, err := exec.LookPath("xdpyinfo"); err != nil {
		t.Fatalf("xdpyinfo not found (x11-utils; scripts/setup.sh installs it): %v", err)
	}
	display := smokeStartXvfb(t)
	const clients, each = 3, 100
	errs := make(chan error, clients*each)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range each {
				if _, err := smokeX(display, "xdpyinfo"); err != nil {
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
