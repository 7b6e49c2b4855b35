package desk

import (
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// touch records user activity: it restarts the idle timer, and hides the
// tip of a button (tip.go).
func (a *App) touch() {
	a.lastActivity = a.idleNow()
	a.tips.hide()
}

// activityArea is the page background: it reports the mouse moving over
// it to the idle timer. It is hoverable only, so it takes no taps or focus
// from the widgets above it.
type activityArea struct {
	widget.BaseWidget
	touch func()
	fill  *canvas.Rectangle
}

var _ desktop.Hoverable = (*activityArea)(nil)

func newActivityArea(touch func()) *activityArea {
	a := &activityArea{touch: touch, fill: canvas.NewRectangle(theme.Page)}
	a.ExtendBaseWidget(a)
	return a
}

// CreateRenderer draws the page colour.
func (a *activityArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(a.fill) }

// MouseIn records activity.
func (a *activityArea) MouseIn(*desktop.MouseEvent) { a.touch() }

// MouseMoved records activity.
func (a *activityArea) MouseMoved(*desktop.MouseEvent) { a.touch() }

// MouseOut does nothing.
func (a *activityArea) MouseOut() {}

// runTicker runs everyTick every tick, on the UI goroutine, until Close.
func (a *App) runTicker() {
	t := time.NewTicker(a.tick)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			fyne.Do(a.live(a.everyTick))
		}
	}
}

// everyTick ends a session whose account a supervisor disabled or
// changed (checkSession), checks the idle timer, keeps the request in
// progress (draft.go), reads the home's figures again when the day turns
// and shows the time in the status bar. On the UI goroutine.
func (a *App) everyTick() {
	a.checkSession()
	a.checkIdle()
	a.checkDraft()
	if a.home != nil && a.session != nil {
		a.home.refreshDay()
	}
	if a.sync != nil {
		a.sync.showTime()
	}
}

// checkIdle locks the session when it has been idle for Config.Idle. The
// change of a password a supervisor reset, left idle as long, goes back
// to the login (leaveChangePassword): it has no session to lock. A
// password typed on the login or the lock screen and left there is
// emptied: Enter, pressed by whoever came next, opened the session of its
// operator.
func (a *App) checkIdle() {
	if a.cfg.Idle <= 0 || a.idleNow().Sub(a.lastActivity) < a.cfg.Idle {
		return
	}
	switch c, l := a.changePassword, a.login; {
	case a.session != nil && !a.lock.locked:
		a.lockFor(true)
	case a.session != nil:
		forgetPassword(a.lock.password)
	case c != nil && a.current.View == c.screen.View:
		a.leaveChangePassword(lang.L("password.change.idle"))
	case l != nil && a.current.View == l.screen.View:
		forgetPassword(l.password)
	}
}

// checkSession ends the session, as sessionEnded, once its account is
// disabled, its role changed or its password reset, here or at another
// desk of the sede (pinsede.Desk.SessionValid): a supervisor who disables
// a clerk expects it to hold at once, not at the clerk's next login.
// Not while a use case runs: its outcome (a slip printed, or not, and
// what to do with it) is told first; the domain refuses the next.
func (a *App) checkSession() {
	if a.session == nil || a.busy.Running() > 0 {
		return
	}
	switch err := a.desk.SessionValid(a.session); {
	case errors.Is(err, pinsede.ErrSessionEnded):
		a.sessionEnded()
	case err != nil:
		a.logger().Error("check the session", "err", err)
	}
}

// sessionEnded closes a session that its account no longer allows, as
// the lock screen's Esci does (the request in progress kept for the
// operator, and what the dialogs closed had to tell), and the login
// screen says why.
func (a *App) sessionEnded() {
	op := a.session.Operator
	msg := lang.L("session.ended", map[string]any{"Operator": op.Name, "ID": op.ID})
	if kept := a.leaveSession(pinsede.LogoutEnded); kept != "" {
		msg += "\n" + kept
	}
	a.login.ended = msg
	a.login.msg.set(msgError, msg)
}

// forgetPassword empties the password typed in e, if any.
func forgetPassword(e *entry) {
	if e.Text != "" {
		e.SetText("")
	}
}

// lockSession hides the work in progress behind the lock screen. The work
// stays as it is, and shows again after the operator's password, with the
// dialogs open at that moment: they are taken off the window while it is
// locked (they could show a citizen's data) and put back as they were,
// with what was typed in them, the keyboard where it was. A password typed
// in a dialog (a supervisor's approval) or on the screen (the operator's
// own change of password) is not kept: it is emptied, to be typed again. The window's title and the header say the session is
// locked, not the screen behind; the dialogs that jobs raise meanwhile
// wait for the unlock (showDialogFocus). The request in progress is kept
// in the store as it is now (draft.go), not at the next tick.
func (a *App) lockSession() { a.lockFor(false) }

// lockFor locks the session, as lockSession, after the idle time when
// idle is true, at the clerk's asking (Ctrl+L, Blocca) otherwise: the
// lock screen says which.
func (a *App) lockFor(idle bool) {
	if a.session == nil || a.lock.locked {
		return
	}
	a.checkDraft()
	c := a.win.Canvas()
	a.tips.hide()
	a.lock.locked = true // before Unfocus: leaving a field now is not the user's doing
	focused := c.Focused()
	c.Unfocus()
	a.lock.parked = slices.Clone(c.Overlays().List()) // List is the stack's own, which Remove changes
	a.lock.parkedDialogs = slices.Clone(a.dialogs)
	for _, o := range a.lock.parked {
		c.Overlays().Remove(o)
		forgetPasswords(o)
	}
	forgetPasswords(a.work) // nor the screen behind: the operator's own change of password
	a.lock.dialogFocus, a.lock.screenFocus = nil, focused
	if len(a.lock.parked) > 0 {
		a.lock.dialogFocus, a.lock.screenFocus = focused, c.Focused() // the screen's, under the dialogs
		c.Unfocus()
	}
	a.work.Hide()
	a.header.nav.Hide()
	a.header.setScreen(lang.L("lock.title"))
	a.header.bar.Refresh()
	a.lock.show(a.session, idle)
	a.setWindowTitle(lang.L("lock.title"))
	a.win.Canvas().Focus(a.lock.password)
	a.auditLock(a.session, idle)
}

// lockScreen asks the operator's password to resume a locked session.
type lockScreen struct {
	a      *App
	locked bool
	// screenFocus is the widget of the screen that had the keyboard when
	// the session locked, or that takes it on the screen a job showed
	// meanwhile (App.show); dialogFocus is the top dialog's, nil with no
	// dialog open. The unlock gives them the keyboard back.
	screenFocus, dialogFocus fyne.Focusable
	// parked are the dialogs (the window's overlays) open when the
	// session locked, bottom first, which the unlock puts back: those not
	// closed meanwhile (a job that ended closed it).
	parked []fyne.CanvasObject
	// parkedDialogs are the dialogs of parked (App.dialogs): a dialog
	// opened on the lock screen (the guide, F1) is not one, and closes at
	// the unlock, under them.
	parkedDialogs []dialog.Dialog
	// pending are the dialogs raised while the session was locked (a
	// job's outcome), oldest first, which the unlock shows above parked.
	pending  []pendingDialog
	who      *widget.Label
	password *entry
	unlock   *button
	logout   *button
	progress *widget.Activity
	msg      *message
	note     *widget.Label
	object   fyne.CanvasObject
}

// pendingDialog is a dialog raised behind the lock, and the widget of it
// that takes the keyboard when it shows (nil for none).
type pendingDialog struct {
	dialog dialog.Dialog
	focus  fyne.Focusable
}

func (a *App) newLockScreen() *lockScreen {
	l := &lockScreen{a: a}
	l.who = widget.NewLabel("")
	l.who.Wrapping = fyne.TextWrapWord
	l.password = a.newPasswordEntry()
	l.password.OnSubmitted = func(string) { l.submit() }
	l.unlock = a.primaryButton(lang.L("lock.unlock"), fynetheme.ConfirmIcon(), l.submit)
	l.logout = a.button(lang.L("lock.logout"), fynetheme.LogoutIcon(), a.logoutFromLock)
	l.progress = widget.NewActivity()
	l.progress.Hide()
	l.msg = newMessage()
	pw := newField(pinsede.FieldPassword, lang.L("field.password"), l.password)
	// A wrong password keeps the password and the buttons where they
	// were.
	slot := l.msg.reserve(func() []string { return []string{lang.L("login.failed"), i18n.Message(pinsede.ErrNoPassword)} })
	l.note = note("")
	body := section("",
		title(lang.L("lock.title")),
		l.who,
		pw.object,
		slot.object,
		container.NewHBox(l.unlock, l.progress, layout.NewSpacer(), l.logout),
		l.note,
	)
	bg := canvas.NewRectangle(theme.Page)
	l.object = container.NewStack(bg, stableCard(460, slot, body))
	l.object.Hide()
	return l
}

// show shows the lock screen of session s, which says whether it locked
// after the idle time.
func (l *lockScreen) show(s *pinsede.Session, idle bool) {
	l.locked = true
	who := map[string]any{"Operator": s.Operator.Name, "ID": s.Operator.ID}
	if idle {
		l.who.SetText(lang.L("lock.who", who))
	} else {
		l.who.SetText(lang.L("lock.who.asked", who))
	}
	l.note.SetText(lang.L("lock.note", who))
	l.password.SetText("")
	l.msg.set(msgError, "")
	l.unlock.Enable()
	l.object.Show()
}

func (l *lockScreen) hide() {
	l.locked = false
	l.password.SetText("")
	l.object.Hide()
	l.a.work.Show()
}

// submit checks the password off the UI goroutine and resumes the work.
// An empty one is refused by the domain, not counted (ErrNoPassword), and
// says so.
func (l *lockScreen) submit() {
	a := l.a
	if a.session == nil || l.unlock.Disabled() {
		return
	}
	s, pw := a.session, l.password.Text
	setBusy(true, l.progress, l.unlock)
	a.background(func() func() {
		err := a.desk.Unlock(s, pw)
		return func() {
			setBusy(false, l.progress, l.unlock)
			if a.session != s {
				return // logged out meanwhile
			}
			if errors.Is(err, pinsede.ErrSessionEnded) {
				a.sessionEnded()
				return
			}
			if err != nil {
				l.password.SetText("")
				if errors.Is(err, pinsede.ErrBadCredentials) {
					l.msg.set(msgError, lang.L("login.failed"))
				} else {
					l.msg.set(msgError, i18n.Message(err))
				}
				a.win.Canvas().Focus(l.password)
				return
			}
			l.hide()
			l.restore()
			a.header.update(a.session, a.current.Title)
			a.setWindowTitle(a.current.Title)
			a.touch()
			a.auditUnlock(s)
		}
	})
}

// restore puts back the dialogs the lock took off the window, but those
// closed meanwhile (hidden), after closing those opened on the lock
// screen, and gives the keyboard back: to the screen under them, and to
// the top dialog when it is still the one that had it. The dialogs raised
// while locked show then, on top, in the order they came.
func (l *lockScreen) restore() {
	for _, d := range slices.Clone(l.a.dialogs) {
		if !slices.Contains(l.parkedDialogs, d) {
			d.Hide()
		}
	}
	c := l.a.win.Canvas()
	c.Unfocus() // the password, hidden
	if l.screenFocus != nil {
		c.Focus(l.screenFocus)
	}
	for _, o := range l.parked {
		if o.Visible() {
			c.Overlays().Add(o)
		}
	}
	if n := len(l.parked); n > 0 && l.parked[n-1].Visible() && l.dialogFocus != nil {
		c.Focus(l.dialogFocus)
	}
	pending := l.pending
	l.parked, l.parkedDialogs, l.pending, l.screenFocus, l.dialogFocus = nil, nil, nil, nil, nil
	for _, p := range pending {
		l.a.openDialog(p.dialog, p.focus)
	}
}

// maxLeft bounds what the desk keeps for an operator's next login
// (keepLeft): the newest are kept.
const maxLeft = 8

// tellIfLeft records what dialog d, open, has to tell its operator
// should a colleague's Esci on the lock screen close it (keepLeft): note
// says it as things stand then, "" for nothing.
func (a *App) tellIfLeft(d dialog.Dialog, note func() string) {
	if a.unseen == nil {
		a.unseen = map[dialog.Dialog]func() string{}
	}
	a.unseen[d] = note
}

// keepLeft keeps, for the operator of session s, ended by Esci on the
// lock screen, what the dialogs the lock held (put away, or raised behind
// it) had to tell them: an action still running or refused, a failure
// inside the desk. They go with the session; the notes are shown at the
// operator's next login on this desk (showLeft), not to the colleague
// who logs in next. The rest of what they held is in the store (the
// request in progress, the offer to resume it, a slip to hand over, the
// notice of a slip whose print was not recorded) or
// was work not done, which the lock screen says is lost.
func (a *App) keepLeft(s *pinsede.Session) {
	var notes []string
	for _, d := range slices.Concat(a.dialogs, pendingDialogs(a.lock.pending)) {
		if f := a.unseen[d]; f != nil {
			if n := f(); n != "" {
				notes = append(notes, n)
			}
		}
	}
	if len(notes) == 0 {
		return
	}
	if a.left == nil {
		a.left = map[string][]string{}
	}
	// The day too: the next login on this desk may be days later.
	now := a.desk.Now()
	text := lang.L("lock.left.intro", map[string]any{"Day": now.Format("02/01/2006"), "Time": now.Format("15:04")}) + "\n\n" + strings.Join(notes, "\n\n")
	kept := append(a.left[s.Actor()], text)
	a.left[s.Actor()] = kept[max(0, len(kept)-maxLeft):]
}

// pendingDialogs returns the dialogs of ps.
func pendingDialogs(ps []pendingDialog) []dialog.Dialog {
	out := make([]dialog.Dialog, len(ps))
	for i, p := range ps {
		out[i] = p.dialog
	}
	return out
}

// showLeft shows the operator of the session just opened what the
// dialogs of their session ended by a colleague's Esci had to tell
// (keepLeft), once.
func (a *App) showLeft() {
	id := a.session.Actor()
	notes := a.left[id]
	if len(notes) == 0 {
		return
	}
	delete(a.left, id)
	a.showDialog(a.newInformation(lang.L("lock.left.title"), strings.Join(notes, "\n\n")))
}

// forgetPasswords empties the password entries within o: a dialog kept
// behind the lock keeps no one's password.
func forgetPasswords(o fyne.CanvasObject) {
	walkObjects(o, func(o fyne.CanvasObject) {
		if e, ok := o.(*entry); ok && e.Password {
			forgetPassword(e)
		}
	})
}

// walkObjects calls f with o and each object within it, through the
// containers, pop-ups, scrolls and theme overrides that hold a dialog's
// fields (a widget's own parts are not walked).
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkObjects(c, f)
		}
	case *widget.PopUp:
		walkObjects(x.Content, f)
	case *container.Scroll:
		walkObjects(x.Content, f)
	case *container.ThemeOverride:
		walkObjects(x.Content, f)
	}
}
