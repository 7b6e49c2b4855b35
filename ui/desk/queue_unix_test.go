//go:build unix

package desk

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede/ui/kiosk"
	"github.com/pinsede/pinsede/ui/theme"
	"github.com/pinsede/pinsede/ui/ticket"
)

// Ensure that what others drop in a shared spool folder under a ticket's
// name, a named pipe no program writes to and a file of 2 GB (sparse),
// neither hangs the desk nor fills its memory: the home screen counts
// the real ticket and says, wholly in the desk's language (Italian, or
// English), that the folder holds files that are no tickets, naming
// them, with none of the English of the Go error; the code of one opens
// nothing, says so, and leaves the file; the real ticket still opens;
// and a folder in the key's place is told as a key that is not valid.
func TestKioskQueueNotTicketFiles(t *testing.T) {
	inEachLanguage(t, func(t *testing.T, language string) {
		dir := filepath.Join(t.TempDir(), "spool")
		kioskTicket(t, dir, "K001", "FRSTTCK4", testNow.Add(-10*time.Minute), mario)
		if err := syscall.Mkfifo(filepath.Join(dir, kiosk.SpoolFile("PIPETCK4")), 0o600); err != nil {
			t.Skip(err)
		}
		big, err := os.Create(filepath.Join(dir, kiosk.SpoolFile("BIGGTCK4")))
		if err != nil {
			t.Fatal(err)
		}
		big.Truncate(2 << 30)
		big.Close()

		h := ready(t, withTickets(dir))
		q := h.app.home.queue
		if got := q.waiting.Text; got != "1" {
			t.Errorf("tickets waiting: %q, want 1", got)
		}
		want, end := notTicketsSaid[language][0], notTicketsSaid[language][1]
		// english reports whether msg, but for the folder's name, holds
		// words of the Go error ("spool …: … refused").
		english := func(msg string) bool {
			msg = strings.ReplaceAll(msg, dir, "")
			return strings.Contains(msg, "spool") || strings.Contains(msg, "refused")
		}
		both := kiosk.SpoolFile("BIGGTCK4") + ", " + kiosk.SpoolFile("PIPETCK4")
		if got := q.msg.text(); !strings.Contains(got, want+": "+both+".") || !strings.HasSuffix(got, end) || english(got) {
			t.Errorf("message %q, want %q naming both files, ending %q, without the error's English", got, want, end)
		}
		if *shots != "" && language == "it" {
			test.ApplyTheme(t, theme.New())
			f, err := os.Create(filepath.Join(*shots, "queue-notticket.png"))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, h.win.Canvas().Capture())
			f.Close()
		}
		h.typeIn(q.code, "PIPETCK4")
		key(q.code, fyne.KeyReturn)
		h.wait()
		pipe := want + ": " + kiosk.SpoolFile("PIPETCK4") + "."
		if got := q.msg.text(); h.app.request != nil || !strings.Contains(got, pipe) || !strings.HasSuffix(got, end) || english(got) || !spooled(dir, "PIPETCK4") {
			t.Errorf("the pipe's code: message %q (want %q), request %v, still spooled %v", got, pipe, h.app.request != nil, spooled(dir, "PIPETCK4"))
		}
		h.typeIn(q.code, "FRSTTCK4")
		key(q.code, fyne.KeyReturn)
		h.wait()
		if h.app.request == nil {
			t.Fatalf("the real ticket did not open; message %q", q.msg.text())
		}

		keyFile := ticket.Spool{Dir: dir}.KeyFile()
		os.Remove(keyFile)
		if err := os.Mkdir(keyFile, 0o700); err != nil {
			t.Fatal(err)
		}
		q.refresh()
		if got := q.msg.text(); !strings.Contains(got, notTicketsSaid[language][2]+" ("+keyFile+")") {
			t.Errorf("a folder for the key: message %q", got)
		}
	})
}

// notTicketsSaid is, in each language of the desk, what the home screen
// says of files that are no tickets before it names them, how it ends,
// and how it starts to tell a key that is not valid.
var notTicketsSaid = map[string][3]string{
	"it": {"ci sono file che non sono biglietti del chiosco (più grandi di un biglietto, cartelle o file speciali, o non leggibili)",
		"avvisa il supervisore.", "La chiave della cartella dei biglietti"},
	"en": {"holds files that are not kiosk tickets (larger than a ticket, folders or special files, or not readable)",
		"tell the supervisor.", "The key of the ticket folder"},
}
