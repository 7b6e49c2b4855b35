package kiosk

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// BenchmarkScreen measures what a screen of the wizard costs the kiosk
// to show: an op is one screen shown, the questions and the review in
// turn, in Italian at the largest text size, as the layout tests show
// them.
func BenchmarkScreen(b *testing.B) {
	h := newHarness(b)
	h.startWizard("it")
	h.setScale(len(textScales) - 1)
	b.ResetTimer()
	for i := range b.N {
		if q := i % (len(questions) + 1); q < len(questions) {
			h.app.showQuestion(q)
		} else {
			h.app.showReview()
		}
	}
}

// BenchmarkKey measures what a key typed costs the kiosk: an op is one
// letter of "Roma" typed into the place of birth, with its suggestions
// shown, the field emptied before each first letter.
func BenchmarkKey(b *testing.B) {
	h := newHarness(b)
	w := h.startWizard("it")
	h.setScale(len(textScales) - 1)
	for i, q := range questions {
		if q.name == "luogo" {
			h.app.showQuestion(i)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if i%4 == 0 {
			w.luogo.SetText("")
		}
		test.Type(w.luogo, "Roma"[i%4:i%4+1])
	}
}
