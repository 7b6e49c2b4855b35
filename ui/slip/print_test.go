package slip

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/cups/cupstest"
)

// recorder is a cups.Backend that keeps the jobs it is given, and their
// PDF as it was during Print.
type recorder struct {
	jobs   []cups.Job
	copies [][]byte
	err    error
}

func (r *recorder) Print(_ context.Context, job cups.Job) error {
	r.jobs = append(r.jobs, job)
	r.copies = append(r.copies, bytes.Clone(job.PDF))
	return r.err
}

// Ensure that PrintSlip prints a PDF titled by serial, and zeroes it once
// printed.
func TestSlipPrinter(t *testing.T) {
	rec := &recorder{}
	if err := (Printer{Backend: rec}).PrintSlip(t.Context(), sampleSlip(t, "Rossi", "Mario")); err != nil {
		t.Fatal(err)
	}
	if len(rec.jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(rec.jobs))
	}
	if got := rec.jobs[0].Title; got != "busta-ROMA01-20261123-3F9A2C" {
		t.Errorf("title %q", got)
	}
	if !bytes.HasPrefix(rec.copies[0], []byte("%PDF-")) {
		t.Error("the back end got no PDF")
	}
	if bytes.ContainsFunc(rec.jobs[0].PDF, func(r rune) bool { return r != 0 }) {
		t.Error("the PDF buffer was not zeroed after printing")
	}
}

// Ensure that PrintSlip reports the failures of the back end, the context
// and a missing back end, naming the slip.
func TestSlipPrinterErrors(t *testing.T) {
	jammed := errors.New("carta inceppata")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name    string
		backend cups.Backend
		ctx     context.Context
		want    error
	}{
		{"back end fails", &recorder{err: jammed}, t.Context(), jammed},
		{"cancelled", &recorder{}, cancelled, context.Canceled},
		{"no back end", nil, t.Context(), pinsede.ErrNoPrinter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleSlip(t, "Rossi", "Mario")
			s.Serial = "ROMA01-X"
			err := Printer{Backend: tc.backend}.PrintSlip(tc.ctx, s)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "ROMA01-X") {
				t.Errorf("err = %v, want %v naming the slip", err, tc.want)
			}
		})
	}
}

// Ensure that a slip printed through a real CUPS queue comes out whole,
// and that cupsd keeps no copy of it.
func TestCUPSPrintsForReal(t *testing.T) {
	cupstest.Need(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	s := sampleSlip(t, "Müller-Lüdenscheidt", "Jürgen")
	s.Serial = "TEST-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var states []cups.JobState
	p := Printer{Backend: cups.Queue{Name: cupstest.Queue, Wait: time.Minute, Progress: func(s cups.JobState) { states = append(states, s) }}}
	if err := p.PrintSlip(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if len(states) == 0 || states[0] != cups.JobQueued || states[len(states)-1] != cups.JobPrinted {
		t.Errorf("states %v, want queued ... printed", states)
	}

	file := cupstest.Printed(t, "busta-"+s.Serial)
	out, err := exec.Command("pdftotext", "-layout", "-f", "1", "-l", "1", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	page1 := string(out)
	for _, want := range []string{"Müller-Lüdenscheidt", "Jürgen", sampleFirst, sampleSecond, s.Serial} {
		if !strings.Contains(page1, want) {
			t.Errorf("the printed page 1 lacks %q:\n%s", want, page1)
		}
	}
	// Printed at 100 %: the heading starts 20 mm from the left edge, the
	// name 21 mm from the left and 59.5 mm from the top (in the window).
	bbox, err := exec.Command("pdftotext", "-bbox", "-f", "1", "-l", "1", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", file, err)
	}
	for word, want := range map[string][2]float64{"INPS": {20, 0}, "Müller-Lüdenscheidt": {21, 59.5}} {
		m := regexp.MustCompile(`xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>` + regexp.QuoteMeta(word) + `<`).FindSubmatch(bbox)
		if m == nil {
			t.Errorf("%q not found in the printed page", word)
			continue
		}
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		y, _ := strconv.ParseFloat(string(m[2]), 64)
		x, y = x*25.4/72, y*25.4/72
		if math.Abs(x-want[0]) > 1 || want[1] > 0 && math.Abs(y-want[1]) > 2 {
			t.Errorf("%q printed at (%.1f, %.1f) mm, want (%.0f, %.1f): the page was scaled or moved", word, x, y, want[0], want[1])
		}
	}
	if err := os.Remove(file); err != nil {
		t.Error(err)
	}

	// No document in the spool; the job history (c* files) has no PIN.
	entries, err := os.ReadDir(cupstest.Spool)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "d"):
			t.Errorf("%s/%s: cupsd kept a document", cupstest.Spool, name)
		case strings.HasPrefix(name, "c"):
			b, err := os.ReadFile(filepath.Join(cupstest.Spool, name))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(sampleFirst)) || bytes.Contains(b, []byte(sampleSecond)) {
				t.Errorf("%s/%s: the job history holds the PIN", cupstest.Spool, name)
			}
		}
	}
}
