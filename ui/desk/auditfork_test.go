package desk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that a desk whose audit chain centrale refuses (a store restored
// from a copy older than what centrale holds: here a chain centrale has
// not admitted for the sede, which centrale refuses alike) tells the clerk
// and the supervisor, in Italian and in English, what happened and whom
// to call with the sede's code, in the bar and its details, never as an
// error of centrale's retrying by itself nor with centrale's English
// title; and that a PIN issued meanwhile says on its result screen,
// before its handover, that it does not work at the portal until
// centrale confirms the restore.
func TestAuditForkTold(t *testing.T) {
	testclock.RealDayOnly(t, "an audit chain centrale refuses, told")
	inEachLanguage(t, func(t *testing.T, language string) {
		h := ready(t)
		cen := startCentrale(t)
		ctx := context.Background()
		// Centrale holds another chain of the sede's desk: another store's.
		dir := t.TempDir()
		other, err := local.Create(filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		if err := other.Update(func(tx pinsede.Tx) error {
			_, err := tx.AppendAudit(pinsede.AuditEntry{Time: deskClock(), Sede: "ROMA01", Actor: "op", Action: pinsede.ActionLogin})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := cen.client(t, "ROMA01", other).Sync(ctx); err != nil {
			t.Fatal(err)
		}
		c := cen.client(t, "ROMA01", h.store)
		if f, _ := client.Classify(c.Sync(ctx)); f != client.FaultAuditFork {
			t.Fatalf("the desk's sync: fault %v, want %v", f, client.FaultAuditFork)
		}
		h.desk.Link = c
		h.app.UseSync(c, "ROMA01")
		t.Cleanup(h.app.sync.unsubscribe)
		args := map[string]any{"Sede": "ROMA01", "Desk": lang.L("sync.desk.none")}
		if got, want := h.statusText(), lang.L("sync.auditfork.bar", args); !strings.HasPrefix(want, strings.TrimSuffix(got, "…")) {
			t.Errorf("status bar %q, want %q", got, want)
		}
		test.Tap(h.app.sync.button)
		shot(t, h, "auditfork-details-"+language)
		text := strings.Join(h.texts(), "\n")
		if want := lang.L("sync.fault.auditfork", args); !strings.Contains(text, want) {
			t.Errorf("details lack %q:\n%s", want, text)
		}
		for _, never := range []string{"Audit log refused", lang.L("sync.fault.server", map[string]any{"Title": "Audit log refused"})} {
			if strings.Contains(text, never) {
				t.Errorf("details say %q", never)
			}
		}
		h.app.sync.details.Hide()

		h.toVerification(mario)
		h.fillVerification(passport)
		h.tap(h.app.verify.issue)
		res := h.app.result
		if res == nil || h.app.current.View != res.screen.View {
			t.Fatalf("not on the result screen: %q", h.app.verify.msg.text())
		}
		shot(t, h, "auditfork-issued-"+language)
		if !res.issued.Pending {
			t.Errorf("issued while centrale refuses the desk's chain, but not pending")
		}
		if want := lang.L("issue.pending.restored", args); !strings.Contains(strings.Join(h.texts(), "\n"), want) {
			t.Errorf("result screen lacks %q", want)
		}
	})
}
