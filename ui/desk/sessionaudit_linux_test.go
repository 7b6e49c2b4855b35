package desk

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testdisk"
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
