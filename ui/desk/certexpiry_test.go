package desk

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that the status bar follows the desk's certificate to its end
// while the desk runs: nothing 40 days before, the warning 10 days
// before, and once it has expired the bar says so in red, not "scade"
// with a past date, and the details tell the clerk that centrale refuses
// it because it expired, and what the supervisor does about it, not
// "revoked or not valid".
func TestCertExpiryWhileRunning(t *testing.T) {
	exp := testNow.Add(40 * 24 * time.Hour)
	h := ready(t, func(_ *pinsede.Desk, c *Config) { c.CertExpires = exp })
	states := make(chan client.State, 1)
	states <- client.State{Status: client.Online, LastSync: testNow}
	h.app.UseSync(stateSync(states), "")
	s := h.app.sync
	date := exp.Format("02/01/2006")
	if text := h.statusText(); strings.Contains(text, date) {
		t.Errorf("40 days before: %q, want no warning", text)
	}

	h.now = exp.Add(-10 * 24 * time.Hour)
	h.app.everyTick()
	if text := s.button.Text; !strings.Contains(text, lang.L("sync.cert.expiring", map[string]any{"Date": date})) || s.button.Importance != widget.WarningImportance {
		t.Errorf("10 days before: %q (importance %v), want the warning", text, s.button.Importance)
	}

	h.now = exp.Add(time.Minute)
	h.app.everyTick()
	if text := s.button.Text; !strings.Contains(text, lang.L("sync.cert.expired.bar", map[string]any{"Date": date})) || s.button.Importance != widget.DangerImportance {
		t.Errorf("a minute after: %q (importance %v), want %q in red", text, s.button.Importance, lang.L("sync.cert.expired.bar", map[string]any{"Date": date}))
	}

	states <- client.State{Status: client.Offline, OfflineSince: exp, Fault: client.FaultCertificate}
	h.statusText()
	test.Tap(s.button)
	shot(t, h, "statusbar-cert-expired-details")
	text := strings.Join(h.texts(), "\n")
	for _, want := range []string{
		lang.L("sync.fault.certificate.expired", map[string]any{"Date": date}),
		lang.L("sync.cert.expired", map[string]any{"Date": date}),
		"pinctl ca issue",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("details lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, lang.L("sync.fault.certificate")) {
		t.Errorf("details call the expired certificate revoked or not valid:\n%s", text)
	}
}

// stateSync is a SyncSource whose states the test sends.
type stateSync chan client.State

func (s stateSync) Subscribe() (<-chan client.State, func()) { return s, func() {} }
