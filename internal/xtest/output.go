package xtest

import (
	"strings"
	"testing"
)

// A mark is a sign, in a program's output, of a fault its test might not
// see otherwise: the program goes on running, or ends with status 0.
type mark struct {
	// text is found in the line: at its start when start is set.
	text  string
	start bool
	// what names the fault in the test's failure.
	what string
	// follow, when set, holds what the lines right after it that the
	// failure quotes hold, one of them each (Fyne's "From: file:line", or
	// "Cause: " and "At: "); otherwise it quotes the lines after it up to
	// a blank line (a race's first access), quoteAfter at most.
	follow []string
}

// marks are the faults the check of a program's output fails on.
//
// Fyne (fyne.io/fyne/v2/internal/async, EnsureMain and EnsureNotMain)
// prints its complaint with the standard log, which goes to standard
// error, or to the program's slog handler once it calls slog.SetDefault
// (as the desk does: `msg="*** Error in Fyne call thread…"`): so it is
// looked for anywhere in a line. It then runs the call on its main
// goroutine all the same, and the program shows nothing wrong: the race
// is in the widgets' state, and shows at random, later. Its other errors
// (fyne.LogError, "Fyne error:" then the cause and the source line) it
// logs the same way and goes on: the preferences read while they were
// being written, a locale it could not read.
var marks = []mark{
	{text: "*** Error in Fyne call thread", what: "a Fyne call off its main goroutine (not through fyne.Do or fyne.DoAndWait)", follow: []string{"From: "}},
	{text: "panic: ", start: true, what: "a panic"},
	{text: "fatal error: ", start: true, what: "a fatal error of the Go runtime"},
	{text: "WARNING: DATA RACE", start: true, what: "a data race (built with -race)"},
	{text: "Fyne error: ", what: "an error Fyne logged (fyne.LogError)", follow: []string{"  Cause: ", "  At: "}},
}

// quoteAfter is how many lines after a mark's line a failure quotes at
// most: the test's log holds the whole output.
const quoteAfter = 8

// Expect declares that the program's output holds a line containing
// text, one of the faults that the check of its output fails the test on
// (Fyne's complaint of a call off its main goroutine, a panic, a fatal
// error, a data race): the check then passes such lines over, and fails
// the test if none came. No line is expected unless a test says so.
func (a *App) Expect(text string) {
	a.expected = append(a.expected, text)
}

// checkOutput fails tb on each fault in the program's output, quoting
// its lines, and on each line Expect declared that did not come. It runs
// once the program has ended, when its output is complete.
func (a *App) checkOutput(tb testing.TB) {
	tb.Helper()
	faults, missing := scanOutput(a.Output(), a.expected)
	for _, f := range faults {
		tb.Errorf("%s's output reports %s:\n%s", a.name, f.what, f.quote)
	}
	for _, text := range missing {
		tb.Errorf("%s's output has no line with %q, which the test expected", a.name, text)
	}
}

// A fault is a mark found in a program's output.
type fault struct {
	what  string
	quote string // its line and the few after it
}

// scanOutput returns the faults in output that no line of expected
// covers, and the expected lines that did not come.
func scanOutput(output string, expected []string) (faults []fault, missing []string) {
	lines := strings.Split(output, "\n")
	came := make([]bool, len(expected))
	for i, line := range lines {
		m, ok := findMark(line)
		if !ok {
			continue
		}
		if j := expectedIndex(line, expected); j >= 0 {
			came[j] = true
			continue
		}
		end := i + 1
		if len(m.follow) > 0 {
			for end < len(lines) && containsAny(lines[end], m.follow) {
				end++
			}
		} else {
			for end < len(lines) && end <= i+quoteAfter && strings.TrimSpace(lines[end]) != "" && !isMark(lines[end]) {
				end++
			}
		}
		faults = append(faults, fault{what: m.what, quote: "\t" + strings.Join(lines[i:end], "\n\t")})
	}
	for j, text := range expected {
		if !came[j] {
			missing = append(missing, text)
		}
	}
	return faults, missing
}

// findMark returns the mark line holds, if any.
func findMark(line string) (mark, bool) {
	for _, m := range marks {
		if m.start && strings.HasPrefix(line, m.text) || !m.start && strings.Contains(line, m.text) {
			return m, true
		}
	}
	return mark{}, false
}

// isMark reports whether line holds a mark.
func isMark(line string) bool {
	_, ok := findMark(line)
	return ok
}

// containsAny reports whether line contains one of texts.
func containsAny(line string, texts []string) bool {
	for _, text := range texts {
		if strings.Contains(line, text) {
			return true
		}
	}
	return false
}

// expectedIndex returns the index of the first of expected that line
// contains, or -1.
func expectedIndex(line string, expected []string) int {
	for j, text := range expected {
		if strings.Contains(line, text) {
			return j
		}
	}
	return -1
}
