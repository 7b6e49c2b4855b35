// Package xtest runs the real Fyne programs of cmd/ under a real X server
// for their tests, as a user's hands would drive them: it builds a program
// as make builds it, starts Xvfb, starts the program with its settings and
// caches in the test's folder, waits for its window by title, sends real X
// keyboard and mouse events (xdotool) and takes screenshots (ImageMagick's
// import). cmd/sportello's and cmd/chiosco's tests share it.
//
// # Basics
//
// [Need] skips a test with -short, and checks the tools it needs; [Build]
// builds the program, once for all the tests of the package, whose
// TestMain runs them through [Main]; [StartXvfb] starts an X server on a
// free display; [Start] starts the program on it and returns an [App],
// whose title ([App.WaitTitle]) names the screen showing; [Xdotool] sends
// events; [App.Painted] waits until the program has drawn the frame of
// every event sent so far; [Frame], [Screenshot] and [Capture] read the
// screen.
//
// # The program's output
//
// [Start] keeps what the program writes on its standard output and error
// ([App.Output]), and checks it when the test ends, the program stopped:
// Fyne's complaint of a UI call off its main goroutine ("*** Error in Fyne
// call thread, this should have been called in fyne.Do[AndWait] ***"), a
// panic, a fatal error of the Go runtime or a data race fails the test,
// quoted. Fyne runs such a call on its main goroutine all the same and
// the program looks fine: that line is the only sign of the race. A test
// that expects one of these lines says so ([App.Expect]); none does by
// default.
//
// # Caveats
//
// Tests wait on events (a window's title, a file, a frame drawn), never on
// a fixed time: every wait here ends at an event of the X server (a
// window mapped, a title set, a drawing into the window, a ping answered)
// or of the process (its exit), and polls nothing. Its bound, when the
// caller gives none (UntilDeadline), is the test's own deadline, less
// DeadlineGrace: a wait that gives up fails saying what it waited for and
// what it saw. A tool missing (Xvfb, xdotool, xwininfo, import) fails the test
// under CI (the CI variable set) and skips it elsewhere, saying which tool
// and who installs it (scripts/setup.sh).
package xtest

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
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testlog"
)

const (
	// PaintTimeout is a bound for a caller whose wait for a frame must
	// have one: a real wait ends far sooner. The waits of the X tests
	// themselves take UntilDeadline, which a loaded machine cannot reach.
	PaintTimeout = 10 * time.Second
	// MinColours is how many distinct colours a screenshot must have to
	// count as drawn: an empty X screen has one, a real window dozens.
	MinColours = 10
	// OutVar names the folder that keeps the screenshots and the programs'
	// output of the X tests (or, ending in .png, the smoke test's one
	// screenshot).
	OutVar = "PINSEDE_SMOKE_OUT"
	// RaceVar names the variable that, set to 1, has Build build the
	// programs with -race. It is not set by make: Fyne's own driver races
	// with itself as the program quits after clicks (its double-tap
	// timers and its queue of calls for the main goroutine, run or closed
	// once the loop has ended), which no program can avoid, and the build
	// costs a minute the first time.
	RaceVar = "PINSEDE_XTEST_RACE"
)

// Need skips the test with -short, and checks that each of tools (and
// Xvfb and import, which every X test uses) is on PATH: a tool
// missing fails the test under CI and skips it elsewhere, saying so.
func Need(tb testing.TB, tools ...string) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("X test: runs the real program under Xvfb; skipped with -short")
	}
	var missing []string
	for _, tool := range append([]string{"Xvfb", "import"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil && !slices.Contains(missing, tool) {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("X test: %s not found on PATH (scripts/setup.sh installs them)", strings.Join(missing, ", "))
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg + "; skipped outside CI")
}

// ModuleRoot returns the folder of go.mod at or above the working
// directory.
func ModuleRoot(tb testing.TB) string {
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
			tb.Fatalf("no go.mod at or above %s", dir)
		}
	}
}

// FyneIdleModfile runs scripts/fyne-idle.sh, which the Makefile runs
// before it builds the Fyne apps, and returns the go.mod it wrote into
// dir: the build flag -modfile with it compiles Fyne with the idle patch.
// patch, if not empty, is the patch's folder to use instead of
// third_party/fyne-idle.
func FyneIdleModfile(tb testing.TB, dir, patch string) string {
	tb.Helper()
	modfile, out, err := RunFyneIdle(ModuleRoot(tb), dir, patch)
	if err != nil {
		tb.Fatalf("scripts/fyne-idle.sh: %v\n%s", err, out)
	}
	return modfile
}

// RunFyneIdle runs scripts/fyne-idle.sh of the module at root into dir
// with the patch's folder patch (third_party/fyne-idle when empty), and
// returns the go.mod it writes and the script's output.
func RunFyneIdle(root, dir, patch string) (modfile string, out []byte, err error) {
	modfile = filepath.Join(dir, "fyne-idle.mod")
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "fyne-idle.sh"), modfile)
	cmd.Env = os.Environ()
	if patch != "" {
		cmd.Env = append(cmd.Env, "FYNE_IDLE="+patch)
	}
	out, err = cmd.CombinedOutput()
	return modfile, out, err
}

// Build builds the program of the package in the working directory under
// the name name, once for the test process, and returns its path: every
// test of the package that calls it starts the same binary (a build of
// the desk, its link alone, costs about 3 s of a core). The package's
// TestMain must run its tests through Main, which removes the programs
// built once they have run. It builds the program as make builds it:
// without Fyne's animations, and with the idle patch of Fyne's driver
// (third_party/fyne-idle, through scripts/fyne-idle.sh); with -race as
// well when $PINSEDE_XTEST_RACE is 1 (RaceVar), so that a data race in the
// program fails the test (Start). A build that failed fails every test
// that asks for it, with the compiler's output.
func Build(tb testing.TB, name string) string {
	tb.Helper()
	return build(tb, name, ".")
}

// builds are the programs Build built in this test process, in the folder
// Main made for them.
var builds struct {
	mu   sync.Mutex
	dir  string               // "" until Main runs
	made map[[2]string]*built // by name and package
}

// built is one program of builds, built once.
type built struct {
	once sync.Once
	bin  string
	err  error
}

// Main runs the tests of a package whose tests build its programs (Build)
// and returns their exit code; the package's TestMain calls it, as
// os.Exit(xtest.Main(m)). It removes the programs built once the tests
// have run.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "xtest-build-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "xtest: a folder for the programs built: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	builds.mu.Lock()
	builds.dir, builds.made = dir, map[[2]string]*built{}
	builds.mu.Unlock()
	return m.Run()
}

// shaderCache returns the folder of the GL shaders that Mesa compiled
// for the programs Start started in this test process, in the folder
// Main made ("" without Main: each program compiles its own). A program
// started with a cache of its own compiles every shader at its start
// and first frames: sportello's start, to its window mapped, took 1.14 s
// of a core with a fresh cache and 0.92 s with one warm (5 pairs side by
// side, 2026-12-07). The cache holds what Mesa compiled from the
// shaders' text, keyed by its hash, and nothing of a program's state;
// Mesa writes it safely from processes running at once.
func shaderCache() string {
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if builds.dir == "" {
		return ""
	}
	return filepath.Join(builds.dir, "mesa-shaders")
}

// build builds the program of the package pkg (a path relative to the
// working directory) as Build does, once for the process.
func build(tb testing.TB, name, pkg string) string {
	tb.Helper()
	root := ModuleRoot(tb)
	builds.mu.Lock()
	if builds.dir == "" {
		builds.mu.Unlock()
		tb.Fatal("xtest.Build: the package's TestMain must run its tests through xtest.Main")
	}
	b := builds.made[[2]string{name, pkg}]
	if b == nil {
		b = &built{}
		builds.made[[2]string{name, pkg}] = b
	}
	dir := builds.dir
	builds.mu.Unlock()
	b.once.Do(func() { b.bin, b.err = compile(root, dir, name, pkg) })
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.bin
}

// compile builds the program of the package pkg of the module at root
// into a new folder in dir, under the name name, and returns its path.
func compile(root, dir, name, pkg string) (string, error) {
	dir, err := os.MkdirTemp(dir, name+"-")
	if err != nil {
		return "", err
	}
	modfile, out, err := RunFyneIdle(root, dir, "")
	if err != nil {
		return "", fmt.Errorf("scripts/fyne-idle.sh: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, name)
	args := []string{"build", "-buildvcs=false", "-modfile", modfile, "-tags", "no_animations", "-o", bin}
	if os.Getenv(RaceVar) == "1" {
		args = append(args, "-race")
	}
	out, err = exec.Command("go", append(args, pkg)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", name, err, out)
	}
	return bin, nil
}

// StartXvfb starts an X server with one screen of the size given
// ("1280x800x24") on a free display and returns the display name (":N").
// Xvfb picks the number itself (-displayfd), which is free of races with
// other servers starting at the same time. It runs with -noreset: by
// default an X server resets when its last client leaves, and refuses
// connections while it does, so that a program started as the previous
// one (or an xdotool, an import) closed found the display unreachable
// ("Failed to open display") now and then. It keeps its screen in a file
// (-fbdir), which Frame reads. The server is stopped when the test ends.
func StartXvfb(tb testing.TB, screen string) string {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var stderr testlog.Buffer
	fbdir := tb.TempDir()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp", "-noreset", "-fbdir", fbdir)
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.Stderr = &stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		tb.Fatalf("start Xvfb (scripts/setup.sh installs it): %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() { stop(cmd, done) })

	deadline, release := deadlineOf(tb, UntilDeadline)
	defer release()
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
		display := ":" + n
		framebuffers.Store(display, filepath.Join(fbdir, "Xvfb_screen0"))
		servers.Store(display, cmd.Process.Pid)
		tb.Cleanup(func() { framebuffers.Delete(display); servers.Delete(display) })
		return display
	case err := <-done:
		tb.Fatalf("Xvfb exited: %v\n%s", err, stderr.String())
	case <-deadline:
		tb.Fatalf("Xvfb gave no display number before the test's deadline nears:\n%s", stderr.String())
	}
	return ""
}

// servers maps the display of each X server StartXvfb started to its
// process id.
var servers sync.Map // display → int

// ServerPID returns the process id of the X server StartXvfb started on
// display, and whether it did: a test that starves the machine of
// processor starves the program's X server with it.
func ServerPID(display string) (int, bool) {
	pid, ok := servers.Load(display)
	if !ok {
		return 0, false
	}
	return pid.(int), true
}

// App is a running program on an X server.
type App struct {
	// Cmd is the program's process.
	Cmd *exec.Cmd
	// Display is the X display it runs on.
	Display string
	// TitlePrefix starts the title of the program's window.
	TitlePrefix string
	// Started is when it was started.
	Started time.Time

	tb      testing.TB // the test that started it: its deadline (Deadline)
	name    string
	windows *windows // the display's windows, once asked
	painter *painter // the frames it draws, once asked
	// gone is closed once the process has ended, waitErr then its
	// Wait's result.
	gone    chan struct{}
	waitErr error
	stopped bool // Stop ran: the end was asked for
	// longest is the longest of its waits that ended well, and
	// longestFor what it waited for: how near a slow machine came to a
	// wait's bound, logged when the test ends.
	longest    time.Duration
	longestFor string
	output     testlog.Buffer // stdout and stderr
	// expected are the faults in the output that the test expects
	// (Expect).
	expected []string
}

// Start starts bin on display with args, its working directory the module
// root (so that the development fallback of Fyne finds FyneApp.toml and the
// icon there, as with `go run`) and Fyne's settings and caches in dir,
// but for the shaders Mesa compiles, which the programs of a test process
// run through Main share (shaderCache). Its window's title starts with
// titlePrefix. It is stopped when the test
// ends (Stop), and its output checked then: the test fails on Fyne's
// complaint of a UI call off its main goroutine, a panic, a fatal error
// of the runtime or a data race in it, quoting the lines, unless the test
// declared them (Expect). The output is logged if the test failed.
func Start(tb testing.TB, bin, display, dir, titlePrefix string, args ...string) *App {
	tb.Helper()
	a := &App{Display: display, TitlePrefix: titlePrefix, tb: tb, name: filepath.Base(bin), gone: make(chan struct{})}
	a.Cmd = exec.Command(bin, args...)
	a.Cmd.Dir = ModuleRoot(tb)
	a.Cmd.Env = append(Environ("DISPLAY", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "MESA_SHADER_CACHE_DIR"),
		"DISPLAY="+display,
		// Fyne's settings and caches go to the test's folder, not the user's.
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
	)
	if cache := shaderCache(); cache != "" {
		// Mesa's compiled shaders, shared by the programs of the test
		// process (shaderCache); the rest of the cache stays the test's.
		a.Cmd.Env = append(a.Cmd.Env, "MESA_SHADER_CACHE_DIR="+cache)
	}
	tb.Cleanup(func() {
		if a.windows != nil {
			a.windows.close()
		}
		if a.painter != nil {
			a.painter.close()
		}
	})
	a.Cmd.Stdout = &a.output
	a.Cmd.Stderr = &a.output
	a.Started = time.Now()
	if err := a.Cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", a.name, err)
	}
	go func() {
		a.waitErr = a.Cmd.Wait()
		close(a.gone)
	}()
	tb.Cleanup(func() {
		a.Stop(tb)
		if a.longest > 0 {
			tb.Logf("%s: the longest wait, %v, for %s", a.name, a.longest.Round(time.Millisecond), a.longestFor)
		}
		a.checkOutput(tb)
		if tb.Failed() {
			tb.Logf("%s output:\n%s", a.name, a.Output())
		}
	})
	return a
}

// Output returns what the program wrote so far on its standard output and
// error.
func (a *App) Output() string { return a.output.String() }

// UntilDeadline, given as a wait's timeout, has the wait last as long as
// the test may run, up to WaitNet: a slow machine then only makes the
// test slower. The wait gives up DeadlineGrace before go test's -timeout
// would end the test binary, and fails saying what it waited for, with a
// screenshot, where the binary's panic would say only where each
// goroutine stood.
const UntilDeadline time.Duration = 0

// DeadlineGrace is how long before the test's deadline (go test
// -timeout) a wait with no bound of its own (UntilDeadline) gives up.
const DeadlineGrace = 30 * time.Second

// WaitNet is the longest a wait with no bound of its own (UntilDeadline)
// lasts, if the test's deadline is later: a safety net far beyond any
// real wait (the longest seen, at a load of 12 to 15 on 2 cores, was
// 1m24s), so that a screen that never comes (a key that landed
// elsewhere) fails its test in minutes, not at the suite's deadline with
// every other test of the binary.
const WaitNet = 5 * time.Minute

// Deadline returns when the waits of tb with no bound of their own give
// up: DeadlineGrace before the test's deadline, if it has one (a
// benchmark, or go test -timeout 0, has none: false).
func Deadline(tb testing.TB) (time.Time, bool) { return testlog.Deadline(tb, DeadlineGrace) }

// deadline returns a channel that receives when a wait of the app's of
// timeout gives up (deadlineOf).
func (a *App) deadline(timeout time.Duration) (<-chan time.Time, func()) {
	return deadlineOf(a.tb, timeout)
}

// deadlineOf returns a channel that receives when a wait of tb's of
// timeout gives up (UntilDeadline: at the test's Deadline or after
// WaitNet, whichever comes first, or never without a deadline), and the
// function that releases its timer.
func deadlineOf(tb testing.TB, timeout time.Duration) (<-chan time.Time, func()) {
	left := timeout
	if timeout == UntilDeadline {
		at, ok := Deadline(tb)
		if !ok {
			return nil, func() {}
		}
		left = min(time.Until(at), WaitNet)
	}
	t := time.NewTimer(max(left, 0))
	return t.C, func() { t.Stop() }
}

// WaitMapped waits until a window whose title starts with the app's
// TitlePrefix is viewable, at the X server's event, and returns the time
// since the start. It returns an error when the app exits, or after
// timeout (UntilDeadline: at the test's Deadline).
func (a *App) WaitMapped(timeout time.Duration) (time.Duration, error) {
	what := fmt.Sprintf("a viewable window titled %q…", a.TitlePrefix)
	if _, _, err := a.waitWindow(timeout, what, func(string) bool { return true }); err != nil {
		return 0, err
	}
	return time.Since(a.Started), nil
}

// MappedWindow reports the title of a viewable window of the app, if any.
func (a *App) MappedWindow() (string, bool) {
	w, err := a.windowsOf()
	if err != nil {
		return "", false
	}
	_, title, ok := w.find(a.TitlePrefix)
	return title, ok
}

// WaitTitle waits until the app's viewable window has one of titles, and
// returns which; it returns an error, with the last title seen, when the
// app exits or after timeout (UntilDeadline: at the test's Deadline). It
// follows the title's changes as the X server reports them.
func (a *App) WaitTitle(timeout time.Duration, titles ...string) (string, error) {
	_, title, err := a.waitWindow(timeout, fmt.Sprintf("%q", titles), func(t string) bool { return slices.Contains(titles, t) })
	return title, err
}

// WaitTitleNot waits until the app's viewable window has another title
// than title, and returns it, as WaitTitle does.
func (a *App) WaitTitleNot(timeout time.Duration, title string) (string, error) {
	_, now, err := a.waitWindow(timeout, fmt.Sprintf("another title than %q", title), func(t string) bool { return t != title })
	return now, err
}

// waited records a wait begun at began for what, that ended well.
func (a *App) waited(began time.Time, what string) {
	if d := time.Since(began); d > a.longest {
		a.longest, a.longestFor = d, what
	}
}

// Done returns a channel closed once the process has ended: a test's
// wait on something else (a record at centrale) ends there too.
func (a *App) Done() <-chan struct{} { return a.gone }

// Alive returns an error if the process has exited, or was stopped.
func (a *App) Alive() error {
	select {
	case <-a.gone:
		return fmt.Errorf("%s exited early (%v)", a.name, a.waitErr)
	default:
	}
	if a.stopped {
		return fmt.Errorf("%s stopped", a.name)
	}
	return nil
}

// quitWait is how long Stop waits for a program to quit on SIGTERM
// before it kills it: a safety net for a hang, not a measure of the
// quit, so that a loaded machine cannot change the verdict (the desk
// itself gives up on a quit that goes 5 s of the time it runs without
// progress, shutdown.ExitIfStuck, and exits with status 1, which Stop
// reports).
const quitWait = time.Minute

// Stop ends the process (SIGTERM, then SIGKILL) and waits for it. When
// it was still running, it must quit on SIGTERM by itself, with status
// 0: Stop fails tb otherwise. A panic on its way out (the desk once
// panicked there, racing Fyne's own quit) fails the test when it ends,
// with the rest of the output's check (Start).
func (a *App) Stop(tb testing.TB) {
	tb.Helper()
	if err := a.stop(); err != nil {
		tb.Errorf("%s on SIGTERM: %v", a.name, err)
	}
}

// stop is Stop, returning what went wrong.
func (a *App) stop() error {
	if a.stopped {
		return nil
	}
	a.stopped = true
	select {
	case <-a.gone:
		return nil // it had ended: Alive and the test said so
	default:
	}
	_ = a.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.gone:
	case <-time.After(quitWait):
		// SIGQUIT makes a Go program write every goroutine's stack to its
		// output, which the test logs: where it is stuck.
		_ = a.Cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-a.gone:
		case <-time.After(5 * time.Second):
			_ = a.Cmd.Process.Kill()
			<-a.gone
		}
		return fmt.Errorf("still running %v after SIGTERM: its goroutines dumped by SIGQUIT, below", quitWait)
	}
	if a.waitErr != nil {
		return fmt.Errorf("exited with %v", a.waitErr)
	}
	return nil
}

// stop sends SIGTERM to a started command, waits up to 5s for it, then
// kills it. done receives the result of cmd.Wait.
func stop(cmd *exec.Cmd, done chan error) {
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

// Xdotool runs xdotool with args on display.
func Xdotool(display string, args ...string) error {
	_, err := X(display, "xdotool", args...)
	return err
}

// Screenshot takes a screenshot of the whole screen into file, and
// again after each drawing of app until one has more than MinColours
// colours, and returns how many it has. It fails when the app exits, or
// after timeout (UntilDeadline: at the test's Deadline), with the colours
// of the last.
func Screenshot(display, file string, app *App, timeout time.Duration) (int, error) {
	n := 0
	look := func() (bool, error) {
		if _, err := X(display, "import", "-window", "root", file); err != nil {
			return false, err
		}
		var err error
		n, err = Colours(file)
		return n > MinColours, err
	}
	// Once at once, so that a screen with no window of the app's is taken
	// too (a failed test's last look).
	if drawn, err := look(); drawn || err != nil {
		return n, err
	}
	if err := app.WaitDrawn(timeout, fmt.Sprintf("a screenshot of more than %d colours", MinColours), look); err != nil {
		return n, fmt.Errorf("%s looks blank, %d distinct colours: %w", file, n, err)
	}
	return n, nil
}

// Capture takes a screenshot of display into file and returns it.
func Capture(display, file string) (image.Image, error) {
	if _, err := X(display, "import", "-window", "root", file); err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return decode(file)
}

// decode reads a PNG file.
func decode(file string) (image.Image, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", file, err)
	}
	return img, nil
}

// Colours counts the distinct colours of a PNG file.
func Colours(file string) (int, error) {
	img, err := decode(file)
	if err != nil {
		return 0, err
	}
	return CountColours(img), nil
}

// CountColours counts the distinct colours of img.
func CountColours(img image.Image) int {
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

// Pixels returns the pixels of r in img, three bytes (RGB) each.
func Pixels(img image.Image, r image.Rectangle) []byte {
	px := make([]byte, 0, 3*r.Dx()*r.Dy())
	if rgba, ok := img.(*image.RGBA); ok { // a Frame: no colour conversion
		r = r.Intersect(rgba.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := rgba.Pix[rgba.PixOffset(r.Min.X, y):rgba.PixOffset(r.Max.X, y)]
			for i := 0; i < len(row); i += 4 {
				px = append(px, row[i], row[i+1], row[i+2])
			}
		}
		return px
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			red, green, blue, _ := img.At(x, y).RGBA()
			px = append(px, byte(red>>8), byte(green>>8), byte(blue>>8))
		}
	}
	return px
}

// Keep copies file into the folder $PINSEDE_SMOKE_OUT names, if it names
// one (not a .png file), and returns the copy's path ("" when none).
func Keep(file string) (string, error) {
	out := os.Getenv(OutVar)
	if out == "" || strings.HasSuffix(strings.ToLower(out), ".png") {
		return "", nil
	}
	to := filepath.Join(out, filepath.Base(file))
	if err := Copy(file, to); err != nil {
		return "", fmt.Errorf("%s: %w", OutVar, err)
	}
	return to, nil
}

// Copy copies the file from to the file to, making its folder.
func Copy(from, to string) error {
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

// X runs an X client on display and returns its standard output.
func X(display, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	// A UTF-8 locale, for the clients that print text ("PIN Sede – Sportello").
	cmd.Env = append(Environ("DISPLAY", "LC_ALL"), "DISPLAY="+display, "LC_ALL=C.UTF-8")
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

// Environ returns the environment without the named variables.
func Environ(drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			env = append(env, kv)
		}
	}
	return env
}

// ClearOfMidnight waits, when the real clock is within margin of the end
// of the day, until the next day begins: a kiosk ticket is valid on its
// day only, and the programs read the real clock, so a test that prints
// one must not cross midnight.
func ClearOfMidnight(tb testing.TB, margin time.Duration) {
	tb.Helper()
	now := time.Now()
	y, m, d := now.Date()
	next := time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
	if left := next.Sub(now); left < margin {
		tb.Logf("waiting %s for the day to turn", left.Round(time.Second))
		time.Sleep(left + time.Second)
	}
}
