package kiosk

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede/ui/ticket"
)

// Ensure that the queue numbers do not start again for a day before the
// one counted: three tickets after midnight, the clock put back ten
// minutes, then forward again, are K001 to K005; they were K001 K002 K003
// K001 K001, two firsts of a day. With the counter file and without.
func TestQueueNumberClockBack(t *testing.T) {
	y, m, d := testNow.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, testNow.Location())
	for _, counter := range []bool{false, true} {
		h := newHarness(t)
		if counter {
			h.app.cfg.Counter = &ticket.Counter{Path: filepath.Join(t.TempDir(), "queue.json")}
		}
		for _, at := range []time.Duration{5 * time.Minute, 6 * time.Minute, 7 * time.Minute, -3 * time.Minute, 8 * time.Minute} {
			h.now = midnight.Add(at)
			h.startWizard("it")
			h.fill(rossi)
			h.confirm()
			h.app.Wipe()
		}
		var got []string
		for _, s := range h.sink.received() {
			got = append(got, s.Ticket.Number)
		}
		if want := []string{"K001", "K002", "K003", "K004", "K005"}; !slices.Equal(got, want) {
			t.Errorf("counter file %v: numbers %v, want %v", counter, got, want)
		}
		h.app.Stop()
	}
}
