package desk

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the forms are compact at 1280x800, the desk PC's screen: the
// MV35, filled (with a problem under the codice fiscale), fits in at most
// two screens of the window's content area, and the identity check, filled
// with a valid MRZ and a scan attached, in one, as does the first-run
// set-up. The window has what sportello shows at make run: the
// development-printer banner at the top, the status bar at the foot.
func TestFormsFitTheScreen(t *testing.T) {
	h := newHarness(t, devPrinter)
	h.app.UseSync(nil, "")
	test.ApplyTheme(t, theme.New())
	screens := map[string]float32{"setup": 1, "mv35": 2, "verifica": 1} // at most, in screens
	walkScreens(t, h, func(name string) {
		most, ok := screens[name]
		if !ok {
			return
		}
		delete(screens, name)
		h.settle()
		sc := h.app.currentScroll()
		if sc == nil {
			t.Fatalf("%s: no scroll", name)
		}
		content, area := sc.Content.MinSize().Height, sc.Size().Height
		t.Logf("%s: %.0f px in an area of %.0f: %.2f screens", name, content, area, content/area)
		if content > most*area {
			t.Errorf("%s: %.0f px, more than %g screens of %.0f", name, content, most, area)
		}
	})
	if len(screens) > 0 {
		t.Errorf("screens not reached: %v", screens)
	}
}
