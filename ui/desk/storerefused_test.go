package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that a desk whose centrale's database refuses centrale's
// credentials (client.FaultStoreRefused: 503 store-down without
// Retry-After, which sync/client's TestStoreRefusedDeskTold gets from a
// real centrale on PostgreSQL) says so: its status bar, as a warning,
// that the central service cannot reach its database and to call it,
// with the events pending and nothing lost; its details that it does not
// clear by itself, to call the central service, that PINs can still be
// issued and the events wait on the desk; never that centrale is busy.
// In Italian and English. Before, the fault was busy: "collegato, ma
// l'invio è sospeso da centrale" on the bar, and "L'archivio centrale è
// molto occupato" in the details.
func TestSyncStoreRefusedTold(t *testing.T) {
	testclock.RealDayOnly(t, "centrale's store refused, told")
	inEachLanguage(t, syncStoreRefusedTold)
}

// syncStoreRefusedTold is TestSyncStoreRefusedTold in language.
func syncStoreRefusedTold(t *testing.T, language string) {
	h := ready(t)
	h.app.UseSync(fakeSync{client.State{Status: client.Online, Pending: 3, LastSync: testNow,
		Fault: client.FaultStoreRefused, FaultTitle: "Store refuses centrale"}}, "")
	bar := lang.L("sync.storerefused", map[string]any{"N": 3})
	if got := h.statusText(); got != bar {
		t.Errorf("the status bar says %q, want %q", got, bar)
	}
	if imp := h.app.sync.button.Importance; imp != widget.WarningImportance {
		t.Errorf("the status bar's importance %v, want a warning", imp)
	}
	test.Tap(h.app.sync.button)
	shot(t, h, "sync-storerefused-"+language)
	text := strings.Join(h.texts(), "\n")
	note, fault := lang.L("sync.storerefused.note", map[string]any{"N": 3}), lang.L("sync.fault.storerefused")
	for _, want := range []string{bar, note, fault} {
		if !strings.Contains(text, want) {
			t.Errorf("the details lack %q:\n%s", want, text)
		}
	}
	for _, wrong := range []string{lang.L("sync.fault.busy"), lang.L("sync.held.nountil.note", map[string]any{"N": 3})} {
		if strings.Contains(text, wrong) {
			t.Errorf("the details say %q:\n%s", wrong, text)
		}
	}
	for _, says := range map[string][]string{
		"it": {"il servizio centrale non riesce ad accedere al proprio database", "non si risolve da solo", "Chiama il servizio centrale", "continuare a emettere PIN", "restano nella coda di questo sportello"},
		"en": {"the central service cannot get into its own database", "does not clear by itself", "Call the central service", "go on issuing PINs", "stay in this desk's queue"},
	}[language] {
		if !strings.Contains(note, says) {
			t.Errorf("the note %q does not say %q", note, says)
		}
	}
}
