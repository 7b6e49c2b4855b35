package central_test

import (
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
)

// Ensure that an event is held back as ahead of centrale's clock from
// just past the skew up to MaxAhead, and not within the skew, behind the
// clock, or farther ahead (a clock set to another day, rejected).
func TestAhead(t *testing.T) {
	now := testclock.Now()
	l := central.Limits{MaxSkew: 10 * time.Minute}
	for _, tc := range []struct {
		name string
		by   time.Duration
		want bool
	}{
		{"behind", -time.Hour, false},
		{"at the skew", 10 * time.Minute, false},
		{"past the skew", 10*time.Minute + time.Second, true},
		{"an hour", time.Hour, true},
		{"at MaxAhead", central.MaxAhead, true},
		{"past MaxAhead", central.MaxAhead + time.Second, false},
	} {
		if got := l.Ahead(pinsede.Event{Time: now.Add(tc.by)}, now); got != tc.want {
			t.Errorf("%s: Ahead = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !(central.Limits{}).Ahead(pinsede.Event{Time: now.Add(central.DefaultMaxSkew + time.Second)}, now) {
		t.Error("zero limits: the default skew not applied")
	}
}
