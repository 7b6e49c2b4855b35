package boltcopy

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Rome wherever the tests run
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
	if err := Prune(dir, "sportello-", ".db", 3); err != nil {
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
	if err := Prune(dir, "sportello-", ".db", 0); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(want) {
		t.Errorf("Prune(0) removed copies: %d files left, want %d", len(entries), len(want))
	}
}
