package desk

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede/internal/filelimit"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testdisk"
)

// Ensure that an issue whose record the disk refuses (the store's disk
// full: a real tmpfs, filled by another program) tells the clerk, in each
// of the desk's languages, that the PIN was not issued and no envelope
// printed, and what to do; the form keeps what was typed, and Emetti PIN
// issues once space is back.
func TestIssueDiskFullTold(t *testing.T) {
	testclock.RealDayOnly(t, "a full disk at the issue")
	dir := testdisk.Small(t, "2m")
	t.Setenv("TMPDIR", dir) // the harness's store on it
	issueRefusedTold(t, ready(t), "issue.disk.full", "verifica-disco-pieno-", func() func() {
		filler := testdisk.Fill(t, dir)
		return func() {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Ensure that an issue whose record is past the largest file the system
// lets the desk write (EFBIG: a real limit, RLIMIT_FSIZE, held on the
// desk's process, a child of the test's, at the size of its store) tells
// the clerk so in each of the desk's languages, as TestIssueDiskFullTold
// does its full disk. Before: "Errore imprevisto: issue: commit to store
// …: file too large".
func TestIssueFileTooLargeTold(t *testing.T) {
	testclock.RealDayOnly(t, "a store file too large at the issue")
	if arg, ok := filelimit.Child(); ok {
		*shots = strings.TrimPrefix(arg, "shots=")
		h := ready(t)
		issueRefusedTold(t, h, "issue.disk.toolarge", "verifica-file-troppo-grande-", func() func() {
			fi, err := os.Stat(h.store.Path())
			if err != nil {
				t.Fatal(err)
			}
			release, err := filelimit.Hold(uint64(fi.Size()))
			if err != nil {
				t.Fatal(err)
			}
			return func() {
				if err := release(); err != nil {
					t.Fatal(err)
				}
			}
		})
		return
	}
	if out, err := filelimit.Run("TestIssueFileTooLargeTold", "shots="+*shots); err != nil {
		t.Fatalf("the desk under a file size limit: %v\n%s", err, out)
	}
}

// Ensure that an issue whose record the system refuses to write to the
// store, open, as the desk runs (its file made immutable: EPERM, as
// chattr +i makes it; a chmod does not reach a file open already) tells
// the clerk in each of the desk's languages that the desk's records
// cannot be written, as the start says it, and what to do, as
// TestIssueDiskFullTold does its full disk. Before: "Errore imprevisto:
// issue: commit to store …: operation not permitted".
func TestIssueStoreDeniedTold(t *testing.T) {
	testclock.RealDayOnly(t, "a store denied at the issue")
	h := ready(t)
	testdisk.Immutable(t, h.store.Path())() // skips here, not in a language, unless it may
	issueRefusedTold(t, h, "issue.disk.denied", "verifica-archivio-protetto-", func() func() {
		return testdisk.Immutable(t, h.store.Path())
	})
}

// issueRefusedTold fills Mario's MV35 and document on h and presses
// Emetti PIN in each of the desk's languages while refuse, until the
// function it returns, makes the disk refuse the store's writes: the
// clerk reads the message of key (written as a shot named prefix and the
// language), no slip is printed, the form keeps what was typed, and the
// same button issues the PIN once the refusal is gone.
func issueRefusedTold(t *testing.T, h *harness, key, prefix string, refuse func() (undo func())) {
	t.Helper()
	h.toVerification(mario)
	h.fillVerification(passport)
	inEachLanguage(t, func(t *testing.T, language string) {
		undo := refuse()
		h.tap(h.app.verify.issue)
		undo()
		if got, want := h.app.verify.msg.text(), lang.L(key); got != want {
			t.Errorf("Emetti PIN, the disk refusing: %q, want %q", got, want)
		}
		shot(t, h, prefix+language)
	})
	if n := len(h.printer.printed()); n != 0 {
		t.Errorf("%d slips printed for a PIN the disk did not take, want none", n)
	}
	v, r := h.app.verify, h.app.request
	if v.number.Text != passport.Number || v.authority.Text != passport.Authority || !v.checkPhoto.Checked ||
		r.cognome.Text != mario.Cognome || r.cf.Text != string(mario.CodiceFiscale) {
		t.Errorf("the form lost what was typed: document %q %q, photo checked %v, MV35 %q %q",
			v.number.Text, v.authority.Text, v.checkPhoto.Checked, r.cognome.Text, r.cf.Text)
	}
	h.tap(h.app.verify.issue)
	if n := len(h.printer.printed()); n != 1 {
		t.Errorf("the refusal gone, Emetti PIN printed %d slips (%q), want one", n, h.app.verify.msg.text())
	}
}
