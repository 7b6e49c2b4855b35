package kiosk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testdisk"
)

// Ensure that a spool folder on a full disk (a real tmpfs, filled by
// another program) is told: the citizens read that their data waits in
// this kiosk, in their language; the staff see a line between citizens,
// and the log says it once for two requests and a retry that fails. Once
// space is back, the minute's retry writes the waiting requests into the
// folder by itself, the line goes and the log says so. Before, the staff
// saw nothing and the log was empty, the requests in memory alone.
func TestSpoolDiskFullTold(t *testing.T) {
	mnt := testdisk.Small(t, "256k")
	dir := filepath.Join(mnt, "spool")
	h := newHarnessWith(t, func(c *Config) { c.Sink = SpoolSink{Dir: dir} })
	<-h.app.chores.Idle() // the cleanup at start, before the disk fills
	filler := testdisk.Fill(t, mnt)
	for _, lang := range []string{"it", "de"} {
		h.startWizard(lang)
		h.fill(rossi)
		h.confirm()
		if h.app.Screen() != "done" || !strings.Contains(h.texts(), tr("done.pending")) {
			t.Fatalf("%s: screen %s with the spool's disk full, want the last screen saying the data waits in the kiosk:\n%s", lang, h.app.Screen(), h.texts())
		}
		h.tapText(tr("nav.done"))
	}
	// retry runs the minute's upkeep on the test goroutine: its chores
	// are counted once it returns, and the wait runs their note. (Sent
	// to the idle loop, the tick that told they had started left an idle
	// check no job counts, which could come after the wait: the loop,
	// and the next upkeep's send to it, then waited for ever.)
	retry := func() {
		h.app.upkeep(h.now)
		<-h.app.chores.Idle()
		h.wait()
	}
	retry()
	h.app.CheckIdle()
	staff := tr("staff.spool.unwritable")
	if h.app.Screen() != "languages" || !strings.Contains(staff, "non si può scrivere") || !strings.Contains(h.texts(), staff) {
		t.Fatalf("screen %s, want the languages telling the staff %q:\n%s", h.app.Screen(), staff, h.texts())
	}
	h.shot("01-languages-spool-disk-full")
	if len(h.logs) != 1 || !strings.Contains(h.logs[0], "cannot be written") || !strings.Contains(h.logs[0], "no space left on device") {
		t.Errorf("the log: %q, want one line saying the folder cannot be written, and why", h.logs)
	}
	if n := h.app.Waiting(); n != 2 {
		t.Errorf("%d requests wait at the kiosk, want the 2 the disk refused", n)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	retry()
	h.app.CheckIdle()
	if written, _ := filepath.Glob(filepath.Join(dir, SpoolFile("*"))); len(written) != 2 || h.app.Waiting() != 0 {
		t.Errorf("space back, the retry wrote %d requests into the folder, %d wait still; want 2 and none", len(written), h.app.Waiting())
	}
	if strings.Contains(h.texts(), staff) || len(h.logs) != 2 || !strings.Contains(h.logs[1], "delivered again") {
		t.Errorf("the staff's line stays, or the log does not say it, once the requests are written: %q\n%s", h.logs, h.texts())
	}
}
