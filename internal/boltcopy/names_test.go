package boltcopy

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Rome wherever the tests run

	"github.com/pinsede/pinsede/internal/boltsafe"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that the copies made an hour apart across the night the clocks
// go back in Italy (31 October 2027: 03:00 CEST becomes 02:00 CET) get
// names of their own, though their local times are the same, and that
// Prune keeps the newest by the instant they name: the names' order
// would put 02:59:30+0100 before 02:59:30+0200, an hour earlier. The
// dates are the calendar's, not the suite's: the night itself is the
// case.
func TestNamesWhenTheClocksGoBack(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2027, 10, 31, 0, 59, 30, 0, time.UTC).In(rome) // 02:59:30 CEST
	dir := t.TempDir()
	var names []string
	for i := range 4 {
		at := first.Add(time.Duration(i) * time.Hour)
		names = append(names, Name("sportello-", at, ".db"))
		if err := os.WriteFile(filepath.Join(dir, names[i]), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"sportello-20271031-025930+0200.db", "sportello-20271031-025930+0100.db",
		"sportello-20271031-035930+0100.db", "sportello-20271031-045930+0100.db"}; !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	// A copy named before the offset, days older, and a file of another
	// name.
	for _, n := range []string{"sportello-20271020-120000.db", "sportello-da-tenere.db"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Prune(dir, "sportello-", ".db", 3, filepath.Join(dir, names[3])); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{names[1], names[2], names[3], "sportello-da-tenere.db"}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("after Prune(3): %v, want %v: the three newest by their instant, the other file", left, want)
	}
	if err := Prune(dir, "sportello-", ".db", 0, ""); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(want) {
		t.Errorf("Prune(0) removed copies: %d files left, want %d", len(entries), len(want))
	}
}

// Ensure that Prune never removes the copy just written, which counts as
// the newest whatever its name: after the clock was put back a day, it
// is named before the others, and keep 3 keeps it with the two newest by
// their names; keep 1 keeps it alone.
func TestPruneKeepsWritten(t *testing.T) {
	now := testclock.Now()
	dir := t.TempDir()
	var names []string
	for _, at := range []time.Time{now.Add(-8 * time.Hour), now.Add(-4 * time.Hour), now, now.AddDate(0, 0, -1)} {
		names = append(names, Name("centrale-", at, ".db"))
		if err := os.WriteFile(filepath.Join(dir, names[len(names)-1]), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	written := filepath.Join(dir, names[3])
	left := func() []string {
		t.Helper()
		got, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i] = filepath.Base(got[i])
		}
		return got
	}
	for _, tc := range []struct {
		keep int
		want []string
	}{
		{3, slices.Sorted(slices.Values(names[1:]))},
		{1, names[3:]},
	} {
		if err := Prune(dir, "centrale-", ".db", tc.keep, written); err != nil {
			t.Fatal(err)
		}
		if got := left(); !slices.Equal(got, tc.want) {
			t.Errorf("Prune(%d) with the clock put back a day: %v left, want %v", tc.keep, got, tc.want)
		}
	}
}

// Ensure that Prune removes the .part a copy cut short left (the desk
// killed mid-copy), whatever keep, and leaves alone the .part of a copy
// under way, held as ToFileContext holds it, and the files of other
// names. Before, nothing removed a .part: each as large as the store.
func TestPruneRemovesCutShort(t *testing.T) {
	dir := t.TempDir()
	at := testclock.Now()
	stale := filepath.Join(dir, Name("sportello-", at.Add(-4*time.Hour), ".db")+".123456.part")
	other := filepath.Join(dir, "notes.db.1.part")
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, []byte("cut short"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	underWay, err := os.CreateTemp(dir, Name("sportello-", at, ".db")+".*.part")
	if err != nil {
		t.Fatal(err)
	}
	underWay.Close()
	release, err := boltsafe.Hold(underWay.Name(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, keep := range []int{0, 2} {
		if err := Prune(dir, "sportello-", ".db", keep, ""); err != nil {
			t.Fatal(err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if want := []string{other, underWay.Name()}; !slices.Equal(left, slices.Sorted(slices.Values(want))) {
		t.Errorf("left %v, want %v", left, want)
	}
}
