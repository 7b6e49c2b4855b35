package main

import (
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// TestXInputSessionAudited walks the real desk's session to its end by
// the two ways a desk closes with it open: locked by Ctrl+L and unlocked
// by the password, then the window closed as a window manager closes it
// (WM_DELETE_WINDOW); started again, logged in, locked and stopped by
// SIGTERM. The store then holds the lock, the unlock and both logouts
// ("Sportello chiuso con la sessione aperta"), and each quit ended with
// status 0 and a clean log. Before, neither the unlock nor the closes
// left an entry.
func TestXInputSessionAudited(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the audit of the unlock and of the desk's close")
	bin, display, dir := xinPrepare(t)
	d := xinStart(t, bin, display, dir)
	d.setUpAndLogIn()
	d.keys("ctrl+l")
	d.waitScreen("Sessione bloccata")
	d.typeText("password-di-prova")
	d.keys("Return")
	d.waitScreen("Home")
	if err := d.app.CloseWindow(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, d.app, func() bool {
		select {
		case <-d.app.Done():
			return true
		default:
			return false
		}
	}, "the desk's exit at its window's close")
	if code := d.app.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("sportello closed by its window exited with status %d, want 0", code)
	}
	d.restart(nil) // its log checked
	d.logIn()
	d.keys("ctrl+l")
	d.waitScreen("Sessione bloccata")
	d.app.Stop(t) // SIGTERM, the session locked
	xinCheckLog(t, dir, d.app)

	count := map[pinsede.AuditAction]int{}
	var closes int
	err := xinOpenStore(t, dir).AuditEntries(0, func(e pinsede.AuditEntry) error {
		count[e.Action]++
		if e.Action == pinsede.ActionLogout && e.Detail == "Sportello chiuso con la sessione aperta" {
			closes++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count[pinsede.ActionSessionLocked] != 2 || count[pinsede.ActionSessionUnlocked] != 1 || count[pinsede.ActionLogout] != 2 || closes != 2 {
		t.Errorf("locks %d, unlocks %d, logouts %d (%d by the close), want 2, 1, 2 (2)",
			count[pinsede.ActionSessionLocked], count[pinsede.ActionSessionUnlocked], count[pinsede.ActionLogout], closes)
	}
}
