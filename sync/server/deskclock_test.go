package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushRead sends body as a push to centrale at url that says the desk's
// clock reads each of clock (none when empty), and returns the status and
// the answer.
func pushRead(t *testing.T, url string, c *http.Client, body []byte, clock ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/v1/events", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", wire.ContentJSON)
	for _, v := range clock {
		req.Header.Add(wire.DeskClockHeader, v)
	}
	return doRequest(t, c, req)
}

// Ensure that centrale keeps a push from a desk whose clock runs an hour
// ahead in its own clock, by the reading the push carries: the events'
// times an hour back, the expiry the moved issue plus its validity; that
// the same push sent again, with another reading, is applied once, its
// times as first kept; that centrale logs the push it moved, with the
// desk's offset; and that a reading that is malformed, given twice, days
// ahead or behind by more than an event may be old refuses the push
// whole with a problem that names the fault, nothing stored.
func TestPushDeskClock(t *testing.T) {
	env := newEnv(t)
	var logs testlog.Buffer
	hs, _, _ := observed(t, env, &logs)
	c := env.Client(t, pki.RoleSede, "ROMA01")
	ctx := context.Background()
	now := storetest.T0 // centrale's clock, the suite's
	push := batch(t, "ROMA01", 2)
	for i := range push.Events {
		ev := &push.Events[i]
		ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = now.Add(time.Hour), now.Add(time.Hour), pinsede.Expiry(now.Add(time.Hour))
	}
	body := mustJSON(t, push)
	stamp := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }

	for _, tc := range []struct {
		name   string
		clock  []string
		status int
		slug   string
	}{
		{"malformed", []string{"ieri alle 9"}, http.StatusBadRequest, "malformed"},
		{"twice", []string{stamp(time.Hour), stamp(time.Hour)}, http.StatusBadRequest, "malformed"},
		{"days ahead", []string{stamp(72 * time.Hour)}, http.StatusConflict, "clock-ahead"},
		{"behind more than an event may be old", []string{stamp(-central.DefaultMaxAge - time.Hour)}, http.StatusConflict, "clock-behind"},
	} {
		st, b := pushRead(t, hs.URL, c, body, tc.clock...)
		var p wire.Problem
		if err := json.Unmarshal(b, &p); err != nil || st != tc.status || p.Type != "urn:pinsede:problem:"+tc.slug ||
			!strings.Contains(p.Detail, wire.DeskClockHeader) || !strings.Contains(p.Detail, "nothing was stored") {
			t.Errorf("%s: %d %s; want %d %s naming %s", tc.name, st, b, tc.status, tc.slug, wire.DeskClockHeader)
		}
	}
	if n, err := env.Store.Events(ctx); err != nil || n != 0 {
		t.Fatalf("%d events stored of refused pushes (%v)", n, err)
	}

	for i, tc := range []struct {
		clock string
		want  wire.Verdict
	}{{stamp(time.Hour), wire.Accepted}, {stamp(3 * time.Hour), wire.Duplicate}} {
		st, b := pushRead(t, hs.URL, c, body, tc.clock)
		var resp wire.PushResponse
		if err := json.Unmarshal(b, &resp); err != nil || st != http.StatusOK {
			t.Fatalf("push %d: %d %s", i, st, b)
		}
		for _, r := range resp.Results {
			if r.Verdict != tc.want {
				t.Errorf("push %d: %+v, want %s", i, r, tc.want)
			}
		}
	}
	for _, sent := range push.Events {
		got, err := env.Store.Event(ctx, "ROMA01", sent.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The expiry is the moved issue plus the months, as sent: an hour
		// back across a month's end it is not the sent one an hour back
		// (PINSEDE_TEST_NOW=2028-02-29T23:59:30Z: sent 1 March + 6
		// months, kept 29 February + 6 months).
		c, expires := got.Event.Credential, pinsede.Expiry(now)
		if !got.Event.Time.Equal(now) || !c.IssuedAt.Equal(now) || !c.ExpiresAt.Equal(expires) {
			t.Errorf("event %s kept at %v, issued %v, expiring %v; want an hour back: %v, %v, %v", sent.ID,
				got.Event.Time, c.IssuedAt, c.ExpiresAt, now, now, expires)
		}
	}
	if n, err := env.Store.Events(ctx); err != nil || n != len(push.Events) {
		t.Errorf("%d events stored, want %d, each once (%v)", n, len(push.Events), err)
	}
	if want := `"msg":"desk clock: event times moved to centrale's","sede":"ROMA01","desk":"","offset":"1h0m0s","events":2`; strings.Count(logs.String(), want) != 1 {
		t.Errorf("centrale's log lacks, once, %s:\n%s", want, logs.String())
	}
}
