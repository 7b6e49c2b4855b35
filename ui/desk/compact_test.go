package desk

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the forms are compact at 1280x800, the desk PC's screen: the
// MV35, filled, fits in at most two screens of the window's content area,
// and the identity check, filled with a valid MRZ and a scan attached, in
// one. The development-printer banner takes its row at the top, as at
// make run.
func TestFormsFitTheScreen(t *testing.T) {
	h := ready(t, devPrinter)
	test.ApplyTheme(t, theme.New())
	// height returns the height of the current screen's content and of
	// the area that shows it.
	height := func() (content, area float32) {
		t.Helper()
		h.settle()
		sc := h.app.currentScroll()
		if sc == nil {
			t.Fatalf("%s: no scroll", h.app.current.Title)
		}
		return sc.Content.MinSize().Height, sc.Size().Height
	}

	h.tap(h.app.home.newRequest)
	h.fillRequest(mario)
	content, area := height()
	t.Logf("MV35: %.0f px in an area of %.0f: %.2f screens", content, area, content/area)
	if content > 2*area {
		t.Errorf("MV35: %.0f px, more than two screens of %.0f", content, area)
	}

	h.tap(h.app.request.next)
	if h.app.verify == nil {
		t.Fatalf("Avanti: %v", h.app.request.problems())
	}
	h.fillVerification(passport)
	h.typeIn(h.app.verify.mrz, passportMRZ)
	h.win.Canvas().Unfocus()
	h.app.verify.setScan(&pinsede.Scan{Name: "passaporto-rossi.pdf", Data: []byte("%PDF-1.4\n")})
	content, area = height()
	t.Logf("identity check: %.0f px in an area of %.0f: %.2f screens", content, area, content/area)
	if content > area {
		t.Errorf("identity check: %.0f px, more than the screen's %.0f", content, area)
	}
}
