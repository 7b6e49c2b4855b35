package desk

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
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
			fyne.Do(a.everyTick)
		}
	}
}

// everyTick checks the idle timer, keeps the request in progress
// (draft.go) and shows the time in the status bar. On the UI goroutine.
func (a *App) everyTick() {
	a.checkIdle()
	a.checkDraft()
	if a.sync != nil {
		a.sync.showTime()
	}
}

// checkIdle locks the session when it has been idle for Config.Idle.
func (a *App) checkIdle() {
	if a.session == nil || a.lock.locked || a.cfg.Idle <= 0 {
		return
	}
	if a.idleNow().Sub(a.lastActivity) >= a.cfg.Idle {
		a.lockSession()
	}
}

// lockSession hides the work in progress behind the lock screen. The work
// stays as it is, and shows again after the operator's password. Dialogs
// open at that moment are closed: they could show a citizen's data. The
// window's title says the session is locked, not the screen behind.
func (a *App) lockSession() {
	if a.session == nil || a.lock.locked {
		return
	}
	for _, o := range a.win.Canvas().Overlays().List() {
		a.win.Canvas().Overlays().Remove(o)
	}
	// Removed, not hidden: forget them as their closing would, or Esc
	// would close a dialog no longer there and the shortcuts, which wait
	// for no dialog to be open, would stay dead after the unlock.
	a.dialogs, a.help = nil, nil
	a.tips.hide()
	a.lock.locked = true // before Unfocus: leaving a field now is not the user's doing
	a.lock.prevFocus = a.win.Canvas().Focused()
	a.win.Canvas().Unfocus()
	a.work.Hide()
	a.header.nav.Hide()
	a.header.bar.Refresh()
	a.lock.show(a.session)
	a.setWindowTitle(lang.L("lock.title"))
	a.win.Canvas().Focus(a.lock.password)
}

// lockScreen asks the operator's password to resume a locked session.
type lockScreen struct {
	a      *App
	locked bool
	// prevFocus is the widget that had the keyboard when the session
	// locked; it gets it back on unlock.
	prevFocus fyne.Focusable
	who       *widget.Label
	password  *entry
	unlock    *button
	logout    *button
	progress  *widget.Activity
	msg       *message
	object    fyne.CanvasObject
}

func (a *App) newLockScreen() *lockScreen {
	l := &lockScreen{a: a}
	l.who = widget.NewLabel("")
	l.who.Wrapping = fyne.TextWrapWord
	l.password = a.newPasswordEntry()
	l.password.OnSubmitted = func(string) { l.submit() }
	l.unlock = a.primaryButton(lang.L("lock.unlock"), fynetheme.ConfirmIcon(), l.submit)
	l.logout = a.button(lang.L("lock.logout"), fynetheme.LogoutIcon(), a.logout)
	l.progress = widget.NewActivity()
	l.progress.Hide()
	l.msg = newMessage()
	pw := newField(pinsede.FieldPassword, lang.L("field.password"), l.password)
	body := section("",
		title(lang.L("lock.title")),
		l.who,
		pw.object,
		l.msg.box,
		container.NewHBox(l.unlock, l.progress, layout.NewSpacer(), l.logout),
		note(lang.L("lock.note")),
	)
	bg := canvas.NewRectangle(theme.Page)
	l.object = container.NewStack(bg, card(460, body))
	l.object.Hide()
	return l
}

func (l *lockScreen) show(s *pinsede.Session) {
	l.locked = true
	l.who.SetText(lang.L("lock.who", map[string]any{"Operator": s.Operator.Name, "ID": s.Operator.ID}))
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
			a.header.update(a.session, a.current.Title)
			a.setWindowTitle(a.current.Title)
			a.touch()
			if l.prevFocus != nil {
				a.win.Canvas().Focus(l.prevFocus)
				l.prevFocus = nil
			}
		}
	})
}
