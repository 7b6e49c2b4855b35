package kiosk

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// Ensure that the kiosk tells the sede's staff, not the citizens, that
// its certificate for centrale stops working, across the day it does
// (the clock moved): nothing 31 days before; from 30 days before, a line
// in small type on the language screen, between citizens, and on the
// supervisor's prompt, and a line in the log once a day; from its end,
// that it has and that the requests reach the desks through the spool
// folder, where a citizen's request then goes, their ticket a normal one.
// The kiosk said nothing before: on its certificate's last day it just
// stopped reaching centrale.
func TestCertificateExpiry(t *testing.T) {
	exp := testNow.Add(40 * 24 * time.Hour) // 19 April 2026, 09:30 (the tests' CET)
	spool := SpoolSink{Dir: filepath.Join(t.TempDir(), "spool")}
	centrale := &memorySink{fail: errSinkDown} // centrale refuses the expired certificate
	h := newHarnessWith(t, func(c *Config) {
		c.CertExpires = exp
		c.Sink = FallbackSink{First: centrale, Then: spool}
	})
	minute := func() { // what the idle timer and the minute's retry do
		h.app.CheckIdle()
		h.app.logCert(h.now)
	}
	shows := func(when, want string) {
		t.Helper()
		got := h.texts()
		if want == "" && strings.Contains(got, "personale") {
			t.Errorf("%s: screen %s shows the staff a line:\n%s", when, h.app.Screen(), got)
		}
		if want != "" && !strings.Contains(got, want) {
			t.Errorf("%s: screen %s does not say %q:\n%s", when, h.app.Screen(), want, got)
		}
	}
	logged := func(when, want string) {
		t.Helper()
		if want == "" && len(h.logs) > 0 || want != "" && (len(h.logs) != 1 || !strings.Contains(h.logs[0], want)) {
			t.Errorf("%s: the log holds %q, want one line with %q", when, h.logs, want)
		}
		h.logs = nil
	}

	h.now = exp.Add(-CertWarning - time.Hour)
	minute()
	shows("31 days before", "")
	logged("31 days before", "")

	h.now = exp.Add(-CertWarning + time.Minute)
	minute()
	expiring := "il certificato del chiosco per l'archivio centrale scade il 19/04/2026"
	shows("30 days before", expiring)
	logged("30 days before", "stops working on 2026-04-19")
	h.now = h.now.Add(time.Hour)
	minute()
	logged("an hour later", "")
	h.app.ChooseLanguage("en")
	h.tapText(tr("service.request.title"))
	shows("a citizen's screen", "")
	h.tapText(tr("nav.cancel"))
	shows("the next citizen's languages", expiring)
	h.app.showExit()
	shows("the supervisor's prompt", expiring)
	h.app.Wipe()

	h.now = exp.Add(-time.Minute)
	minute()
	shows("the last minute", expiring)
	logged("the last minute, another day", "stops working on")

	h.now = exp.Add(time.Minute)
	minute()
	expired := "è scaduto il 19/04/2026. Le richieste arrivano agli sportelli solo dalla cartella condivisa"
	shows("a minute after", expired)
	logged("a minute after", "stopped working on 2026-04-19T09:30:00+01:00: centrale refuses the requests, which go to the spool folder")

	h.startWizard("de")
	h.fill(rossi)
	h.confirm()
	tk := h.app.session.ticket
	if got := h.app.Screen(); got != "done" || tk.Pending {
		t.Fatalf("a citizen after the certificate's end: screen %s, pending %v, want done and not pending", got, tk.Pending)
	}
	shows("the citizen's ticket", "")
	if n := len(h.printed()); n != 1 {
		t.Errorf("a citizen after the certificate's end: %d tickets printed, want 1", n)
	}
	sub, err := spool.TakeOn(tk.Code, h.now)
	if err != nil || sub.Request.Cognome != strings.ToUpper(rossi.cognome) && sub.Request.Cognome != rossi.cognome {
		t.Errorf("the spool folder's request of ticket %s: %+v, %v", tk.Code, sub.Request, err)
	}
	h.tapText(tr("nav.done"))
	shows("the languages after the citizen", expired)

	// The line fits the low screens with the languages, at every size.
	for _, scale := range []int{defaultScale, len(textScales) - 1} {
		h.setScale(scale)
		var line fyne.CanvasObject
		walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, expired) {
				line = l
			}
		})
		for _, size := range kioskScreens {
			h.win.Resize(size)
			uitest.Settle(h.win)
			where := fmt.Sprintf("the languages with the staff's line at %v, text %v", size, textScales[scale])
			if m := h.win.Content().MinSize().Add(size.Subtract(h.win.Content().Size())); m.Width > size.Width || m.Height > size.Height {
				t.Errorf("%s ask for a window %v", where, m)
			}
			objs := h.primaryActions()
			objs["the staff's line"] = line
			h.assertInView(where, objs)
			h.shot(fmt.Sprintf("01-languages-cert-expired-%dx%d-%d", int(size.Width), int(size.Height), scale))
		}
	}
}
