package i18n

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a store bbolt finds damaged under a screen's transaction
// (local's ErrCorrupt, which is pinsede.ErrStoreCorrupt) tells the clerk
// the store is damaged and who restores it: it read "Errore imprevisto:
// … store corrupt: bbolt file damaged: assertion failed: …".
func TestMessageStoreCorrupt(t *testing.T) {
	if err := Load(""); err != nil {
		t.Fatal(err)
	}
	err := fmt.Errorf("search: %w: bbolt file damaged: assertion failed: Page expected to be: 2, but self identifies as 0", pinsede.ErrStoreCorrupt)
	got := Message(err)
	for _, want := range []string{"archivio dello sportello è danneggiato", "assistenza tecnica", "copia di sicurezza"} {
		if !strings.Contains(got, want) {
			t.Errorf("Message = %q, want %q in it", got, want)
		}
	}
}
