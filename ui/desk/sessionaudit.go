package desk

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/diskerr"
	"github.com/pinsede/pinsede/internal/shutdown"
)

// The lock, the unlock and the logout are audited (pinsede.Desk.
// SessionLocked, SessionUnlocked and Logout) after they are done: a lock
// always locks the screen, an unlock always shows it again, a logout
// always ends the session, whatever the store says; so does closing the
// desk with a session open (Close), a logout too. An entry the store
// refuses (damaged, its disk full) is not lost in silence: a supervisor's
// session with no record of its end is a compliance fault. The screen
// shown says so at once (the lock screen, the login), the status bar
// counts such acts, for whoever comes to the desk, until the desk stops,
// and its details list each, when and by whom, for the supervisor to
// note; the log has the technical error.

// maxUnaudited bounds the acts not recorded the desk keeps, the latest.
const maxUnaudited = 50

// unaudited is an act of a session whose audit entry the store refused.
type unaudited struct {
	at     time.Time
	actor  string
	action pinsede.AuditAction
	// why is the refusal in the clerk's words (auditFaultText).
	why string
}

// auditLock records the lock of session s, after the idle time when idle
// is true; a refusal is told on the lock screen, while it still shows
// that session locked.
func (a *App) auditLock(s *pinsede.Session, idle bool) {
	a.auditSession(s, pinsede.ActionSessionLocked, func() error { return a.desk.SessionLocked(s, idle) }, func(u unaudited) {
		if a.session == s && a.lock.locked {
			a.lock.msg.set(msgError, lang.L("lock.audit.failed", map[string]any{"Time": u.at.Format("15:04"), "Why": u.why}))
		}
	})
}

// auditUnlock records the unlock of session s; a refusal is told by the
// status bar, the lock screen gone.
func (a *App) auditUnlock(s *pinsede.Session) {
	a.auditSession(s, pinsede.ActionSessionUnlocked, func() error { return a.desk.SessionUnlocked(s) }, func(unaudited) {})
}

// closeAuditWait bounds how long closing the desk waits for the store to
// record the logout of the session open (auditClose): far beyond a
// write to a disk that answers, and, with the wait for its log line
// (shutdown.LogWait), well within the quit's watchdog (shutdown.Grace),
// for the quit's next steps (the link stopped, the log closed) to run
// before a store whose disk does not answer holds the store's close.
const closeAuditWait = 2 * time.Second

// auditClose records the logout of the session open, locked or not, as
// the desk closes (pinsede.LogoutClosed): the window is gone, so a
// refusal is logged only. It waits for the store at most a.closeWait
// (closeAuditWait): past it, the desk closes and the log says the logout
// was not recorded in time; the write goes on, whole or not at all, and
// the store's close waits for it (within the quit's watchdog). The log
// line holds Close at most shutdown.LogWait: sportello's log is beside
// the store, on the disk that does not answer.
func (a *App) auditClose() {
	s := a.session
	if s == nil {
		return
	}
	at := a.desk.Now()
	done := make(chan error, 1) // the write ends after the wait too
	go func() { done <- a.desk.Logout(s, pinsede.LogoutClosed) }()
	wait := time.NewTimer(a.closeWait)
	defer wait.Stop()
	select {
	case err := <-done:
		if err != nil {
			shutdown.Log(func() {
				a.logger().Error("audit entry refused by the store: the desk closed, its session's logout not recorded",
					"action", string(pinsede.ActionLogout), "operator", s.Actor(), "at", at, "err", err)
			})
		}
	case <-wait.C:
		shutdown.Log(func() {
			a.logger().Error("audit entry not recorded in time: the store's disk did not answer; the desk closes, its session's logout recorded only if the disk answers before the store closes",
				"action", string(pinsede.ActionLogout), "operator", s.Actor(), "at", at, "waited", a.closeWait)
		})
	}
}

// auditLogout records the end of session s, how it ended; a refusal is
// told on the login, after what it says, unless someone logged in since.
func (a *App) auditLogout(s *pinsede.Session, how pinsede.LogoutKind) {
	a.auditSession(s, pinsede.ActionLogout, func() error { return a.desk.Logout(s, how) }, func(u unaudited) {
		if a.session != nil {
			return // the status bar tells it
		}
		msg := lang.L("logout.audit.failed", map[string]any{"Operator": s.Operator.Name, "ID": s.Actor(), "Time": u.at.Format("15:04"), "Why": u.why})
		if said := a.login.msg.text(); said != "" {
			msg = said + "\n" + msg
		}
		a.login.msg.set(msgError, msg)
	})
}

// auditSession runs write, the audit of action of session s, off the UI
// goroutine; when the store refuses it, it keeps the act for the status
// bar, logs it, and calls tell on the UI goroutine.
func (a *App) auditSession(s *pinsede.Session, action pinsede.AuditAction, write func() error, tell func(unaudited)) {
	at := a.desk.Now()
	a.background(func() func() {
		err := write()
		if err == nil {
			return nil
		}
		return func() {
			a.logger().Error("audit entry refused by the store: the act done, not recorded",
				"action", string(action), "operator", s.Actor(), "at", at, "err", err)
			u := unaudited{at: at, actor: s.Actor(), action: action, why: auditFaultText(err)}
			a.unaudited = append(a.unaudited, u)
			if n := len(a.unaudited); n > maxUnaudited {
				a.unaudited = a.unaudited[n-maxUnaudited:]
			}
			tell(u)
			if a.sync != nil {
				a.sync.render()
				if a.sync.details != nil {
					a.sync.fillDetails()
				}
			}
		}
	})
}

// auditFaultText says why the store refused an audit entry, in the
// clerk's words.
func auditFaultText(err error) string {
	switch diskerr.Of(err) {
	case diskerr.Full, diskerr.Quota:
		return lang.L("audit.fault.space")
	case diskerr.ReadOnly:
		return lang.L("audit.fault.readonly")
	case diskerr.Denied:
		return lang.L("audit.fault.denied")
	case diskerr.Failing:
		return lang.L("audit.fault.failing")
	}
	if errors.Is(err, pinsede.ErrStoreCorrupt) {
		return lang.L("audit.fault.damaged")
	}
	return lang.L("audit.fault.other")
}

// unauditedBar is the status bar's warning of the acts not recorded, ""
// for none.
func (a *App) unauditedBar() string {
	if len(a.unaudited) == 0 {
		return ""
	}
	return lang.L("audit.missing.bar", map[string]any{"N": len(a.unaudited)})
}

// unauditedDetails are the status details' list of the acts not
// recorded, and what to do; none without one.
func (a *App) unauditedDetails() []fyne.CanvasObject {
	if len(a.unaudited) == 0 {
		return nil
	}
	objs := []fyne.CanvasObject{heading(lang.L("audit.missing.title")), note(lang.L("audit.missing.note"))}
	for _, u := range a.unaudited {
		objs = append(objs, note(lang.L("audit.missing.row", map[string]any{
			"When": when(u.at), "Actor": u.actor, "Action": lang.L("audit." + string(u.action)), "Why": u.why,
		})))
	}
	return objs
}
