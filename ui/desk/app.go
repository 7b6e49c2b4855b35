// Package desk is the desk clerk's user interface (sportello): set-up, login,
// the MV35 request, identity verification, issuing a PIN dispositivo and its
// handover, the citizen page (with the supervisor-approved replacement of a
// lost or spoiled slip), and the supervisor's operator accounts and
// settings.
//
// # Basics
//
// [New] builds the [App] in a window; [App.Start] shows the first screen.
// Every action calls a use case of [pinsede.Desk] and nothing else: the
// rules live in the domain, the screens only collect input, show the
// domain's field problems under their fields and move between screens.
//
// The screens are data, as in fyne_demo: each is a struct whose widgets are
// fields (so tests drive them with test.Type and test.Tap by name), and a
// [screen] value with its title and content. The window keeps one layout:
// the development-printer banner (when there is one), the header bar, and
// the body where the current screen shows, with the lock screen over it.
//
// # Caveats
//
// Slow use cases (login and unlock hash a password, issuing hashes a PIN and
// prints) run off the UI goroutine; they touch widgets only through
// fyne.DoAndWait. The plaintext PIN never reaches this package: the domain
// hands it to the printer, and the result screen shows only the slip's
// serial number.
//
// Idle detection: Fyne has no hook that sees every input event (a canvas's
// key handlers see only keys that no focused widget takes). The desk's own
// widgets report activity instead: every key in an entry, every tap on a
// button, every change of a select, check or radio, scrolling a page, the
// mouse moving over the page background, and keys typed with no widget
// focused. A ticker checks once a second, on the UI goroutine, whether the
// session has been idle longer than [Config.Idle], and locks it: the current
// screen is hidden, not rebuilt, and shows again as it was after the
// operator's password.
package desk

import (
	"context"
	"image/color"
	"log/slog"
	"runtime/debug"
	"sync"
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
	"github.com/pinsede/pinsede/internal/shutdown"
	"github.com/pinsede/pinsede/ui/internal/jobs"
	"github.com/pinsede/pinsede/ui/theme"
)

// DefaultIdle is how long a session may stay idle before it locks.
const DefaultIdle = 5 * time.Minute

// IssueTimeout bounds an issue, printing included.
const IssueTimeout = 2 * time.Minute

// Config is how the desk app runs.
type Config struct {
	// Idle is the inactivity after which the session locks; 0 never locks.
	Idle time.Duration
	// DevPrintDir is the folder of the development printer, "" when the
	// slips go to a real printer (or to none). When set, a red banner on
	// every screen warns that this PC must not be used at the desk.
	DevPrintDir string
	// TicketDir is the spool folder of the kiosk's tickets (see queue.go),
	// "" when the sede has no kiosk: the home screen then has no queue.
	TicketDir string
	// Log receives what the clerk cannot be shown: a panic's stack above
	// all (guard.go); nil logs to slog.Default. LogPath, when set, is the
	// file it writes, named to the clerk so that support can find it.
	Log     *slog.Logger
	LogPath string
	// Version is the program's version, as the build stamped it; the
	// guide shows it (help.go), with StorePath, the store's file, and
	// CentraleURL, the central records' address ("" for an offline desk).
	Version     string
	StorePath   string
	CentraleURL string
	// CertExpires is when the desk's certificate for centrale expires
	// (zero without one): the sync status warns from CertWarning before.
	CertExpires time.Time
	// Printers lists the printer queues the settings offer; nil lists
	// those of the local CUPS.
	Printers PrinterLister
	// Connector reads and saves the connection to centrale that the
	// settings set (connection.go); nil: the settings do not offer it.
	Connector Connector
}

// CertWarning is how long before its certificate expires the desk says
// so in its sync status: the time to have its bundle renewed (pinctl ca
// renew -bundle) and imported in its settings.
const CertWarning = 30 * 24 * time.Hour

// screen is one page of the desk: a title for the header bar, the content,
// the widget that takes the keyboard when it shows, and its main action,
// which Ctrl+Enter presses from any of its fields.
type screen struct {
	Title   string
	View    fyne.CanvasObject
	Focus   fyne.Focusable
	Primary *button
}

// App is the desk's user interface in one window.
type App struct {
	desk *pinsede.Desk
	win  fyne.Window
	cfg  Config
	// winTitle is the window's own title, as New found it: show adds the
	// screen's title to it, for the task bar and for tools that drive the
	// desk (the X input test waits on it).
	winTitle string

	session *pinsede.Session
	// scanFolder is the folder the scan picker showed last, where it
	// opens next; "" for the user's home.
	scanFolder string
	// space says whether the last Space key pressed a button: its
	// character, which comes next, is not the clerk's typing (spaceMark).
	space spaceMark
	// keys tells a key's press from its auto-repeat (keyRepeats).
	keys keyRepeats

	// The window's layout: frame is its content, the page's colour under
	// root (and the status bar, syncstatus.go) and a button's tip above.
	frame   *fyne.Container
	root    *fyne.Container
	banner  fyne.CanvasObject
	header  *header
	work    *fyne.Container // the current screen
	current screen
	// draft is the request in progress as last kept in the store
	// (draft.go).
	draft draftState

	// The screens, once built. A new request replaces request and verify.
	setup     *setupScreen
	login     *loginScreen
	home      *homeScreen
	request   *requestScreen
	verify    *verifyScreen
	result    *resultScreen
	citizen   *citizenScreen
	operators *operatorsScreen
	audit     *auditScreen
	settings  *settingsScreen
	// changePassword is the change of a password a supervisor reset,
	// between the login and the session, or the operator's own, from the
	// home, while it shows (operatoradmin.go).
	changePassword *changePasswordScreen
	lock           *lockScreen

	// Idle lock: lastActivity is touched on the UI goroutine only.
	idleNow      func() time.Time
	lastActivity time.Time
	tick         time.Duration // 0: no ticker (tests call checkIdle)
	stop         chan struct{}
	stopOnce     sync.Once
	// closeWait bounds Close's wait for the session's logout
	// (auditClose): closeAuditWait.
	closeWait time.Duration

	// dialogs are the dialogs shown, the last on top: Esc closes it
	// (keyboard.go), as its cancel button, in cancels for those that have
	// one, would: not while that is disabled.
	dialogs []dialog.Dialog
	cancels map[dialog.Dialog]*button
	// help is the guide, while it shows (help.go).
	help dialog.Dialog
	// unseen says, for a dialog open, what it has to tell its operator
	// should a colleague's Esci on the lock screen close it; left keeps
	// that, by operator, for their next login (lock.go).
	unseen map[dialog.Dialog]func() string
	left   map[string][]string
	// unaudited are the locks and logouts whose audit entry the store
	// refused, oldest first (sessionaudit.go).
	unaudited []unaudited
	// tips shows the shortcut of the button the mouse rests on (tip.go).
	tips *tips

	// busy counts the use cases running off the UI goroutine (how many,
	// for checkSession).
	busy jobs.Count
	// quit closes once the program quits (Quitting): what goroutines send
	// to the UI goroutine is dropped from then on (live).
	quit shutdown.Gate
	// toUI runs a use case's last step on the UI goroutine and waits for
	// it: fyne.DoAndWait. Fyne's test driver runs it on the calling
	// goroutine instead, so the tests set their own (harness_test.go).
	toUI func(func())

	// sync shows the link to the central records (syncstatus.go); nil
	// until UseSync.
	sync *syncStatus
	// backups is how the copies of the store went (backup.go).
	backups backups
	// joiner pulls the sede's records for a desk that joins its sede,
	// and certSede is the sede of the desk's certificate (join.go); nil
	// and "" for a desk without central records.
	joiner   Joiner
	certSede string
}

// New builds the desk app for desk in win. It does not show anything until
// Start.
func New(desk *pinsede.Desk, win fyne.Window, cfg Config) *App {
	a := &App{
		desk:    desk,
		win:     win,
		cfg:     cfg,
		idleNow: desk.Now,
		tick:    time.Second,
		stop:    make(chan struct{}),
		toUI:    fyne.DoAndWait,
	}
	a.closeWait = closeAuditWait
	a.winTitle = win.Title()
	a.tips = newTips()
	a.tips.after = func(d time.Duration, f func()) func() { return afterOnUI(d, a.live(f)) }
	a.header = a.newHeader()
	a.work = container.NewStack()
	a.lock = a.newLockScreen()
	var top []fyne.CanvasObject
	if cfg.DevPrintDir != "" {
		a.banner = devBanner(cfg.DevPrintDir)
		top = append(top, a.banner)
	}
	top = append(top, a.header.object)
	a.root = container.NewBorder(container.New(layout.NewCustomPaddedVBoxLayout(0), top...), nil, nil, nil,
		container.NewStack(a.work, a.lock.object))
	// Keys that no focused widget takes reach the canvas.
	win.Canvas().SetOnTypedKey(a.typedKey)
	if dc, ok := win.Canvas().(desktop.Canvas); ok { // with nothing focused
		dc.SetOnKeyDown(a.keys.KeyDown)
		dc.SetOnKeyUp(a.keys.KeyUp)
	}
	a.addShortcuts()
	win.Canvas().SetOnTypedRune(func(rune) {
		a.space.take() // the character of a Space that pressed a button, say, which closed its dialog
		a.touch()
	})
	win.SetPadded(false)
	a.frame = container.NewStack(canvas.NewRectangle(theme.Page), a.root)
	a.tips.frame = a.frame
	win.SetContent(a.frame)
	return a
}

// Start revokes the PINs whose print the program's last run cut short
// (pinsede.Desk.RecoverPrints), shows the set-up screen on first run, the
// login screen otherwise, and starts the idle timer.
func (a *App) Start() error {
	need, err := a.desk.NeedsSetup()
	if err != nil {
		return err
	}
	// Before anyone logs in: a slip whose print the last run cut short
	// (a crash, the window closed mid-print) is a print that failed, its
	// PIN revoked; its operator is told at their login (offerDraft).
	n, err := a.desk.RecoverPrints()
	if err != nil {
		return err
	}
	if n > 0 {
		a.logger().Warn("slips whose print was cut short: their PINs revoked", "count", n)
	}
	if need {
		a.showSetup()
	} else {
		a.showLogin()
	}
	a.touch()
	if app := fyne.CurrentApp(); app != nil {
		app.Lifecycle().SetOnStopped(a.Quitting) // Fyne's loop has ended
	}
	if a.tick > 0 {
		go a.runTicker()
	}
	a.startQueue() // the kiosk's tickets: past days wiped, the count kept
	return nil
}

// Close stops the idle timer; the program is quitting (Quitting). The
// session open, locked or not, is audited as ended by the close
// (auditClose), once, waiting for the store's disk at most
// closeAuditWait, and for its log line at most shutdown.LogWait; call
// Close before the store closes. It does not wait for the work in the
// background: a slip printing when the window closes (or at SIGTERM) has
// its PIN committed, and its print, which may wait minutes on the
// printer's queue, not recorded; the next Start takes it as a print that
// failed, and tells its operator.
func (a *App) Close() {
	a.Quitting()
	a.stopOnce.Do(func() {
		close(a.stop)
		a.auditClose()
	})
}

// Quitting tells the app that its program quits: work that ends from now on
// in the background (a login, a print, the sync's news, the idle timer)
// leaves the window as it is. From any goroutine; Start has the app's
// lifecycle call it when Fyne's loop has ended, and the program may call
// it sooner, at SIGTERM.
func (a *App) Quitting() { a.quit.Close() }

// live returns f, to be sent to the UI goroutine, guarded so that it does
// nothing once the program quits (shutdown.Gate).
func (a *App) live(f func()) func() { return a.quit.Live(f) }

// HasPrinter reports whether slips can be printed on this PC.
func (a *App) HasPrinter() bool { return a.desk.Printer != nil }

// show puts s in the body of the window. Behind the lock screen (a job
// that ended while the session was locked: an issue printed) it only
// swaps the screen the unlock shows: the lock keeps the keyboard, the
// header and the window's title, and the unlock gives s its focus.
func (a *App) show(s screen) {
	a.closeSuggestions() // they belong to the screen that goes
	a.leftOwnPassword(s) // and so does a change of password, with what was typed
	a.tips.hide()        // so does the tip of its button
	// The focus leaves the screen that goes: a key pressed next must not
	// reach a widget of a screen no longer shown (a check box of the
	// identity check, toggled by Space after the issue, ran that screen's
	// handlers on a request already dropped).
	if c := a.win.Canvas(); c != nil && !a.lock.locked {
		c.Unfocus()
	}
	a.current = s
	a.work.Objects = []fyne.CanvasObject{s.View}
	a.work.Refresh() // laid out, even hidden behind the lock
	if a.lock.locked {
		a.lock.screenFocus = s.Focus
		return
	}
	a.header.update(a.session, s.Title)
	a.setWindowTitle(s.Title)
	if s.Focus != nil && a.win.Canvas() != nil {
		a.win.Canvas().Focus(s.Focus)
	}
}

// setWindowTitle names the screen in the window's title: "PIN Sede –
// Sportello · Nuova richiesta (MV35)".
func (a *App) setWindowTitle(screenTitle string) {
	t := a.winTitle
	if screenTitle != "" && t != "" {
		t += " · " + screenTitle
	} else if t == "" {
		t = screenTitle
	}
	a.win.SetTitle(t)
}

// background runs work off the UI goroutine, then its returned function on
// the UI goroutine (through toUI), and counts it in busy.
func (a *App) background(work func() func()) {
	a.busy.Add()
	go func() {
		defer a.busy.Done()
		var then func()
		func() {
			defer func() {
				if p := recover(); p != nil {
					a.logPanic("background", p, debug.Stack())
					then = a.tellPanic
				}
			}()
			then = work()
		}()
		if then != nil {
			a.toUI(a.live(func() { a.guard("background", then) }))
		}
	}()
}

// today is the desk's current calendar day.
func (a *App) today() pinsede.Date { return pinsede.DateOf(a.desk.Now()) }

// issueContext bounds an issue.
func issueContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), IssueTimeout)
}

// logout ends the session and shows the login screen. The work in
// progress is dropped, and its draft wiped.
func (a *App) logout() {
	s := a.session
	a.dropDraft()
	a.endSession()
	a.auditLogout(s, pinsede.LogoutOwn)
}

// logoutFromLock is the lock screen's Esci: whoever presses it (a
// colleague, to use the desk) is not the clerk who left the request in
// progress there, and may not drop it. Its draft is kept as last typed, to
// be offered at that clerk's next login of the day (offerDraft), and the
// login screen says so; a draft kept before (the offer to resume it still
// open behind the lock) stays too. What the dialogs it closes had to tell
// the clerk waits for the clerk's next login (keepLeft).
func (a *App) logoutFromLock() { a.leaveSession(pinsede.LogoutFromLock) }

// leaveSession ends the session as the lock screen's Esci does
// (logoutFromLock), audited as ended how, and returns the message that
// says the request in progress was kept, "" when there was none.
func (a *App) leaveSession(how pinsede.LogoutKind) string {
	_, _, typed := a.draftNow()
	a.checkDraft() // the keys typed since the last tick
	s := a.session
	op := s.Operator
	a.keepLeft(s)
	a.endSession()
	defer a.auditLogout(s, how) // its refusal told after what was kept
	if !typed {
		return ""
	}
	a.login.kept = lang.L("lock.logout.kept", map[string]any{"Operator": op.Name, "ID": op.ID})
	a.login.msg.set(msgInfo, a.login.kept)
	return a.login.kept
}

// endSession closes the session, the work in progress and the dialogs,
// and shows the login screen, empty.
func (a *App) endSession() {
	a.session = nil
	a.draft.step, a.draft.fields = "", nil // the next operator's are their own
	a.request, a.verify, a.result, a.citizen, a.home, a.operators, a.audit, a.settings = nil, nil, nil, nil, nil, nil, nil, nil
	// The dialogs the lock put away, and those raised behind it, go with
	// the session.
	a.lock.parked, a.lock.parkedDialogs, a.lock.pending, a.dialogs, a.cancels, a.help, a.unseen = nil, nil, nil, nil, nil, nil, nil
	a.lock.hide()
	a.showLogin()
	a.login.id.SetText("") // the next clerk types their own
	a.login.msg.set(msgError, "")
}

// devBanner is the red warning of the development printer.
func devBanner(dir string) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Danger)
	t := canvas.NewText(lang.L("banner.devprinter", map[string]any{"Dir": dir}), color.White)
	t.TextStyle.Bold = true
	t.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(t))
}

// header is the dark bar at the top: the application, the screen, the sede
// and the operator, and the navigation.
type header struct {
	title    *widget.Label
	screen   *widget.Label
	who      *widget.Label
	home     *button
	ops      *button
	settings *button
	lockNow  *button
	logout   *button
	help     *button // the guide, before the login too
	nav      *fyne.Container
	bar      *fyne.Container
	object   fyne.CanvasObject
}

func (a *App) newHeader() *header {
	h := &header{}
	h.title = widget.NewLabelWithStyle(lang.L("app.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.title.SizeName = fynetheme.SizeNameSubHeadingText
	h.screen = widget.NewLabel("")
	h.screen.SizeName = fynetheme.SizeNameSubHeadingText
	h.who = widget.NewLabel("")
	h.who.Alignment = fyne.TextAlignTrailing
	h.home = a.button(lang.L("nav.home"), fynetheme.HomeIcon(), a.showHome)
	h.ops = a.button(lang.L("nav.operators"), fynetheme.AccountIcon(), a.showOperators)
	h.settings = a.button(lang.L("nav.settings"), fynetheme.SettingsIcon(), a.showSettings)
	h.lockNow = a.button(lang.L("nav.lock"), fynetheme.VisibilityOffIcon(), a.lockSession)
	h.logout = a.button(lang.L("nav.logout"), fynetheme.LogoutIcon(), func() {
		a.unlessTyped(lang.L("logout.confirm"), a.logout)
	})
	h.nav = container.NewHBox(h.home, h.ops, a.tipped(h.settings, keyCtrlI), a.tipped(h.lockNow, keyCtrlL), h.logout)
	h.help = a.button(lang.L("nav.help"), fynetheme.HelpIcon(), a.showHelp)
	bg := canvas.NewRectangle(theme.Dark)
	left := container.NewHBox(container.NewCenter(h.title), container.NewCenter(h.screen))
	right := container.NewHBox(a.tipped(h.help, keyF1), h.nav)
	// Who is logged in takes the room between, cut short where there is
	// too little: at its full length the header was wider than a 1024 px
	// screen (1057 px at home, 1125 on the identity check), so that the
	// window could not fit it.
	h.who.Truncation = fyne.TextTruncateEllipsis
	h.bar = container.NewBorder(nil, nil, left, right,
		container.New(layout.NewCustomPaddedVBoxLayout(0), layout.NewSpacer(), h.who, layout.NewSpacer()))
	h.object = container.NewThemeOverride(container.NewStack(bg, container.NewPadded(h.bar)), theme.Header())
	return h
}

// update shows the session and the screen's title, and the navigation
// the session's role allows.
func (h *header) update(s *pinsede.Session, screenTitle string) {
	defer h.bar.Refresh() // the navigation's size may have changed
	h.setScreen(screenTitle)
	if s == nil {
		h.who.SetText("")
		h.nav.Hide()
		return
	}
	h.who.SetText(lang.L("header.who", map[string]any{
		"Operator": s.Operator.Name, "ID": s.Operator.ID, "Role": lang.L("role." + string(s.Operator.Role)),
		"Sede": s.Sede.Name, "Code": s.Sede.Code,
	}))
	h.nav.Show()
	if s.IsSupervisor() {
		h.ops.Show()
		h.settings.Show()
	} else {
		h.ops.Hide()
		h.settings.Hide()
	}
}

// setScreen names the screen shown after the application's title.
func (h *header) setScreen(screenTitle string) {
	if screenTitle != "" {
		h.screen.SetText("·  " + screenTitle)
	} else {
		h.screen.SetText("")
	}
}
