package central_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// BenchmarkAdjust measures what Limits.Adjust adds to a push of
// wire.MaxBatch issues, side by side with the screening every push pays
// (ScreenAll): on time (nothing moves), an hour ahead (every time moves
// by the offset), and stamped ahead on a clock since put right (every
// time moves to centrale's clock). Each run copies the push first, as
// each push decodes its own events; the copy is measured alone too.
func BenchmarkAdjust(b *testing.B) {
	at := testclock.Now()
	l := storetest.Limits
	h := storetest.Hash(b, "ACEFHJKMNPRTUVWX")
	push := func(d time.Duration) []pinsede.Event {
		evs := make([]pinsede.Event, 500)
		for i := range evs {
			ev := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprintf("e%d", i), fmt.Sprintf("c%d", i), h)
			t := at.Add(d)
			ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = t, t, pinsede.Expiry(t)
			evs[i] = ev
		}
		return evs
	}
	onTime, ahead := push(0), push(time.Hour)
	evs := make([]pinsede.Event, len(onTime))
	for _, bc := range []struct {
		name string
		src  []pinsede.Event
		run  func([]pinsede.Event)
	}{
		{"copy", onTime, func([]pinsede.Event) {}},
		{"screen", onTime, func(evs []pinsede.Event) { central.ScreenAll(l, "ROMA01", evs, at) }},
		{"adjust-on-time", onTime, func(evs []pinsede.Event) { l.Adjust(evs, 0, at) }},
		{"adjust-offset", ahead, func(evs []pinsede.Event) { l.Adjust(evs, time.Hour, at) }},
		{"adjust-put-right", ahead, func(evs []pinsede.Event) { l.Adjust(evs, 0, at) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(evs, bc.src)
				bc.run(evs)
			}
		})
	}
}
