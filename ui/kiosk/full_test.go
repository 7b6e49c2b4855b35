package kiosk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/ui/ticket"
)

// Ensure that a spool folder full (the desks have not taken
// ticket.MaxSpoolTickets tickets) crashes nothing and writes nothing: the
// citizen is told in their language to go to the desk with their
// document, the staff see a line between citizens and the log says it;
// once a request is delivered again, the line goes and the log says so.
func TestSpoolFullTold(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	h := newHarnessWith(t, func(c *Config) { c.Sink = SpoolSink{Dir: dir} })
	<-h.app.chores.Idle() // the cleanup at start, before the folder fills
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range ticket.MaxSpoolTickets {
		if err := os.WriteFile(filepath.Join(dir, ticket.SpoolFile(fmt.Sprintf("%08d", i))), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"de", "ro"} {
		h.startWizard(lang)
		h.fill(rossi)
		h.confirm()
		if h.app.Screen() != "done" || !strings.Contains(h.texts(), tr("done.full")) {
			t.Fatalf("%s: screen %s with the spool folder full, want the last screen telling to bring the document:\n%s", lang, h.app.Screen(), h.texts())
		}
		h.shot("07-done-full-" + lang)
		h.tapText(tr("nav.done"))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != ticket.MaxSpoolTickets {
		t.Errorf("%d files in the full folder, want the %d there before", len(entries), ticket.MaxSpoolTickets)
	}
	h.app.CheckIdle()
	staff := tr("staff.spool.full")
	if h.app.Screen() != "languages" || !strings.Contains(staff, "cartella condivisa") || !strings.Contains(h.texts(), staff) {
		t.Fatalf("screen %s, want the languages telling the staff %q:\n%s", h.app.Screen(), staff, h.texts())
	}
	h.shot("01-languages-spool-full")
	if len(h.logs) != 1 || !strings.Contains(h.logs[0], "full") {
		t.Errorf("the log: %q, want one line saying the folder is full", h.logs)
	}
	for i := range 3 { // desks took three: room for the two requests waiting and a new one
		os.Remove(filepath.Join(dir, ticket.SpoolFile(fmt.Sprintf("%08d", i))))
	}
	h.startWizard("it")
	h.fill(rossi)
	h.confirm()
	if strings.Contains(h.texts(), tr("done.full")) || strings.Contains(h.texts(), tr("done.pending")) || h.app.Waiting() != 0 {
		t.Errorf("the last screen says the request was not sent once there was room, or %d wait:\n%s", h.app.Waiting(), h.texts())
	}
	h.tapText(tr("nav.done"))
	if strings.Contains(h.texts(), staff) || len(h.logs) != 2 {
		t.Errorf("the staff's line stays, or the log does not say it, once a request is delivered: %q\n%s", h.logs, h.texts())
	}
}

// Ensure that the requests waiting in the kiosk's memory are bounded
// (MaxWaiting): with centrale down all day, one more is not kept, and its
// citizen is told to bring their document to the desk.
func TestWaitingBounded(t *testing.T) {
	h := newHarness(t)
	h.sink.fail = errSinkDown
	for range MaxWaiting - 1 {
		h.app.waiting.add(Submission{Ticket: ticket.Ticket{Issued: h.now}})
	}
	for i, want := range []string{"done.pending", "done.full"} {
		h.startWizard("fr")
		h.fill(rossi)
		h.confirm()
		if !strings.Contains(h.texts(), tr(want)) || h.app.Waiting() != MaxWaiting {
			t.Errorf("request %d past %d waiting: %d wait, the screen:\n%s\nwant it saying %q", i+1, MaxWaiting-1, h.app.Waiting(), h.texts(), tr(want))
		}
		h.tapText(tr("nav.done"))
	}
}
