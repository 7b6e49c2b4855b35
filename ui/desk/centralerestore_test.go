package desk

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede/sync/central"
)

// Ensure that a desk that finds centrale's store put back from a copy
// (its answers name another epoch: here another centrale's store, which
// lacks the PIN the desk issued) says so in its status bar, sends the
// PIN's events again, and that centrale then holds them.
func TestCentraleRestoredTold(t *testing.T) {
	h := ready(t)
	ctx := context.Background()
	before := startCentrale(t)
	c := before.client(t, "ROMA01", h.store)
	h.desk.Link = c
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := before.store.Credentials(ctx, mario.CodiceFiscale); err != nil || len(got) != 1 {
		t.Fatalf("the PIN at centrale before: %+v (%v)", got, err)
	}
	h.tap(h.app.result.toHome)

	after := startCentrale(t) // the store put back from a copy older than the PIN
	c = after.client(t, "ROMA01", h.store)
	h.desk.Link = c
	h.app.UseSync(c, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.app.sync.poll()
	r := c.State().CentraleRestored
	if r == nil || r.Resent == 0 {
		t.Fatalf("the client's state after the restore: %+v", r)
	}
	bar := lang.L("sync.centralerestored.bar", map[string]any{"N": r.Resent})
	if got := h.statusText(); !strings.Contains(got, bar) {
		t.Errorf("status bar: %q, want %q", got, bar)
	}
	if got, err := after.store.Credentials(ctx, mario.CodiceFiscale); err != nil || len(got) != 1 || got[0].Status != central.StatusActive {
		t.Errorf("the PIN at the restored centrale: %+v (%v), want it active", got, err)
	}
	shot(t, h, "centrale-restored")
}
