package desk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede/ui/ticket"
)

// Ensure that a spool folder holding more files than a desk reads is
// told on the home screen, in Italian, with how many files were read and
// how many left unread: the folder's ticket and ticket.MaxSpoolEntries+5
// files dropped by someone else leave 6 (the key is beside the folder).
func TestKioskQueueTooManyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	kioskTicket(t, dir, "K001", "FRSTTCK4", testNow.Add(-10*time.Minute), mario)
	for i := range ticket.MaxSpoolEntries + 5 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("dropped-%05d", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := ready(t, withTickets(dir))
	q := h.app.home.queue
	want := fmt.Sprintf("La cartella dei biglietti %s contiene più file di quanti ne legga uno sportello: ne ha letti %d, e altri 6 sono rimasti da leggere.", dir, ticket.MaxSpoolEntries)
	if got := q.msg.text(); !strings.Contains(got, want) {
		t.Errorf("message %q, want %q", got, want)
	}
	if got := q.waiting.Text; got != "1" && got != "–" {
		t.Errorf("tickets waiting: %q, want 1, or – when the ticket was left unread", got)
	}
	shot(t, h, "queue-toomany")
}
