package desk

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that the status bar, with every combination of the desk's
// warnings at once (offline since today or since yesterday, the
// certificate soon to expire or expired, the copies failing into a long
// folder, events not accepted, the clock ahead or behind), in Italian and
// in English, on a 1024 and a 1280 px screen, keeps its clock whole and
// in the window, shows its text whole beside it, never widens the window,
// says the gravest warning first, cut short with an ellipsis when it
// must, and how many more there are; and that the details tell each of
// them whole. Put one after the other, the warnings ran under the clock
// and widened the window to 2,000 px and more.
func TestStatusBarFitsBesideItsClock(t *testing.T) {
	inEachLanguage(t, func(t *testing.T, language string) {
		h := ready(t, devPrinter)
		h.app.UseSync(fakeSync{client.State{Status: client.Online, LastSync: testNow}}, "")
		test.ApplyTheme(t, theme.New())
		s := h.app.sync
		h.statusText()
		// A copy that fails: its folder cannot be made, its parent being
		// a regular file (TestBackupFailureShown).
		tmp := t.TempDir()
		dir, mkErr := unmakeableDir(t, filepath.Join(tmp, "chiavetta-usb-dello-sportello"), "copie-di-sicurezza")
		reading := func(offset time.Duration) pinsede.ClockReading {
			return pinsede.ClockReading{Offset: offset, Error: time.Second / 2, At: testNow, MaxSkew: 15 * time.Minute}
		}
		ahead, behind := 3*time.Hour+17*time.Minute, -26*time.Hour
		expiring, expired := testNow.Add(10*24*time.Hour), testNow.Add(-24*time.Hour)
		yesterday, today := testNow.Add(-26*time.Hour), testNow.Add(-time.Hour)
		backupSince := testNow.Add(-3 * time.Hour)
		held := testNow.Add(10 * time.Minute)
		for _, link := range []string{"online", "sospeso", "offline", "offline-ieri"} {
			for _, cert := range []string{"", "scade", "scaduto"} {
				for _, backup := range []bool{false, true} {
					for _, refused := range []int{0, 3} {
						for _, clock := range []time.Duration{0, ahead, behind} {
							st := client.State{Status: client.Online, LastSync: testNow, Pending: 12, Clock: reading(clock)}
							// The warnings, the gravest first.
							var want []string
							switch {
							case clock > 0:
								want = append(want, lang.L("sync.clock.ahead", map[string]any{"Ahead": i18n.Duration(clock)}))
							case clock < 0:
								want = append(want, lang.L("sync.clock.behind", map[string]any{"Behind": i18n.Duration(clock)}))
							}
							h.app.cfg.CertExpires = map[string]time.Time{"scade": expiring, "scaduto": expired}[cert]
							if cert == "scaduto" {
								want = append(want, lang.L("sync.cert.expired.bar", map[string]any{"Date": expired.Format("02/01/2006")}))
							}
							if refused > 0 {
								st.NotAccepted = make([]pinsede.NotAccepted, refused)
								want = append(want, lang.L("sync.notaccepted.count", map[string]any{"N": refused}))
							}
							if backup {
								h.app.BackupDone(BackupOutcome{Dir: dir, At: backupSince, Err: mkErr})
								want = append(want, lang.L("sync.backup.failed", map[string]any{"Since": backupSince.Format("15:04"), "Why": lang.L("sync.backup.fault.writable")}))
							} else {
								h.app.BackupDone(BackupOutcome{Dir: tmp, At: testNow})
							}
							switch link {
							case "offline":
								st = client.State{Status: client.Offline, OfflineSince: today, Pending: 12, Clock: st.Clock, NotAccepted: st.NotAccepted}
								want = append(want, lang.L("sync.offline", map[string]any{"Since": today.Format("15:04"), "N": 12}))
							case "offline-ieri":
								st = client.State{Status: client.Offline, OfflineSince: yesterday, Pending: 12, Clock: st.Clock, NotAccepted: st.NotAccepted}
								want = append(want, lang.L("sync.offline.day", map[string]any{"Day": yesterday.Format("02/01/2006"), "Since": yesterday.Format("15:04"), "N": 12}))
							case "sospeso":
								st.Fault, st.PushHeldUntil = client.FaultLimited, held
								want = append(want, lang.L("sync.held", map[string]any{"Until": lang.L("sync.until", map[string]any{"Time": held.Format("15:04")}), "N": 12}))
							}
							if cert == "scade" {
								want = append(want, lang.L("sync.cert.expiring", map[string]any{"Date": expiring.Format("02/01/2006")}))
							}
							if len(want) == 0 {
								want = append(want, lang.L("sync.online", map[string]any{"N": 12, "Last": testNow.Format("15:04")}))
							}
							s.apply(st)
							name := fmt.Sprintf("%s cert=%q copie=%v rifiutati=%d orologio=%v", link, cert, backup, refused, clock)
							for _, w := range []float32{1024, 1280} {
								h.win.Resize(fyne.NewSize(w, 768))
								h.frame()
								checkBar(t, h, fmt.Sprintf("%s at %.0f px", name, w), want, w)
							}
							// In less room than any of them needs, the
							// gravest is cut short, and the count stays.
							s.bar.Resize(fyne.NewSize(520, s.bar.Size().Height))
							checkBar(t, h, name+" in a bar of 520 px", want, 520)
						}
					}
				}
			}
		}
		// Every warning at once: the details tell each whole.
		h.win.Resize(fyne.NewSize(1024, 768))
		shot(t, h, "statusbar-"+language+"-1024")
		h.win.Resize(fyne.NewSize(1280, 800))
		shot(t, h, "statusbar-"+language+"-1280")
		test.Tap(s.button)
		details := strings.Join(h.texts(), "\n")
		for _, w := range []string{
			lang.L("sync.clock.behind", map[string]any{"Behind": i18n.Duration(behind)}),
			lang.L("sync.cert.expired.bar", map[string]any{"Date": expired.Format("02/01/2006")}),
			lang.L("sync.notaccepted.count", map[string]any{"N": 3}),
			lang.L("sync.backup.failed", map[string]any{"Since": backupSince.Format("15:04"), "Why": lang.L("sync.backup.fault.writable")}),
			lang.L("sync.offline.day", map[string]any{"Day": yesterday.Format("02/01/2006"), "Since": yesterday.Format("15:04"), "N": 12}),
		} {
			if !strings.Contains(details, w) {
				t.Errorf("the details lack %q:\n%s", w, details)
			}
		}
		shot(t, h, "statusbar-"+language+"-details")
	})
}

// checkBar checks the status bar as laid out win px wide: its clock
// whole and in the bar, its text whole, left of the clock, the window
// no wider than its screen (1024 px at least: the screens' own width); the gravest of want first, whole or cut with
// an ellipsis, and the count of the others after it.
func checkBar(t *testing.T, h *harness, name string, want []string, win float32) {
	t.Helper()
	s := h.app.sync
	d := fyne.CurrentApp().Driver()
	if w := h.smallest().Width; w > max(win, 1024) {
		t.Errorf("%s: the window %.0f px wide at its narrowest", name, w)
	}
	b, c := d.AbsolutePositionForObject(s.button), d.AbsolutePositionForObject(s.clock)
	if c.X+s.clock.MinSize().Width > win+0.5 || s.clock.Size().Width < s.clock.MinSize().Width-0.5 {
		t.Errorf("%s: the clock at %.0f, %.0f px of %.0f, in a window of %.0f: not whole", name, c.X, s.clock.Size().Width, s.clock.MinSize().Width, win)
	}
	if b.X+s.button.Size().Width > c.X+0.5 {
		t.Errorf("%s: the bar's text ends at %.0f, under the clock at %.0f", name, b.X+s.button.Size().Width, c.X)
	}
	if s.button.Size().Width < s.button.MinSize().Width-0.5 {
		t.Errorf("%s: the bar's text %q drawn in %.0f px, needs %.0f", name, s.button.Text, s.button.Size().Width, s.button.MinSize().Width)
	}
	text, more := s.button.Text, ""
	switch n := len(want) - 1; {
	case n == 1:
		more = lang.L("sync.more.one")
	case n > 1:
		more = lang.L("sync.more.many", map[string]any{"N": n})
	}
	head, ok := strings.CutSuffix(text, more)
	if !ok {
		t.Errorf("%s: the bar says %q, want it to end with %q", name, text, more)
	}
	if cut, short := strings.CutSuffix(head, "…"); short {
		if len([]rune(cut)) < 12 || !strings.HasPrefix(want[0], cut) {
			t.Errorf("%s: the bar says %q, want the start of %q", name, text, want[0])
		}
	} else if head != want[0] {
		t.Errorf("%s: the bar says %q, want %q first", name, text, want[0])
	}
}
