package desk

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/ui/i18n"
)

// clockLink is a pinsede.Link, online, whose clock reading the test sets:
// offset is how far the PC's clock is off centrale's beyond the skew,
// positive ahead, negative behind.
type clockLink struct {
	mu     sync.Mutex
	offset time.Duration
}

func (l *clockLink) Online() bool { return true }

func (l *clockLink) Notify() {}

func (l *clockLink) ClockAhead() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.offset, 0)
}

func (l *clockLink) ClockBehind() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(-l.offset, 0)
}

func (l *clockLink) set(d time.Duration) {
	l.mu.Lock()
	l.offset = d
	l.mu.Unlock()
}

// Ensure that a desk whose PC's clock runs an hour ahead of centrale's, or
// behind it (a PC whose clock went back to the year 2000 included), issues
// no PIN: Emetti PIN stays on the verification screen with a message that
// names the difference and what to do, nothing is printed, and everything
// typed stays; once the clock is within bounds, the same Emetti PIN
// issues.
func TestIssueClockOff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration
		want   string
	}{
		{"ahead", time.Hour + 2*time.Minute, "L'orologio di questo PC è avanti di 1 ora e 2 minuti rispetto all'archivio centrale"},
		{"behind", -(time.Hour + 2*time.Minute), "L'orologio di questo PC è indietro di 1 ora e 2 minuti rispetto all'archivio centrale"},
		{"back to 2000", -testNow.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, testNow.Location())), "L'orologio di questo PC è indietro di "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			link := &clockLink{offset: tc.offset}
			h := ready(t, func(d *pinsede.Desk, _ *Config) { d.Link = link })
			h.toVerification(mario)
			h.fillVerification(passport)
			v := h.app.verify
			h.tap(v.issue)
			if h.app.result != nil || h.app.current.View != v.screen.View {
				t.Fatal("left the verification screen with the clock off")
			}
			got := v.msg.text()
			for _, want := range []string{tc.want, "data, ora e fuso orario", "i dati inseriti restano"} {
				if !strings.Contains(got, want) {
					t.Errorf("message %q lacks %q", got, want)
				}
			}
			shot(t, h, "issue-clock-"+strings.ReplaceAll(tc.name, " ", "-"))
			if n := len(h.printer.printed()); n != 0 {
				t.Errorf("%d slips printed with the clock off", n)
			}
			if v.number.Text != passport.Number || !v.checkSigned.Checked || h.app.request.cognome.Text != mario.Cognome || h.app.request.cf.Text != string(mario.CodiceFiscale) {
				t.Error("the request or the verification lost its data")
			}

			link.set(0)
			h.tap(v.issue)
			if h.app.result == nil {
				t.Fatalf("issue with the clock within bounds: %q", v.msg.text())
			}
			if n := len(h.printer.printed()); n != 1 {
				t.Errorf("%d slips printed, want 1", n)
			}
		})
	}
}

// Ensure that the status bar says the PC's clock is ahead or behind, by
// how much and that no PIN is issued, that the
// details show the reading, and that those of a push refused for the clock
// name the difference.
func TestSyncClockText(t *testing.T) {
	reading := func(offset time.Duration) pinsede.ClockReading {
		return pinsede.ClockReading{Offset: offset, Error: time.Second / 2, At: testNow, MaxSkew: 15 * time.Minute}
	}
	ahead, behind := time.Hour+2*time.Minute, -2*time.Hour
	for _, tc := range []struct {
		name  string
		state client.State
		bar   string // in the status bar; "" for neither warning
	}{
		{"ahead", client.State{Status: client.Offline, OfflineSince: testNow, Fault: client.FaultClock, Clock: reading(ahead)},
			lang.L("sync.clock.ahead", map[string]any{"Ahead": i18n.Duration(ahead)})},
		{"behind", client.State{Status: client.Online, LastSync: testNow, Clock: reading(behind)},
			lang.L("sync.clock.behind", map[string]any{"Behind": i18n.Duration(behind)})},
		{"within", client.State{Status: client.Online, LastSync: testNow, Clock: reading(10 * time.Minute)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := ready(t)
			h.app.UseSync(fakeSync{tc.state}, "")
			text := h.statusText()
			for _, key := range []string{"sync.clock.ahead", "sync.clock.behind"} {
				if l := lang.L(key, map[string]any{"Ahead": i18n.Duration(ahead), "Behind": i18n.Duration(behind)}); l != tc.bar && strings.Contains(text, l) {
					t.Errorf("status bar %q says %q", text, l)
				}
			}
			if !strings.Contains(text, tc.bar) {
				t.Errorf("status bar %q lacks %q", text, tc.bar)
			}
			test.Tap(h.app.sync.button)
			details := strings.Join(h.texts(), "\n")
			if want := clockText(tc.state.Clock); !strings.Contains(details, want) || !strings.Contains(want, i18n.Duration(tc.state.Clock.Offset)) {
				t.Errorf("details lack the clock's reading %q:\n%s", want, details)
			}
			if tc.state.Fault != client.FaultClock {
				return
			}
			shot(t, h, "syncfault-clockahead")
			if want := lang.L("sync.fault.clock.ahead", map[string]any{"Ahead": "1 ora e 2 minuti"}); !strings.Contains(details, want) {
				t.Errorf("details lack %q:\n%s", want, details)
			}
		})
	}
}

// Ensure that the status bar says this PC's clock is behind, in red and by
// how much, when the desk knows it from its own certificate alone: the PC
// reads two days before centrale's CA made the desk's certificates, TLS
// refuses centrale's as not yet valid, and centrale, never reached, cannot
// tell. Emetti PIN refuses by the same amount, and the details say the
// clock, not a certificate to ask the supervisor about. Once the PC's
// clock reads after the certificate, the next minute's tick takes the
// warning off. The bar said offline (a certificate refused) as if the
// clock were right, while Emetti PIN refused.
func TestStatusBarClockBehindCertificate(t *testing.T) {
	inEachLanguage(t, statusBarClockBehindCertificate)
}

// statusBarClockBehindCertificate is TestStatusBarClockBehindCertificate
// in language.
func statusBarClockBehindCertificate(t *testing.T, language string) {
	h := ready(t)
	made := testNow.Add(48 * time.Hour) // when centrale's CA made the certificates
	cen := startCentraleOn(t, func() time.Time { return made })
	c, cert := linkDesk(t, h, cen, made)
	if err := c.Sync(context.Background()); err == nil || c.State().Fault != client.FaultCentraleCertificate {
		t.Fatalf("sync on a clock before the certificates: %v, fault %v; want centrale's certificate not trusted", err, c.State().Fault)
	}

	behind := i18n.Duration(cert.NotBefore.Sub(h.now)) // 47 ore, 47 hours
	text, want := h.statusText(), lang.L("sync.clock.behind", map[string]any{"Behind": behind})
	if !strings.Contains(text, want) || h.app.sync.button.Importance != widget.DangerImportance {
		t.Errorf("status bar %q (importance %v): want it red with %q", text, h.app.sync.button.Importance, want)
	}
	shot(t, h, "statusbar-clock-behind-certificate-"+language)
	test.Tap(h.app.sync.button)
	details := strings.Join(h.texts(), "\n")
	for _, want := range []string{
		lang.L("sync.fault.clock.behind", map[string]any{"Behind": behind}),
		lang.L("sync.clock.behind.cert", map[string]any{"D": behind}),
	} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q:\n%s", want, details)
		}
	}
	for _, key := range []string{"sync.fault.certificate", "sync.fault.centralecert"} {
		if strings.Contains(details, lang.L(key)) {
			t.Errorf("details blame a certificate, %s, not the clock:\n%s", key, details)
		}
	}
	shot(t, h, "statusbar-clock-behind-certificate-details-"+language)
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	if got := h.app.verify.msg.text(); !strings.Contains(got, behind) {
		t.Errorf("Emetti PIN: %q, want the refusal of a clock %s behind", got, behind)
	}

	h.now = made
	h.app.everyTick()
	if text := h.statusText(); strings.Contains(text, lang.L("sync.clock.behind", map[string]any{"Behind": behind})) || h.app.sync.button.Importance == widget.DangerImportance {
		t.Errorf("the clock put right, the status bar still says %q (importance %v)", text, h.app.sync.button.Importance)
	}
}
