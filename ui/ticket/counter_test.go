package ticket

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that the count does not start again for a day before the one it
// holds: three tickets after midnight, the clock put back before it, then
// forward again, numbered 1 to 5; they were 1 2 3 1 1, two firsts of a
// day. A new day after it starts again at 1.
func TestCounterClockBack(t *testing.T) {
	now := testclock.Now()
	midnight := midnightOf(now)
	c := Counter{Path: filepath.Join(t.TempDir(), "queue.json")}
	var got []int
	for _, at := range []time.Time{
		midnight.Add(5 * time.Minute), midnight.Add(6 * time.Minute), midnight.Add(7 * time.Minute),
		midnight.Add(-3 * time.Minute), // the clock put back 10 minutes
		midnight.Add(8 * time.Minute),
		midnight.AddDate(0, 0, 1).Add(time.Minute),
	} {
		n, err := c.Next(at)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if want := []int{1, 2, 3, 4, 5, 1}; !slices.Equal(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
}
