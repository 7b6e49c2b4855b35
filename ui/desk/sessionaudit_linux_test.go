package desk

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testdisk"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// Ensure that the lock and the logout are audited, and that an audit
// entry the store refuses (its disk full: a real tmpfs, filled by
// another program) neither stops them nor goes untold: Blocca locks the
// screen at once, the lock screen then says the lock was not recorded
// and to tell the supervisor; Esci shows the login, which says the
// logout was not; the status bar, for whoever comes to the desk, counts
// the acts not recorded, and its details list each, when and by whom,
// for the supervisor to note. Once space is back, the next lock and
// logout are in the audit chain.
func TestSessionAuditRefusedTold(t *testing.T) {
	dir := testdisk.Small(t, "2m")
	t.Setenv("TMPDIR", dir) // the harness's store on it
	h := ready(t)
	h.app.UseSync(nil, "")
	filler := testdisk.Fill(t, dir)

	h.tap(h.app.header.lockNow)
	if !h.app.lock.locked || h.app.work.Visible() {
		t.Fatal("Blocca on a full disk did not lock the screen")
	}
	if got, want := h.app.lock.msg.text(), lang.L("lock.audit.failed", map[string]any{"Time": "09:30", "Why": lang.L("audit.fault.space")}); got != want {
		t.Errorf("the lock screen says %q, want %q", got, want)
	}
	if got, want := h.statusText(), lang.L("audit.missing.bar", map[string]any{"N": 1}); got != want {
		t.Errorf("the status bar says %q, want %q", got, want)
	}
	shot(t, h, "blocco-audit-non-registrato")

	h.tap(h.app.lock.logout)
	if h.app.session != nil || h.app.current.View != h.app.login.screen.View {
		t.Fatal("Esci on a full disk did not end the session")
	}
	want := lang.L("logout.audit.failed", map[string]any{"Operator": "Maria Rossi", "ID": "m.rossi", "Time": "09:30", "Why": lang.L("audit.fault.space")})
	if got := h.app.login.msg.text(); !strings.Contains(got, want) {
		t.Errorf("the login says %q, want %q", got, want)
	}
	if got, want := h.statusText(), lang.L("audit.missing.bar", map[string]any{"N": 2}); got != want {
		t.Errorf("the status bar says %q, want %q", got, want)
	}
	h.tap(h.app.sync.button)
	shot(t, h, "login-audit-non-registrato")
	text := strings.Join(h.texts(), "\n")
	for _, act := range []pinsede.AuditAction{pinsede.ActionSessionLocked, pinsede.ActionLogout} {
		want := lang.L("audit.missing.row", map[string]any{"When": "10/03/2026 09:30", "Actor": "m.rossi", "Action": lang.L("audit." + string(act)), "Why": lang.L("audit.fault.space")})
		if !strings.Contains(text, want) {
			t.Errorf("the details lack %q:\n%s", want, text)
		}
	}
	h.app.sync.details.Hide()

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	h.logIn("m.rossi", "password-di-prova")
	h.tap(h.app.header.lockNow)
	h.tap(h.app.lock.logout)
	for _, act := range []pinsede.AuditAction{pinsede.ActionSessionLocked, pinsede.ActionLogout} {
		if n := h.auditedBy("m.rossi", act); n != 1 {
			t.Errorf("%d entries %s in the audit chain, want 1: the one with space", n, act)
		}
	}
}

// Ensure that the unlock is audited (operator.session_unlocked) once the
// screen shows again, and found by the supervisor's audit search in each
// of the desk's languages; and that an entry the store refuses (its file
// made immutable as the check of the password comes back to the screen,
// the check itself a write of the store) does not stop the unlock: the
// screen shows, the status bar counts the act and its details name it.
// Before, an unlock left no entry.
func TestUnlockAudited(t *testing.T) {
	h := ready(t)
	h.app.UseSync(nil, "")
	testdisk.Immutable(t, h.store.Path())() // skips here unless it may
	unlock := func() {
		t.Helper()
		h.tap(h.app.header.lockNow)
		h.typeIn(h.app.lock.password, "password-di-prova")
		h.tap(h.app.lock.unlock)
		if h.app.lock.locked || !h.app.work.Visible() {
			t.Fatalf("Sblocca did not unlock: %q", h.app.lock.msg.text())
		}
	}
	unlock()
	if n := h.auditedBy("m.rossi", pinsede.ActionSessionUnlocked); n != 1 {
		t.Errorf("%d entries %s after an unlock, want 1", n, pinsede.ActionSessionUnlocked)
	}

	undo, toUI := func() {}, h.app.toUI
	h.app.toUI = func(f func()) { // the unlock's outcome, on its way to the screen
		h.app.toUI = toUI
		undo = testdisk.Immutable(t, h.store.Path())
		toUI(f)
	}
	unlock()
	undo()
	if got, want := h.statusText(), lang.L("audit.missing.bar", map[string]any{"N": 1}); got != want {
		t.Errorf("the status bar says %q, want %q", got, want)
	}
	h.tap(h.app.sync.button)
	want := lang.L("audit.missing.row", map[string]any{"When": "10/03/2026 09:30", "Actor": "m.rossi",
		"Action": lang.L("audit.operator.session_unlocked"), "Why": lang.L("audit.fault.denied")})
	if text := strings.Join(h.texts(), "\n"); !strings.Contains(text, want) {
		t.Errorf("the details lack %q:\n%s", want, text)
	}
	shot(t, h, "sblocco-audit-non-registrato")
	h.app.sync.details.Hide()

	inEachLanguage(t, func(t *testing.T, language string) {
		h.app.audit = nil // built again in the round's language, as the desk started in it builds it
		h.app.showAudit()
		s := h.app.audit
		s.action.SetSelectedIndex(slices.Index(s.actions, pinsede.ActionSessionUnlocked))
		h.tap(s.search)
		if len(s.found) != 1 || s.found[0].Action != pinsede.ActionSessionUnlocked {
			t.Fatalf("the search for unlocks found %+v: %q", s.found, s.msg.text())
		}
		if text := h.screenText(); !strings.Contains(text, lang.L("audit.operator.session_unlocked")) {
			t.Errorf("the audit screen does not name the unlock:\n%s", text)
		}
		shot(t, h, "registro-sblocco-"+language)
	})
}

// Ensure that closing the desk with a session open records its logout
// (operator.logout, how: the desk closed), locked or not, once: Close is
// what sportello runs as its window closes or it stops (SIGTERM), before
// its store closes. Before, such a session had no end in the audit chain.
func TestCloseAuditsLogout(t *testing.T) {
	for _, locked := range []bool{false, true} {
		t.Run(map[bool]string{false: "open", true: "locked"}[locked], func(t *testing.T) {
			h := ready(t)
			if locked {
				h.tap(h.app.header.lockNow)
			}
			h.app.Close()
			h.app.Close() // the harness's end closes it again
			var how []string
			err := h.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
				if e.Action == pinsede.ActionLogout && e.Actor == "m.rossi" {
					how = append(how, e.Detail)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(how) != 1 || how[0] != "Sportello chiuso con la sessione aperta" {
				t.Errorf("logouts of m.rossi after the close: %q, want the close's, once", how)
			}
		})
	}
}

// Ensure that closing the desk on a disk that no longer answers (its ext4
// file system frozen, as fsfreeze does: the logout's write waits on it)
// does not hang the close, with the desk's log as sportello's: to stderr
// and to sportello.log beside the store, on that disk. Close returns once
// its bound is past, and the log says the session's logout was not
// recorded in time, and why: on stderr at once, in the file once the
// disk answers. The disk answering again, the write that waited goes
// through whole: one logout in the audit chain, the chain whole. Before,
// Close waited on the disk for as long as it did not answer (the quit's
// watchdog then ended the desk, the log saying neither the logout nor the
// store closed); then, bounded, it waited as long on its log line, written
// to the same disk (the reviewer's probe: Close still blocked 8 s after it
// began, in write(2); this test, its log then in memory only, missed it).
func TestCloseHungDiskBounded(t *testing.T) {
	dir, hang := testdisk.Hung(t)
	t.Setenv("TMPDIR", dir) // the harness's store on it
	file, err := os.OpenFile(filepath.Join(dir, "sportello.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	const line = "not recorded in time"
	stderr := &seenWriter{want: line, seen: make(chan struct{})}
	h := ready(t, func(_ *pinsede.Desk, c *Config) {
		c.Log = slog.New(slog.NewTextHandler(io.MultiWriter(stderr, file), nil)) // as cmd/sportello's deskLog
	})
	h.wait()
	h.app.closeWait = closeAuditWait // production's: the disk does not answer, the bound is what ends the wait
	resume := hang()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		h.app.Close()
	}()
	bound, release := uitest.Bound(t)
	defer release()
	for _, ch := range []chan struct{}{closed, stderr.seen} {
		select {
		case <-ch:
		case <-bound:
			resume()
			t.Fatalf("Close still waits on the disk that does not answer; the log so far:\n%s", stderr.String())
		}
	}
	if got := stderr.String(); !strings.Contains(got, "operator=m.rossi") {
		t.Errorf("the log after the close:\n%s\nwant the logout of m.rossi not recorded in time", got)
	}
	resume()
	// The handler writes one line at a time: this one, after the line
	// that waited on the disk, whole.
	h.app.logger().Info("the disk answers")
	b, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, line) || strings.Index(got, line) > strings.Index(got, "the disk answers") {
		t.Errorf("sportello.log once the disk answers:\n%s\nwant the logout not recorded in time, then the disk answers", got)
	}
	// The store's next write waits for the logout's: it then is in the
	// store, or not at all.
	if err := h.store.Update(func(pinsede.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := h.audited(pinsede.ActionLogout, ""); n != 1 {
		t.Errorf("%d logouts in the audit chain once the disk answers, want the close's, whole", n)
	}
	h.assertChainWhole()
}

// seenWriter is a log's destination in memory that closes seen once a
// line holding want was written to it.
type seenWriter struct {
	testlog.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

// Write appends p, and closes w.seen once w holds w.want.
func (w *seenWriter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}
