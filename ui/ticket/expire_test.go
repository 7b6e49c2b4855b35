package ticket

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that Expire removes a ticket's file by the day its ticket was
// issued, whatever the file's modification time (the clock of the machine
// that wrote it), and a file whose ticket it cannot read, or a leftover,
// by its modification time a day later: before the day before now's.
func TestSpoolExpireByIssued(t *testing.T) {
	now := testclock.Now()
	midnight := midnightOf(now)
	touch := func(t *testing.T, path string, at time.Time) {
		t.Helper()
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	file := func(t *testing.T, s Spool, name string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		touch(t, filepath.Join(s.Dir, name), at)
	}
	left := func(t *testing.T, s Spool) []string {
		t.Helper()
		es, err := os.ReadDir(s.Dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}

	s := Spool{Dir: t.TempDir()}
	// Today's ticket written by a clock days behind: it stays, and is
	// still waiting.
	spoolTicket(t, s, "K001", "TODAY333", now)
	touch(t, filepath.Join(s.Dir, SpoolFile("TODAY333")), now.AddDate(0, 0, -3))
	// Yesterday's ticket written by a clock ahead: it goes.
	spoolTicket(t, s, "K009", "PAST3333", now.AddDate(0, 0, -1))
	touch(t, filepath.Join(s.Dir, SpoolFile("PAST3333")), now.Add(time.Hour))
	// Files it cannot read, and leftovers: by their time, a day later.
	file(t, s, SpoolFile("BROKEN33"), midnight.Add(-time.Minute))
	file(t, s, SpoolFile("BROKEN44"), midnight.AddDate(0, 0, -1).Add(-time.Minute))
	file(t, s, ".ticket-123.tmp", midnight.Add(-time.Minute))
	file(t, s, ".ticket-456.tmp", midnight.AddDate(0, 0, -1).Add(-time.Minute))
	file(t, s, "notes.txt", midnight.AddDate(0, 0, -9))

	n, err := s.Expire(now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".ticket-123.tmp", "notes.txt", SpoolFile("BROKEN33"), SpoolFile("TODAY333")}
	if got := left(t, s); n != 3 || !slices.Equal(got, want) {
		t.Errorf("Expire(%v) removed %d, left %v; want 3 removed, %v left", now, n, got, want)
	}
	if ts, _ := s.Waiting(now); len(ts) != 1 || ts[0].Code != "TODAY333" {
		t.Errorf("waiting after Expire: %+v, want TODAY333", ts)
	}

	// A desk without the key reads no ticket: each goes by its file's time.
	s.Key = filepath.Join(t.TempDir(), "none.key")
	touch(t, filepath.Join(s.Dir, SpoolFile("TODAY333")), midnight.Add(-time.Minute))
	if n, err := s.Expire(now); n != 0 || err != nil {
		t.Errorf("Expire without a key: removed %d, %v; want none", n, err)
	}
	if n, err := s.Expire(now.AddDate(0, 0, 1)); n != 3 || err != nil {
		t.Errorf("Expire of tomorrow without a key: removed %d, %v; want 3", n, err)
	}
}
