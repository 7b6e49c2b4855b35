package main

import (
	"fmt"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
)

// Ensure that the printer flags win over the queue saved in the settings,
// which is used when no flag is given.
func TestChooseBackend(t *testing.T) {
	saved := pinsede.Settings{PrinterQueue: "sportello1"}
	for _, c := range []struct {
		name            string
		queue, devPrint string
		saved           pinsede.Settings
		want            cups.Backend
	}{
		{"flag", "banco2", "", saved, cups.Queue{Name: "banco2"}},
		{"dev folder", "", "/tmp/buste", saved, cups.DevFolder{Dir: "/tmp/buste"}},
		{"settings", "", "", saved, cups.Queue{Name: "sportello1"}},
		{"none", "", "", pinsede.Settings{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			// CUPS has a func field: compare what the values print.
			if got := chooseBackend(c.queue, c.devPrint, c.saved); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}
