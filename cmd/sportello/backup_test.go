package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/boltcopy"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/ui/desk"
)

// Ensure that startBackups reports each copy's outcome, not only logs
// it: a folder that cannot be made, even by root (its parent is a
// regular file), is a failure with the folder and a fault the desk tells
// as "cartella non scrivibile"; once the folder can be made, a copy
// written. The test waits on the outcomes, not on the clock.
func TestBackupsReported(t *testing.T) {
	d := t.TempDir()
	store, err := local.Create(filepath.Join(d, "s.db"), filepath.Join(d, "s.key"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	blocker := filepath.Join(d, "usb")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f := backupFlags{dir: filepath.Join(blocker, "copie"), keep: 2} // every 0: one copy, at start
	now := testclock.Stepping(time.Hour)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	copyOnce := func() desk.BackupOutcome {
		t.Helper()
		outcomes := make(chan desk.BackupOutcome, 2)
		stop := startBackups(store, f, now, log, func(o desk.BackupOutcome) { outcomes <- o })
		var o desk.BackupOutcome
		select { // the copy at start: stop gives up a copy under way
		case o = <-outcomes:
		case <-time.After(time.Minute): // a net: a copy of an empty store takes milliseconds
			t.Fatal("no outcome of the copy at start")
		}
		stop()
		if len(outcomes) != 0 {
			t.Fatalf("%d outcomes reported for one copy", 1+len(outcomes))
		}
		return o
	}

	o := copyOnce()
	if o.Err == nil || o.Dir != f.dir || boltcopy.FaultOf(o.Err) != boltcopy.FaultNotWritable || !o.At.Equal(testclock.Now()) {
		t.Errorf("a copy into a folder under a file: %+v, want a failure of %s, not writable, at %s", o, f.dir, testclock.Now())
	}
	if !strings.Contains(logs.String(), `msg="backup failed"`) || !strings.Contains(logs.String(), "fault=not_writable") {
		t.Errorf("the log:\n%s", logs.String())
	}

	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if o := copyOnce(); o.Err != nil || o.Dir != f.dir {
		t.Errorf("a copy into a folder that can be made: %+v, want one written", o)
	}
	if names, _ := filepath.Glob(filepath.Join(f.dir, "sportello-*.db")); len(names) != 1 {
		t.Errorf("copies written: %v, want one", names)
	}
}
