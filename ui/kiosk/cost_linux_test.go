package kiosk

import (
	"syscall"
	"testing"

	"fyne.io/fyne/v2/test"
)

// cpuTime returns the processor time of the process so far, in
// nanoseconds (user and system, every thread): unlike sec/op, it does
// not grow when other programs load the machine.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkScreen measures what a screen of the wizard costs the kiosk
// to show: an op is one screen shown, the questions and the review in
// turn, in Italian at the largest text size, as the layout tests show
// them. It reports cpu-ns/op, the process's processor time an op, the
// collector's included.
func BenchmarkScreen(b *testing.B) {
	h := newHarness(b)
	h.startWizard("it")
	h.setScale(len(textScales) - 1)
	start := cpuTime(b)
	b.ResetTimer()
	for i := range b.N {
		if q := i % (len(questions) + 1); q < len(questions) {
			h.app.showQuestion(q)
		} else {
			h.app.showReview()
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkKey measures what a key typed costs the kiosk: an op is one
// letter of "Roma" typed into the place of birth, with its suggestions
// shown, the field emptied before each first letter. It reports
// cpu-ns/op as BenchmarkScreen.
func BenchmarkKey(b *testing.B) {
	h := newHarness(b)
	w := h.startWizard("it")
	h.setScale(len(textScales) - 1)
	for i, q := range questions {
		if q.name == "luogo" {
			h.app.showQuestion(i)
		}
	}
	start := cpuTime(b)
	b.ResetTimer()
	for i := range b.N {
		if i%4 == 0 {
			w.luogo.SetText("")
		}
		test.Type(w.luogo, "Roma"[i%4:i%4+1])
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}
