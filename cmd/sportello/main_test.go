package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/i18n"
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

// Ensure that a folder in the key file's place stops the desk with a
// message in the clerk's language that says what is there and what to
// do, and that the store is not made again beside it.
func TestStartKeyNotFile(t *testing.T) {
	if err := i18n.Load("it"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, key := filepath.Join(dir, "s.db"), filepath.Join(dir, "s.key")
	s, err := openStore(store, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(key, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = openStore(store, key)
	if msg := startMessage(err, store, key); !strings.Contains(msg, "Al posto della chiave dell'archivio ("+key+") c'è una cartella o un file speciale") {
		t.Errorf("message: %q", msg)
	}
}
