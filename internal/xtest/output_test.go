package xtest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestOutputCheckCatchesOffMainCall starts a real Fyne program that
// paints its window from a goroutine of its own (testdata/offmain): with
// -offmain it refreshes the canvas there, and the check of its output at
// the test's end fails the test, quoting Fyne's complaint and the line of
// the call; through fyne.DoAndWait, it passes. A test that declares the
// complaint (Expect) passes on it.
func TestOutputCheckCatchesOffMainCall(t *testing.T) {
	Need(t)
	bin := build(t, "offmain", "./testdata/offmain")
	display := StartXvfb(t, "320x240x24")
	for _, c := range []struct {
		name   string
		args   []string
		expect string
		fails  []string // in the failures, in this order
	}{
		{name: "through fyne.Do"},
		{name: "off the main goroutine", args: []string{"-offmain"}, fails: []string{
			"offmain's output reports a Fyne call off its main goroutine",
			"*** Error in Fyne call thread, this should have been called in fyne.Do[AndWait] ***",
			"From: ", "testdata/offmain/main.go:",
		}},
		{name: "off the main goroutine, expected", args: []string{"-offmain"}, expect: "should have been called in fyne.Do"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			app := Start(r, bin, display, t.TempDir(), "offmain", c.args...)
			if c.expect != "" {
				app.Expect(c.expect)
			}
			if _, err := app.WaitTitle(UntilDeadline, "offmain done"); err != nil {
				t.Fatal(err)
			}
			r.runCleanups()
			failures := strings.Join(r.errors, "\n")
			if len(c.fails) == 0 && failures != "" {
				t.Fatalf("the check failed the test:\n%s", failures)
			}
			rest := failures
			for _, want := range c.fails {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("the failures lack %q (after what came before it):\n%s", want, failures)
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

// recorder is a testing.TB that records its failures (Error, Errorf)
// rather than failing the test, and runs its cleanups when told.
type recorder struct {
	testing.TB

	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

// Errorf records a failure.
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Error records a failure.
func (r *recorder) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprint(args...))
}

// Failed reports whether a failure was recorded.
func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors) > 0
}

// Cleanup keeps f for runCleanups.
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// runCleanups runs the cleanups kept, the last first, as testing does.
func (r *recorder) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
}

// TestScanOutput finds each fault in a program's output, whatever prints
// it (the standard log, a slog handler, the runtime), quotes the lines
// that tell where, passes over what the test expected, and names the
// expected lines that did not come.
func TestScanOutput(t *testing.T) {
	const fyneLine = "*** Error in Fyne call thread, this should have been called in fyne.Do[AndWait] ***"
	for _, c := range []struct {
		name     string
		output   string
		expected []string
		faults   []string // what: quote
		missing  []string
	}{
		{name: "clean", output: "sportello: started\nlevel=INFO msg=\"a panic: word in a message\"\n"},
		{
			name:   "Fyne, standard log",
			output: "2026/12/06 02:10:00 " + fyneLine + "\n2026/12/06 02:10:00   From: /src/ui/desk/queue.go:181\n2026/12/06 02:10:01 next\n",
			faults: []string{"a Fyne call off its main goroutine (not through fyne.Do or fyne.DoAndWait): \t2026/12/06 02:10:00 " + fyneLine + "\n\t2026/12/06 02:10:00   From: /src/ui/desk/queue.go:181"},
		},
		{
			name:   "Fyne, slog",
			output: `time=x level=INFO msg="` + fyneLine + `"` + "\nlevel=INFO msg=\"next\"\n",
			faults: []string{"a Fyne call off its main goroutine (not through fyne.Do or fyne.DoAndWait): \ttime=x level=INFO msg=\"" + fyneLine + "\""},
		},
		{
			name:   "panic",
			output: "ok\npanic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n",
			faults: []string{"a panic: \tpanic: runtime error: index out of range"},
		},
		{
			name:   "fatal error",
			output: "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\n",
			faults: []string{"a fatal error of the Go runtime: \tfatal error: concurrent map writes"},
		},
		{
			name:   "race",
			output: "==================\nWARNING: DATA RACE\nWrite at 0x00c by goroutine 7:\n  main.f()\n\nPrevious read\n",
			faults: []string{"a data race (built with -race): \tWARNING: DATA RACE\n\tWrite at 0x00c by goroutine 7:\n\t  main.f()"},
		},
		{
			name: "Fyne's error, slog",
			output: `time=x level=INFO msg="Fyne error:  Preferences load error:"` + "\n" + `time=x level=INFO msg="  Cause: EOF"` + "\n" +
				`time=x level=INFO msg="  At: /fyne/app/preferences.go:103"` + "\n" + `time=x level=INFO msg="the quit ends"` + "\n",
			faults: []string{"an error Fyne logged (fyne.LogError): \ttime=x level=INFO msg=\"Fyne error:  Preferences load error:\"\n" +
				"\ttime=x level=INFO msg=\"  Cause: EOF\"\n\ttime=x level=INFO msg=\"  At: /fyne/app/preferences.go:103\""},
		},
		{
			name:     "expected",
			output:   fyneLine + "\n  From: x.go:1\n",
			expected: []string{"Error in Fyne call thread"},
		},
		{
			name:     "expected, missing",
			output:   "fine\n",
			expected: []string{"Error in Fyne call thread"},
			missing:  []string{"Error in Fyne call thread"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			faults, missing := scanOutput(c.output, c.expected)
			var got []string
			for _, f := range faults {
				got = append(got, f.what+": "+f.quote)
			}
			if strings.Join(got, "|") != strings.Join(c.faults, "|") {
				t.Errorf("faults:\n%q\nwant\n%q", got, c.faults)
			}
			if strings.Join(missing, "|") != strings.Join(c.missing, "|") {
				t.Errorf("missing %q, want %q", missing, c.missing)
			}
		})
	}
}
