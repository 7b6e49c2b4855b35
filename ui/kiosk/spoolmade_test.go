package kiosk

import (
	"os"
	"path/filepath"
	"testing"
)

// Ensure that a kiosk with a spool folder, alone or as centrale's
// fallback, makes the folder and its key at its start, so that the key
// can be copied to the desks when the kiosk is set up (README, Kiosk):
// before, neither was there until a first ticket went to the folder,
// which with centrale is only when centrale fails.
func TestSpoolMadeAtStart(t *testing.T) {
	for name, sink := range map[string]func(dir string) TicketSink{
		"spool":    func(dir string) TicketSink { return SpoolSink{Dir: dir} },
		"fallback": func(dir string) TicketSink { return FallbackSink{First: &memorySink{}, Then: SpoolSink{Dir: dir}} },
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "srv", "spool")
			h := newHarnessWith(t, func(c *Config) { c.Sink = sink(dir) })
			<-h.app.chores.Idle() // the upkeep at start
			for path, mode := range map[string]os.FileMode{dir: os.ModeDir | 0o700, SpoolSink{Dir: dir}.KeyFile(): 0o600} {
				st, err := os.Stat(path)
				if err != nil {
					t.Errorf("after the start: %v", err)
				} else if st.Mode() != mode {
					t.Errorf("%s: mode %v, want %v", path, st.Mode(), mode)
				}
			}
		})
	}
}
