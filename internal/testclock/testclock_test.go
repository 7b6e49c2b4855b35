package testclock

import (
	"testing"
	"time"
)

// Ensure that the clock is the variable's instant, with its offset, and
// that a malformed value is an error that names the variable.
func TestParse(t *testing.T) {
	got, err := Parse("2028-02-29T23:59:30+01:00")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2028, 2, 29, 22, 59, 30, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Parse = %v, want %v", got, want)
	}
	if y, m, d := got.Date(); y != 2028 || m != 2 || d != 29 {
		t.Errorf("the day in the variable's own offset is %d-%d-%d, want 2028-2-29", y, m, d)
	}
	if _, err := Parse("29/02/2028"); err == nil {
		t.Error("Parse(29/02/2028): no error")
	}
	if got, err := Parse(""); err != nil || time.Since(got) > time.Minute {
		t.Errorf("Parse(\"\") = %v, %v: want the real time", got, err)
	}
}

// Ensure that the clock stands still within a process.
func TestNowStandsStill(t *testing.T) {
	if a, b := Now(), Now(); !a.Equal(b) {
		t.Errorf("Now moved: %v then %v", a, b)
	}
}

// Ensure that a stepping clock starts at the suite's instant and that
// every read, from any goroutine, is later than the one before.
func TestStepping(t *testing.T) {
	clock := Stepping(time.Microsecond)
	if got := clock(); !got.Equal(Now()) {
		t.Errorf("first read %v, want %v", got, Now())
	}
	seen := make(chan time.Time, 100)
	for range 100 {
		go func() { seen <- clock() }()
	}
	distinct := map[time.Time]bool{}
	for range 100 {
		distinct[<-seen] = true
	}
	if len(distinct) != 100 {
		t.Errorf("%d distinct reads of 100", len(distinct))
	}
}

// Ensure that RealDayOnly skips a test on a pass with the clock moved,
// and only there.
func TestRealDayOnly(t *testing.T) {
	for _, c := range []struct {
		env     string
		skipped bool
	}{{"", false}, {"2028-02-29T23:59:30+01:00", true}} {
		t.Setenv(Env, c.env)
		var skipped bool
		t.Run("env="+c.env, func(t *testing.T) {
			defer func() { skipped = t.Skipped() }()
			RealDayOnly(t, "a test of keys")
		})
		if skipped != c.skipped {
			t.Errorf("%s=%q: skipped %v, want %v", Env, c.env, skipped, c.skipped)
		}
	}
}
