// Package kiosk is the self-service kiosk of the sede (chiosco): a walk-in
// citizen chooses a language and a service, pre-fills the data of the
// modello MV35 one question per screen, and gets a queue ticket.
//
// # Basics
//
// [New] builds the [App] in a full-screen window; [App.Start] shows the
// first screen, the languages, each by its own name. Every string goes
// through Fyne's lang, from the kiosk's own translation files
// (assets.KioskTranslations); [SetLanguage] switches language for each
// citizen. The wizard checks each answer with the same rules as the desk,
// [pinsede.Request.Validate], and shows the problems of the current question
// only, in the citizen's language. On confirmation the request goes to a
// [TicketSink] ([CentraleSink] through the central records, [SpoolSink], a
// folder the desks import from, or both: [FallbackSink]) off the UI
// goroutine, the review saying meanwhile that it is being sent and taking
// no input; then a ticket is printed ([ticket.PDF]) on [Config.Printer], a
// ui/cups back end, followed until the printer has printed it; the last
// screen says when it was not.
//
// Accessibility (EN 301 549, closed functionality): text of 28 px and
// touch targets of at least [MinTarget] px at 1920x1080, A- and A+ text
// sizes, a high-contrast theme, an on-screen keyboard, operation with Tab
// and Enter alone, and audio guidance with espeak-ng when it is installed.
//
// # Caveats
//
// The kiosk links no issuing code and reads no stored person: it imports
// neither local/ nor the desk, and shows only what was typed in the current
// session. When the session ends (Annulla, the end, or [Config.Idle] of
// inactivity after a warning of [Config.Warn]) every screen of the session
// is thrown away and the language screen is built anew. A request being
// sent then still reaches the sink, or waits at the kiosk, once; its ticket
// is neither shown nor printed.
//
// Fyne's lang has one language per process: the kiosk serves one citizen
// at a time, and switches it at the start of each session.
//
// From [CertWarning] before the kiosk's certificate for centrale stops
// working ([Config.CertExpires]), the language screen and the
// supervisor's prompt say so to the sede's staff in a line of small
// type, and the log once a day; no citizen's screen shows it. The same
// line says when centrale refuses the kiosk's certificate, or the kiosk
// does not trust centrale's, until centrale takes a request, and where
// the requests go meanwhile: to the spool folder of a [FallbackSink], or
// nowhere, waiting at the kiosk.
//
// A request that the sink refuses waits in the kiosk's memory and is
// offered again every minute and at every new ticket; its ticket says that
// it waits at the kiosk. It is lost if the kiosk stops before delivery (the
// desk then types the data from the citizen's document).
//
// No file nor post ever waits on the UI goroutine or in the idle timer:
// the spool's cleanup and the retries run on their own goroutine, and
// every call to the sink ends with its bound (a share that hangs holds
// its call in a system call: the kiosk stops waiting, and calls it no
// more while two calls hang), the request then waiting at the kiosk. The
// idle warning and the wipe come on time whatever the sink does.
package kiosk

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"log"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/diskerr"
	"github.com/pinsede/pinsede/internal/shutdown"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/internal/jobs"
	"github.com/pinsede/pinsede/ui/ticket"
)

// MinWidth is the narrowest window the kiosk lays its screens out for,
// in pixels: a screen 1280 wide (1280x800, 1280x1024, 1366x768 and
// wider). Its content asks for no less, so a window goes no narrower.
const MinWidth = 1024

// Default times of the idle wipe.
const (
	DefaultIdle = 60 * time.Second
	DefaultWarn = 10 * time.Second
)

// The bounds of Config.Idle a program takes (CheckIdleTime): shorter, a
// citizen reading a question is wiped, or, at zero and below, every one
// at the first tick; longer, the answers of a citizen who walked away
// stay on the shared screen for the next to read.
const (
	MinIdle = 30 * time.Second
	MaxIdle = 10 * time.Minute
)

// CheckIdleTime returns an error naming the bounds when d is not from
// MinIdle to MaxIdle.
func CheckIdleTime(d time.Duration) error {
	if d < MinIdle || d > MaxIdle {
		return fmt.Errorf("%v: want from %v to %v", d, MinIdle, MaxIdle)
	}
	return nil
}

// DefaultSendWait bounds the send of a request when Config.SendWait is 0:
// the requests waiting at the kiosk offered again and the new one, each
// within its sink's own timeout (4 s for centrale:
// kioskpost.DefaultTimeout).
const DefaultSendWait = 10 * time.Second

// SendWaitFor returns the bound of a send through a sink whose posts each
// give up after post (chiosco -centrale-timeout): two of them, a request
// waiting at the kiosk and the new one, and 2 s for the spool folder;
// never less than DefaultSendWait. A send bounded by less would give up
// on centrale before its client does.
func SendWaitFor(post time.Duration) time.Duration {
	return max(DefaultSendWait, 2*post+2*time.Second)
}

// CheckSendWait reports, with what to change, whether a send bounded by
// sendWait ends before the idle warning, idle-warn after the citizen's
// confirmation, the last touch: a longer one let the kiosk warn a citizen
// waiting for their ticket, and wipe them after warn, the request
// reaching centrale with a ticket nobody held. post is the timeout of a
// post the bound comes from (SendWaitFor), named in the error, a
// *SendWaitError.
func CheckSendWait(post, sendWait, idle, warn time.Duration) error {
	if sendWait < idle-warn {
		return nil
	}
	e := &SendWaitError{Post: post, SendWait: sendWait, Warned: idle - warn, Idle: idle, MinIdle: sendWait + warn}
	if most := ((idle - warn - 2*time.Second - 1) / 2).Truncate(time.Second); most >= time.Second && SendWaitFor(most) < idle-warn {
		e.Most = most
	}
	return e
}

// SendWaitError is a post's timeout whose send outlasts the time before
// the idle warning (CheckSendWait), with what a program says of it in
// its user's language.
type SendWaitError struct {
	// Post is the post's timeout, SendWait the send's bound it makes
	// (SendWaitFor), Warned how long after the confirmation the citizen
	// is warned with the Idle given.
	Post, SendWait, Warned, Idle time.Duration
	// Most is the longest post's timeout the Idle lets; 0 when none.
	Most time.Duration
	// MinIdle is the shortest idle the Post lets, less a nanosecond.
	MinIdle time.Duration
}

// Error says it in English, with what to change.
func (e *SendWaitError) Error() string {
	said := fmt.Sprintf("%v: a request may take %v to send, and a citizen waiting for their ticket is warned %v after confirming (-idle %v)", e.Post, e.SendWait, e.Warned, e.Idle)
	if e.Most > 0 {
		return fmt.Sprintf("%s: want at most %v, or a longer -idle", said, e.Most)
	}
	return fmt.Sprintf("%s: want -idle longer than %v", said, e.MinIdle)
}

// Config is how the kiosk runs.
type Config struct {
	// Sede is the name of the sede printed on the ticket, e.g. "Roma Eur".
	Sede string
	// Idle is the inactivity after which the session is wiped, with a
	// warning Warn before it; DefaultIdle and DefaultWarn when 0.
	Idle, Warn time.Duration
	// Tick is how often the idle timer looks; 0 starts no timer (tests call
	// CheckIdle).
	Tick time.Duration
	// SendWait bounds the send of a request (SendWaitFor);
	// DefaultSendWait when 0.
	SendWait time.Duration
	// Now is the clock (required): programs pass time.Now, tests the
	// suite's clock.
	Now func() time.Time
	// Sink takes the requests to the desks.
	Sink TicketSink
	// Printer prints the tickets: a CUPS queue (cups.Queue), or a folder
	// in development (cups.DevFolder); nil prints nothing.
	Printer cups.Backend
	// Speaker reads the questions aloud; nil hides the audio button.
	Speaker Speaker
	// ExitHash is the argon2id hash of the supervisor's exit code
	// (pinsede.HashSecret); "" disables the exit prompt.
	ExitHash string
	// OnExit runs when the supervisor's code is accepted.
	OnExit func()
	// QueuePrefix starts every queue number: "K" gives K001, K002...
	QueuePrefix string
	// Counter keeps the day's count of tickets in a file, so that the
	// numbers go on after a restart; nil counts in memory only.
	Counter *ticket.Counter
	// CertExpires is when the kiosk's certificate for centrale stops
	// working, its own end or its CA's, whichever comes first
	// (kioskpost.Client.Expires); zero without one. From CertWarning
	// before, the kiosk tells the sede's staff (certNotice, logCert).
	CertExpires time.Time

	// ticks and upkeeps, when set, replace the timers of Tick and
	// RetryEvery (tests: the clock of the caller).
	ticks, upkeeps <-chan time.Time
}

// CertWarning is how long before its certificate for centrale stops
// working the kiosk says so, as the desk does of its own: the time to
// have a new one issued (pinctl ca renew) and installed. From its end
// centrale refuses the kiosk: its requests go to the spool folder, or
// wait at the kiosk, their tickets saying so.
const CertWarning = 30 * 24 * time.Hour

// The services of the second screen.
const (
	ServiceRequest = "request"
	ServiceLost    = "lost"
	ServiceConvert = "convert"
	ServiceInfo    = "info"
)

// Services are the services in the order of the screen.
var Services = []string{ServiceRequest, ServiceLost, ServiceConvert, ServiceInfo}

// App is the kiosk in one window.
type App struct {
	win fyne.Window
	cfg Config
	// title is the window's title at New; each screen adds its name.
	title string

	language Language
	contrast bool
	scale    int
	audio    bool

	root     *fyne.Container
	bar      *fyne.Container
	body     *fyne.Container
	overlay  *fyne.Container
	keyboard *keyboard
	// barLayout lays out the top bar of every screen: kept across
	// screens, so that each new bar knows the width of the last.
	barLayout topBarLayout

	// Accessibility buttons of the top bar, as fields for the tests.
	contrastButton, smallerButton, largerButton, audioButton *button
	// topBar is the top bar, and barFor what it was built for: a screen
	// shown builds it again only when one of these changed.
	topBarBuilt fyne.CanvasObject
	barFor      barState
	corner      *cornerTap

	// The current screen: its name (for tests and screenshots), and the
	// text read aloud.
	screen string
	speech string

	// The session: nil on the language screen.
	session *session

	// Idle: touched on the UI goroutine only.
	lastActivity time.Time
	warned       bool
	idleBody     *widget.Label // the countdown of the warning
	// inputs counts the citizen's inputs (touch), shown is when the
	// screen showed, and lastTap the screen of the last tap on a button
	// and the count of inputs after it (bounced).
	inputs  int
	shown   time.Time
	lastTap struct {
		screen string
		inputs int
		keys   bool // the screen showed the on-screen keyboard
	}
	// keysShown is whether the screen showing shows the on-screen
	// keyboard (show).
	keysShown bool
	// held is the key pressed last and not yet released, the screen it
	// was pressed on, and whether its press has acted (repeated).
	held struct {
		key    fyne.KeyName
		screen string
		acted  bool
	}
	// beforeWarning had the keyboard when the warning took it: it has it
	// again when the citizen goes on.
	beforeWarning fyne.Focusable
	stop          chan struct{}
	stopOnce      sync.Once
	// expiring and retrying are true while the spool's cleanup and the
	// retries run (upkeep), chores counts them; offers holds a place for
	// each call to the sink not yet returned (bounded). spoolMade is
	// true once the spool folder and its key are there (upkeep).
	expiring, retrying, spoolMade atomic.Bool
	chores                        jobs.Count
	offers                        chan struct{}

	cornerTimes     []time.Time
	exitFailures    int
	exitLockedUntil time.Time

	queueDay string
	queueN   int
	waiting  waiting

	// notice is the line for the sede's staff the language screen shows
	// (certNotice); certLogged the day logCert last wrote, and whether
	// of a certificate expired, and logf where (log.Printf).
	notice     string
	certLogged string
	logf       func(format string, args ...any)
	// printerFailed is the ticket the printer failed last, and when;
	// zero since a ticket printed (staffNotice).
	printerFailed struct {
		number string
		at     time.Time
	}
	// full is true since a request found the spool folder or the
	// kiosk's memory full, and unwritable why the spool folder's disk
	// refused to write a request since, until one is delivered
	// (noteSpool).
	full       bool
	unwritable diskerr.Kind
	// certRefused is why centrale's link refused the requests since, for
	// a certificate, until one is delivered (noteSpool):
	// kioskpost.ErrRefused (the kiosk's) or kioskpost.ErrUntrusted
	// (centrale's); nil for none. certSpooled is true when the spool
	// folder took the last of them (a FallbackSink), false when it
	// waits at the kiosk.
	certRefused error
	certSpooled bool
	// firstRefused is why a FallbackSink's first sink, centrale,
	// refused the last request its spool folder took; nil when centrale
	// took the last. Set on the sink's goroutine (firstSaid), taken by
	// noteSpool; guarded by firstMu.
	firstMu      sync.Mutex
	firstRefused error

	// printState tells, on the last screen, where the ticket is, and
	// doneButton is its Fine.
	printState *widget.Label
	doneButton *button
	// toUI runs the last step of a background job on the UI goroutine;
	// busy counts the jobs until their last step has run.
	toUI func(func())
	busy jobs.Count
	// quit closes once the program quits (Quitting): what goroutines send
	// to the UI goroutine is dropped from then on.
	quit shutdown.Gate
}

// session is one citizen's visit, from the language to the ticket.
type session struct {
	service string
	wizard  *wizard
	ticket  *ticket.Ticket
	// sending is true while the request is on its way to the sink.
	sending bool
	// printing is true while the ticket is on its way to the printer;
	// printFailed once the printer failed to print it.
	printing, printFailed bool
	// full is true when the request was not delivered nor kept, the
	// spool folder or the kiosk's memory being full (sent).
	full bool
}

// New builds the kiosk in win. It shows nothing until Start.
func New(win fyne.Window, cfg Config) *App {
	if cfg.Idle == 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.Warn == 0 {
		cfg.Warn = DefaultWarn
	}
	if cfg.SendWait == 0 {
		cfg.SendWait = DefaultSendWait
	}
	if cfg.Now == nil {
		panic("kiosk.New: Config.Now is nil: pass the clock (time.Now in a program)")
	}
	if cfg.QueuePrefix == "" {
		cfg.QueuePrefix = "K"
	}
	a := &App{win: win, cfg: cfg, title: win.Title(), scale: defaultScale, stop: make(chan struct{}), language: Languages[0], toUI: fyne.DoAndWait, logf: log.Printf,
		offers: make(chan struct{}, maxOffers)}
	if f, ok := cfg.Sink.(FallbackSink); ok { // its first sink's refusals, for the staff (noteSpool)
		f.firstSaid = a.firstSaid
		a.cfg.Sink = f
	}
	// The kiosk's theme before any widget measures its text: the real
	// driver caches the faces of the theme set when a text is first
	// measured, and clears them on a change of theme only once it runs
	// (after Start). Built first with Fyne's theme, the kiosk showed Noto
	// Sans, wider than Titillium: the window it needs was 10% wider than
	// the one its tests measured.
	fyne.CurrentApp().Settings().SetTheme(newTheme(false, textScales[defaultScale]))
	a.keyboard = a.newKeyboard()
	a.body = container.NewStack()
	a.overlay = container.NewStack()
	a.bar = container.NewStack()
	// No narrower than MinWidth, with the window's padding around it:
	// every screen is laid out for it.
	least := canvas.NewRectangle(color.Transparent)
	least.SetMinSize(fyne.NewSize(MinWidth-2*fynetheme.Padding(), 0))
	a.root = container.NewBorder(a.bar, nil, nil, nil, container.NewStack(least, a.body, a.overlay))
	win.SetContent(a.root)
	// Every key is activity: those on the focused widget it records
	// itself (button.KeyDown), these with nothing focused here.
	win.Canvas().SetOnTypedKey(func(*fyne.KeyEvent) { a.touch() })
	if c, ok := win.Canvas().(desktop.Canvas); ok {
		c.SetOnKeyDown(func(k *fyne.KeyEvent) {
			a.touch()
			a.pressed(k)
		})
		c.SetOnKeyUp(a.released)
	}
	return a
}

// Start shows the language screen, starts the idle timer, and removes
// the spooled requests of past days off the UI goroutine (upkeep): a
// spool folder on a share that hangs delays nothing.
func (a *App) Start() {
	a.upkeep(a.cfg.Now())
	a.logCert(a.cfg.Now())
	a.resetLanguage()
	a.applyTheme()
	a.showLanguages()
	if app := fyne.CurrentApp(); app != nil {
		app.Lifecycle().SetOnStopped(a.Quitting) // Fyne's loop has ended
	}
	if a.cfg.Tick > 0 || a.cfg.ticks != nil {
		go a.runIdle()
	}
}

// Stop ends the idle timer and the audio.
func (a *App) Stop() {
	a.Quitting()
	a.stopOnce.Do(func() { close(a.stop) })
	if a.cfg.Speaker != nil {
		a.cfg.Speaker.Stop()
	}
}

// Quitting tells the kiosk that its program quits: a print job or the idle
// timer ending from now on leaves the window as it is (shutdown.Gate).
// From any goroutine; Start has the app's lifecycle call it when Fyne's
// loop has ended, and the program may call it sooner, at SIGTERM.
func (a *App) Quitting() { a.quit.Close() }

// Screen returns the name of the screen showing: "languages", "services",
// "service", "question:<name>", "review", "done", "exit".
func (a *App) Screen() string { return a.screen }

// DoubleTap is the time within which a second tap on the kiosk's
// screen, with no input between, is taken as the second of a double tap
// (a finger that bounced, a habit of the mouse) rather than a choice on
// the screen the first led to.
const DoubleTap = 500 * time.Millisecond

// bounced records a tap on a button, and reports whether it is the second
// of a double tap whose first changed the screen: a tap within DoubleTap
// of the screen showing, the last input before it a tap on a button of
// the screen before. Such a tap does nothing, and a third like it
// neither: it lands on a button the citizen has not seen, where the
// button they meant was. Avanti tapped twice on the last question
// confirmed the request on the review (sent it, unseen), Conferma twice
// ended the session on the last screen's Fine (the number and the code,
// and a ticket not printed, never seen), Continua twice told the first
// question's answer missing. The time runs from the screen showing, not
// from the first tap: under load the kiosk took the second tap of a
// double click 120 ms apart more than DoubleTap after the first. The
// tap's own activity is recorded first (touch).
//
// A key of the on-screen keyboard (key) is the exception when the screen
// before showed the keyboard too: it stays where it was from one
// question to the next, seen, and no button that changes the screen
// lies under it, so a tap on it is the citizen typing the next answer
// (the first letter, typed at once after Avanti, was lost).
func (a *App) bounced(key bool) bool {
	last := a.lastTap
	if last.screen != "" && last.screen != a.screen && last.inputs == a.inputs-1 && a.cfg.Now().Sub(a.shown) < DoubleTap &&
		!(key && last.keys && a.keysShown) {
		a.lastTap.inputs = a.inputs
		return true
	}
	a.lastTap.screen, a.lastTap.inputs, a.lastTap.keys = a.screen, a.inputs, a.keysShown
	return false
}

// pressed records that k went down (desktop.Keyable's KeyDown, which the
// driver calls once a press, not for the repeats of a key held down).
func (a *App) pressed(k *fyne.KeyEvent) {
	a.held.key, a.held.screen, a.held.acted = k.Name, a.screen, false
}

// released records that k went up.
func (a *App) released(k *fyne.KeyEvent) {
	if a.held.key == k.Name {
		a.held.key = ""
	}
}

// repeated reports whether k is a repeat of a key held down whose press
// has acted already, or that was pressed on a screen before this one;
// otherwise it records that the press acts, the caller about to act on
// it. Enter held on the last question went on, repeated, to the review's
// Conferma (the request sent, unseen), the last screen's Fine, a
// language, a service and Continua (on the real kiosk under Xvfb, 1.2 s
// of Enter: the request sent and a new session begun), and on the way it
// chose the sex focused; held on a key of the on-screen keyboard it typed
// the key's character at every repeat (1 s of Enter on "1": "Ro1111111111").
// Such a repeat activates nothing: a key pressed again does. A key whose
// press the kiosk was not told of (no KeyDown) acts each time.
func (a *App) repeated(k *fyne.KeyEvent) bool {
	if a.held.key == "" || a.held.key != k.Name {
		return false
	}
	if a.held.acted || a.held.screen != a.screen {
		return true
	}
	a.held.acted = true
	return false
}

// touch records activity and hides the idle warning.
func (a *App) touch() {
	a.inputs++
	a.lastActivity = a.cfg.Now()
	if a.warned {
		a.warned = false
		a.overlay.RemoveAll()
		if f := a.beforeWarning; f != nil {
			// Where it was: the warning over the screen moved nothing.
			a.beforeWarning = nil
			a.win.Canvas().Focus(f)
		}
	}
}

// resetLanguage makes Italian, the first language, current again: the
// language screen's bar speaks it until a citizen chooses.
func (a *App) resetLanguage() {
	a.language = Languages[0]
	if err := SetLanguage(a.language.Code); err != nil {
		fyne.LogError("kiosk language", err)
	}
}

// RetryEvery is how often the requests waiting at the kiosk are offered
// to the sink again.
const RetryEvery = time.Minute

// runIdle runs the idle check on the UI goroutine at every tick, and the
// upkeep every RetryEvery on a goroutine of its own: no file nor post
// ever waits in this loop, so the idle warning and the wipe come on time
// with the spool folder's share hung or centrale slow.
func (a *App) runIdle() {
	ticks, upkeeps := a.cfg.ticks, a.cfg.upkeeps
	if ticks == nil {
		t := time.NewTicker(a.cfg.Tick)
		defer t.Stop()
		ticks = t.C
	}
	if upkeeps == nil {
		retry := time.NewTicker(RetryEvery)
		defer retry.Stop()
		upkeeps = retry.C
	}
	for {
		select {
		case <-a.stop:
			return
		case <-ticks:
			a.toUI(a.quit.Live(a.CheckIdle))
		case now := <-upkeeps:
			a.logCert(now)
			a.upkeep(now)
		}
	}
}

// upkeep makes the spool folder and its key until they are there,
// removes the spooled requests of days before now's, and offers
// the requests waiting at the kiosk again (each offer bounded: bounded;
// what the sink answered noted for the staff: noteSpool),
// each on a goroutine of its own, and returns at once. Each runs once at
// a time: on a share that hangs, the next cleanup is skipped until the
// last ends, and the retries go on meanwhile (centrale may answer).
func (a *App) upkeep(now time.Time) {
	chore := func(running *atomic.Bool, work func()) {
		if !running.CompareAndSwap(false, true) {
			return
		}
		a.chores.Add()
		go func() {
			defer a.chores.Done()
			defer running.Store(false)
			work()
		}()
	}
	if sp, ok := spoolOf(a.cfg.Sink); ok {
		chore(&a.expiring, func() {
			if !a.spoolMade.Load() { // at start: the key is there to copy to the desks (README, Kiosk)
				if err := sp.Prepare(); err != nil {
					fyne.LogError("kiosk spool", err)
				} else {
					a.spoolMade.Store(true)
				}
			}
			if _, err := sp.Expire(now); err != nil {
				fyne.LogError("kiosk spool", err)
			}
		})
	}
	if a.waiting.len() > 0 && a.cfg.Sink != nil {
		chore(&a.retrying, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if offered, err := a.waiting.retry(ctx, a.bounded(a.cfg.Sink), now); offered > 0 {
				// Noted on the UI goroutine; the chore ends without
				// waiting for it.
				a.background(func() func() { return func() { a.noteSpool(err) } })
			}
		})
	}
}

// CheckIdle warns when the session has been idle for Idle-Warn, and wipes
// it after Idle. It runs on the UI goroutine.
func (a *App) CheckIdle() {
	now := a.cfg.Now()
	idle := now.Sub(a.lastActivity)
	if a.session == nil && a.screen == "languages" && a.staffNotice(now) != a.notice {
		// The warning's first day, or the certificate's last: the staff
		// see it between citizens.
		a.showLanguages()
	}
	if a.session == nil {
		// The language screen: settings a citizen changed there go back to
		// their defaults for the next one.
		if idle >= a.cfg.Idle && (a.contrast || a.scale != defaultScale || a.audio) {
			a.Wipe()
		}
		return
	}
	switch {
	case a.screen == "done" && a.session.printing && idle < a.cfg.Idle+PrintWait:
		// The ticket prints, with its code: the session ends once it is
		// out (PrintWait at most), not before, lest it land in the tray
		// for the next citizen. The screen shows no answer.
	case idle >= a.cfg.Idle:
		a.Wipe()
	case a.screen == "done" && idle >= 2*a.cfg.Warn && !a.session.printing && !a.session.printFailed:
		// The ticket is printed: nothing to ask, the next citizen waits.
		// Not printed, the citizen writes its number and code down: the
		// screen stays the idle time, with its warning.
		a.Wipe()
	case idle >= a.cfg.Idle-a.cfg.Warn:
		left := int((a.cfg.Idle - idle + time.Second - 1) / time.Second)
		a.showIdleWarning(left)
	}
}

// staffNotice returns the lines the kiosk tells the sede's staff at now,
// between citizens: of its certificate (certNotice), that the printer
// failed the last ticket, until one prints, and that the spool folder is
// full or cannot be written, or that centrale refuses the kiosk's
// certificate or the kiosk centrale's, until a request is delivered.
func (a *App) staffNotice(now time.Time) string {
	lines := []string{a.certNotice(now)}
	if f := a.printerFailed; f.number != "" {
		lines = append(lines, tr("staff.printer.failed", map[string]any{
			"Number": f.number, "Time": f.at.In(now.Location()).Format("15:04")}))
	}
	if a.full {
		lines = append(lines, tr("staff.spool.full"))
	}
	if a.unwritable != diskerr.None {
		lines = append(lines, tr("staff.spool.unwritable"))
	}
	where := "" // the requests wait at the kiosk
	if a.certSpooled {
		where = ".spool" // they reach the desks through the spool folder
	}
	switch exp := a.cfg.CertExpires; a.certRefused {
	case kioskpost.ErrUntrusted:
		lines = append(lines, tr("staff.centrale.untrusted"+where))
	case kioskpost.ErrRefused:
		if exp.IsZero() || now.Before(exp) { // expired, certNotice says why
			lines = append(lines, tr("staff.centrale.refused"+where))
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// certNotice returns what the kiosk tells the sede's staff at now of its
// certificate for centrale, in the kiosk's language (Italian between
// citizens): when it stops working, from CertWarning before, and once it
// has, where the requests go meanwhile; "" before that, or without one.
func (a *App) certNotice(now time.Time) string {
	exp := a.cfg.CertExpires
	if exp.IsZero() || now.Before(exp.Add(-CertWarning)) {
		return ""
	}
	args := map[string]any{"Date": exp.In(now.Location()).Format("02/01/2006")}
	_, spool := spoolOf(a.cfg.Sink)
	switch {
	case now.Before(exp):
		return tr("staff.cert.expiring", args)
	case spool:
		return tr("staff.cert.expired.spool", args)
	}
	return tr("staff.cert.expired.kiosk", args)
}

// logCert writes to the kiosk's log, once a day from CertWarning before,
// when its certificate for centrale stops working, and from the moment it
// has, that it has and where the requests go.
func (a *App) logCert(now time.Time) {
	exp := a.cfg.CertExpires
	said := now.Format(time.DateOnly)
	if !now.Before(exp) {
		said += " expired" // at once on the day it ends
	}
	if exp.IsZero() || now.Before(exp.Add(-CertWarning)) || said == a.certLogged {
		return
	}
	a.certLogged = said
	if now.Before(exp) {
		a.logf("kiosk: the certificate for centrale (or its CA's) stops working on %s, in %d days: have a new one issued and installed before (pinctl ca renew -cert with the kiosk's certificate; pinctl ca renew-ca if it is the CA's that ends)",
			exp.In(now.Location()).Format(time.RFC3339), int(exp.Sub(now).Hours()/24))
		return
	}
	where := "wait at the kiosk, their tickets saying so, and are dropped at the end of the day"
	if _, spool := spoolOf(a.cfg.Sink); spool {
		where = "go to the spool folder"
	}
	a.logf("kiosk: the certificate for centrale (or its CA's) stopped working on %s: centrale refuses the requests, which %s; install a new one (pinctl ca renew -cert with the kiosk's certificate; pinctl ca renew-ca if it is the CA's that ended)",
		exp.In(now.Location()).Format(time.RFC3339), where)
}

func (a *App) showIdleWarning(seconds int) {
	text := tr("idle.body", map[string]any{"Seconds": seconds})
	if a.warned {
		a.idleBody.SetText(text)
		return
	}
	a.warned = true
	// The title and the countdown wrap in a card at most idleWidth wide,
	// and the buttons give up width and grow in height as cellRow lays
	// them out: unwrapped, at A+ the card asked for a window up to 1,596
	// px wide, and its buttons, 84 px high, cut their text.
	title := heading(tr("idle.title"))
	body := paragraph(text)
	a.idleBody = body
	cont := a.newButton(tr("idle.continue"), a.touch)
	cont.Importance = widget.HighImportance
	end := a.newButton(tr("nav.cancel"), a.Wipe)
	end.Importance = widget.DangerImportance
	buttons := container.New(cellRow{cell: fyne.NewSize(400, 84), perRow: 2}, end, cont)
	card := container.NewVBox(title, body, buttons)
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameBackground))
	bg.StrokeColor = fynetheme.Color(fynetheme.ColorNamePrimary)
	bg.StrokeWidth = 6
	bg.CornerRadius = 12
	a.overlay.Objects = []fyne.CanvasObject{
		canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameShadow)),
		container.NewVBox(layout.NewSpacer(),
			centred(idleWidth, container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(32, 32, 48, 48), card))),
			layout.NewSpacer()),
	}
	a.overlay.Refresh()
	a.beforeWarning = a.win.Canvas().Focused()
	a.win.Canvas().Focus(cont)
	a.say(tr("idle.title") + " " + body.Text)
}

// idleWidth is the widest the idle warning's card gets.
const idleWidth = 1000

// Wipe ends the session: everything typed is thrown away with the screens
// that held it, with what Fyne lays over the canvas (an entry's menu,
// whose Copia would copy the last citizen's text), and then with the
// clipboard (Ctrl+C, Ctrl+V: the next citizen would paste it), the theme
// and the text size go back to their defaults, and the language screen
// shows.
func (a *App) Wipe() {
	a.session = nil
	overlays := a.win.Canvas().Overlays()
	for o := overlays.Top(); o != nil; o = overlays.Top() {
		overlays.Remove(o)
	}
	fyne.CurrentApp().Clipboard().SetContent("")
	a.warned, a.beforeWarning = false, nil
	a.overlay.RemoveAll()
	a.keyboard.reset()
	a.contrast, a.scale, a.audio = false, defaultScale, false
	if a.cfg.Speaker != nil {
		a.cfg.Speaker.Stop()
	}
	a.resetLanguage()
	a.applyTheme()
	a.showLanguages()
}

// applyTheme sets the kiosk's theme with the session's contrast and size.
func (a *App) applyTheme() {
	fyne.CurrentApp().Settings().SetTheme(newTheme(a.contrast, textScales[a.scale]))
	a.keyboard.setTheme(a.contrast, textScales[a.scale])
}

// barState is what the top bar shows: its language, contrast, text size,
// and the audio button (speaker) and its state (audio).
type barState struct {
	language       string
	contrast       bool
	scale          int
	speaker, audio bool
}

// topBar returns the bar over every screen: the hidden corner of the
// supervisor, the title, and the accessibility buttons. It is built
// again only when what it shows changed (barState):
// built for every screen, its buttons' overrides measured all the
// screen's text again (steady).
func (a *App) topBar() fyne.CanvasObject {
	state := barState{language: a.language.Code, contrast: a.contrast, scale: a.scale, speaker: a.cfg.Speaker != nil, audio: a.audio}
	if a.topBarBuilt != nil && state == a.barFor {
		return a.topBarBuilt
	}
	a.barFor = state
	a.corner = newCornerTap(a.cornerTapped)
	title := canvas.NewText("INPS", fynetheme.Color(fynetheme.ColorNameForeground))
	title.TextSize = 40
	title.TextStyle = fyne.TextStyle{Bold: true}
	if !a.contrast {
		title.Color = fynetheme.Color(fynetheme.ColorNamePrimary)
	}
	sub := canvas.NewText(tr("app.title"), fynetheme.Color(fynetheme.ColorNameForeground))
	sub.TextSize = 26
	a.contrastButton = a.newButton(tr("a11y.contrast"), func() {
		a.contrast = !a.contrast
		a.applyTheme()
		a.refresh()
	})
	a.contrastButton.Icon = fynetheme.VisibilityIcon()
	a.smallerButton = a.newButton(tr("a11y.smaller"), func() {
		if a.scale > 0 {
			a.scale--
			a.applyTheme()
			a.refresh()
		}
	})
	a.largerButton = a.newButton(tr("a11y.larger"), func() {
		if a.scale < len(textScales)-1 {
			a.scale++
			a.applyTheme()
			a.refresh()
		}
	})
	right := []fyne.CanvasObject{a.smallerButton, a.largerButton, a.contrastButton}
	if a.cfg.Speaker != nil {
		label := tr("a11y.audio.on")
		if a.audio {
			label = tr("a11y.audio.off")
		}
		a.audioButton = a.newButton(label, func() {
			a.audio = !a.audio
			if !a.audio {
				a.cfg.Speaker.Stop()
			}
			a.refresh()
		})
		a.audioButton.Icon = fynetheme.VolumeUpIcon()
		right = append(right, a.audioButton)
	} else {
		a.audioButton = nil
	}
	// The buttons at no more than the normal text size, as the
	// keyboard's: at A+ they took the bar to two rows, 206 px of a screen
	// 768 or 800 high that the question needs. Each button on its own:
	// an override around the bar kept the height of its first shape.
	small := newTheme(a.contrast, min(textScales[a.scale], 1))
	for i, b := range right {
		// The same buttons in the same place on every screen: a tap
		// on one is never a double tap's second landing on a button
		// not seen (bounced).
		b.(*button).bounced = nil
		right[i] = newSteady(b, small)
	}
	bar := container.New(&a.barLayout, append([]fyne.CanvasObject{a.corner, title, sub}, right...)...)
	line := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNamePrimary))
	line.SetMinSize(fyne.NewSize(0, 4))
	a.topBarBuilt = container.NewVBox(container.NewPadded(bar), line)
	return a.topBarBuilt
}

// topBarLayout lays the top bar out: the corner, INPS and the kiosk's
// name on the left, the accessibility buttons on the right, on one row
// when they fit; when they do not, INPS shows alone (the name is the
// kiosk's own, which a citizen in front of it needs least; under INPS it
// took 26 px, and a second row 80 px, of a 768 px screen from the
// question); and when even that does not do, the buttons go on a row of
// their own under the title, to its right, the name under INPS. So the bar is never what makes the window wider:
// in every language, at every text size, it fits as narrow a window as
// the widest of the title and the buttons (about 1,000 px at A+ in
// Romanian, the widest language).
type topBarLayout struct {
	// width is the width of the last layout; 0 before the first, taken
	// as room for one row. MinSize is as high as the shape it makes.
	width float32
}

var _ fyne.Layout = (*topBarLayout)(nil)

// topTitleObjects is how many objects of the bar, first, make its title:
// the corner, INPS and the kiosk's name; the buttons follow.
const topTitleObjects = 3

// topBarShape is how the top bar is laid out at a width: the sizes of
// its title and buttons, whether the name is under INPS (stacked), and
// whether the buttons are on a row of their own (wrapped).
type topBarShape struct {
	corner, inps, name        fyne.Size
	title, buttons            fyne.Size
	stacked, wrapped, unnamed bool
}

// shape returns the shape of the bar of objs at width; 0 is room for
// one row.
func (l *topBarLayout) shape(objs []fyne.CanvasObject, width float32) topBarShape {
	pad := fynetheme.Padding()
	s := topBarShape{corner: objs[0].MinSize(), inps: objs[1].MinSize(), name: objs[2].MinSize()}
	for i, b := range objs[topTitleObjects:] {
		m := b.MinSize()
		s.buttons = fyne.NewSize(s.buttons.Width+m.Width, max(s.buttons.Height, m.Height))
		if i > 0 {
			s.buttons.Width += pad
		}
	}
	row := fyne.NewSize(s.corner.Width+pad+s.inps.Width+pad+s.name.Width, max(s.corner.Height, s.inps.Height, s.name.Height))
	stack := fyne.NewSize(s.corner.Width+pad+max(s.inps.Width, s.name.Width), max(s.corner.Height, s.inps.Height+s.name.Height))
	inps := fyne.NewSize(s.corner.Width+pad+s.inps.Width, max(s.corner.Height, s.inps.Height))
	switch {
	case width == 0 || row.Width+pad+s.buttons.Width <= width:
		s.title = row
	case inps.Width+pad+s.buttons.Width <= width:
		s.title, s.unnamed = inps, true
	case row.Width <= width:
		s.title, s.wrapped = row, true
	default:
		s.title, s.stacked, s.wrapped = stack, true, true
	}
	return s
}

// height returns the bar's height in shape s.
func (s topBarShape) height() float32 {
	if s.wrapped {
		return s.title.Height + fynetheme.Padding() + s.buttons.Height
	}
	return max(s.title.Height, s.buttons.Height)
}

// Layout lays the title and the buttons out in the shape size's width
// makes.
func (l *topBarLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	s := l.shape(objs, size.Width)
	pad := fynetheme.Padding()
	titleH := s.title.Height
	if !s.wrapped {
		titleH = s.height()
	}
	place := func(o fyne.CanvasObject, m fyne.Size, x, y float32) {
		o.Resize(m)
		o.Move(fyne.NewPos(x, y))
	}
	place(objs[0], s.corner, 0, (titleH-s.corner.Height)/2)
	x := s.corner.Width + pad
	if s.unnamed == objs[2].Visible() {
		if s.unnamed {
			objs[2].Hide()
		} else {
			objs[2].Show()
		}
	}
	if s.stacked {
		y := (titleH - s.inps.Height - s.name.Height) / 2
		place(objs[1], s.inps, x, y)
		place(objs[2], s.name, x, y+s.inps.Height)
	} else {
		place(objs[1], s.inps, x, (titleH-s.inps.Height)/2)
		place(objs[2], s.name, x+s.inps.Width+pad, (titleH-s.name.Height)/2)
	}
	y, h := float32(0), s.height()
	if s.wrapped {
		y, h = titleH+pad, s.buttons.Height
	}
	x = size.Width - s.buttons.Width
	for _, b := range objs[topTitleObjects:] {
		w := b.MinSize().Width
		place(b, fyne.NewSize(w, h), x, y)
		x += w + pad
	}
}

// MinSize is as wide as the wider of the title, its name under INPS,
// and the buttons, and as high as the shape of the last width.
func (l *topBarLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := l.shape(objs, l.width)
	pad := fynetheme.Padding()
	return fyne.NewSize(max(s.corner.Width+pad+max(s.inps.Width, s.name.Width), s.buttons.Width), s.height())
}

// refresh rebuilds the current screen after a change of language, theme,
// size or audio, keeping what was typed (the widgets are kept by the
// wizard; only their containers are built again).
func (a *App) refresh() {
	switch {
	case a.screen == "languages":
		a.showLanguages()
	case a.screen == "services":
		a.showServices()
	case a.screen == "service":
		a.showService(a.session.service)
	case a.screen == "review":
		a.showReview()
	case a.screen == "done":
		a.showDone()
	case a.session != nil && a.session.wizard != nil:
		a.showQuestion(a.session.wizard.current)
	}
}

// nameScreen names the screen showing in the window's title. The last
// screen is "done:printing" while its ticket prints: its Fine takes no
// input until then (showPrintState), and a test that drives the real
// kiosk waits for "done" before it presses Fine.
func (a *App) nameScreen() {
	name := a.screen
	if name == "done" && a.session != nil && a.session.printing {
		name += ":printing"
	}
	a.win.SetTitle(strings.TrimPrefix(a.title+" · "+name, " · "))
}

// show puts a screen in the body: its content over the navigation bar
// (back, cancel, next: each may be nil), names it in the window's title
// ("INPS – Chiosco · question:cognome": no one sees the title of the
// full-screen window, and the tests that drive the real kiosk wait on it),
// and reads speech aloud when the audio is on.
func (a *App) show(name string, content fyne.CanvasObject, nav fyne.CanvasObject, focus fyne.Focusable, speech string) {
	a.screen = name
	a.nameScreen()
	a.speech = speech
	a.bar.Objects = []fyne.CanvasObject{a.topBar()}
	var bottom fyne.CanvasObject
	if nav != nil {
		// The content's padding and the border's part it from the
		// content: no more room above it, and the bezel's margin under it,
		// so that a 1024x768 screen holds a question (TestScreensFitKioskScreens).
		bottom = container.New(layout.NewCustomPaddedLayout(0, navBottom, navInset, navInset), nav)
	}
	a.body.Objects = []fyne.CanvasObject{
		container.NewBorder(nil, bottom, nil, nil, container.NewPadded(content)),
	}
	a.keysShown = holds(content, a.keyboard.object)
	a.root.Refresh()
	a.overlay.RemoveAll()
	a.warned, a.beforeWarning = false, nil
	a.lastActivity = a.cfg.Now()
	a.shown = a.lastActivity
	a.focus(focus)
	a.say(speech)
}

// focus gives the focus to w, a widget of the screen showing, and takes
// it from the last screen's in any case: a disabled widget takes none
// (Fine, while the ticket prints: showPrintState gives it the focus once
// enabled), and Enter then went to the last screen's Conferma, no longer
// shown, where Fine was meant.
func (a *App) focus(w fyne.Focusable) {
	c := a.win.Canvas()
	c.Unfocus()
	if d, ok := w.(fyne.Disableable); w == nil || ok && d.Disabled() {
		return
	}
	c.Focus(w)
}

// holds reports whether o is in the containers under root.
func holds(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	if c, ok := root.(*fyne.Container); ok {
		return slices.ContainsFunc(c.Objects, func(c fyne.CanvasObject) bool { return holds(c, o) })
	}
	return false
}

// say reads text aloud when the audio is on.
func (a *App) say(text string) {
	if a.audio && a.cfg.Speaker != nil && text != "" {
		a.cfg.Speaker.Say(a.language.Voice, text)
	}
}

// navInset is the margin of the navigation bar from the screen's left and
// right edges: Annulla and the forward button keep the same one, clear of
// the kiosk's bezel.
const navInset = 32

// navBottom is the margin of the navigation bar from the screen's bottom
// edge.
const navBottom = 8

// The navigation bar's buttons: navHeight high at least, Annulla and
// Indietro navWidth wide and the forward button navNextWidth wide (or 32
// px wider than its text) when the window has room for them. navHeight
// is a little more than a button's text asks at the normal text size.
const (
	navHeight    = 76
	navWidth     = 320
	navNextWidth = 420
)

// navBar is the row of Annulla, Indietro and the forward button; back or
// next may be nil.
func (a *App) navBar(back func(), next *button) *fyne.Container {
	return a.navRow(true, back, next, nil)
}

// navRow is the navigation bar, with Annulla when cancel is set (the last
// screen has none, its forward button ends the session already), and
// step, when set, between the buttons.
func (a *App) navRow(cancel bool, back func(), next *button, step fyne.CanvasObject) *fyne.Container {
	l := &navLayout{step: step}
	if cancel {
		c := a.newButton(tr("nav.cancel"), a.Wipe)
		c.Icon = fynetheme.CancelIcon()
		c.Importance = widget.DangerImportance
		l.left = append(l.left, c)
	}
	if back != nil {
		b := a.newButton(tr("nav.back"), back)
		b.Icon = fynetheme.NavigateBackIcon()
		l.left = append(l.left, b)
	}
	objs := slices.Clone(l.left)
	if step != nil {
		objs = append(objs, step)
	}
	if next != nil {
		next.Importance = widget.HighImportance
		l.right = next
		objs = append(objs, next)
	}
	return container.New(l, objs...)
}

// navLayout lays the navigation bar out: Annulla and Indietro on the
// left, the forward button on the right, and the step ("Domanda 5 di
// 10"), if any, centred on the bar or, when the buttons leave it no room
// there, centred between them. The buttons are navWidth and navNextWidth
// wide when the bar has room for them and the step; in a narrower window
// they give up width alike, down to what their text needs, so that
// nothing lies over anything else and nothing is cut, in every language
// and text size. When even then the step does not fit between them (a
// window MinWidth wide at A+), the step is hidden: the buttons are what
// the citizen needs, and the bar never asks for the step's width. When
// the buttons' text does not fit on one row (Conferma e stampa il
// biglietto at A+), the forward button goes on a row of its own under
// the others, at the bottom right still.
type navLayout struct {
	left  []fyne.CanvasObject
	step  fyne.CanvasObject // nil: none
	right fyne.CanvasObject // nil: none
	// width is the width of the last layout; 0 before the first, taken
	// as room for one row. MinSize is as high as the rows it makes.
	width float32
}

var _ fyne.Layout = (*navLayout)(nil)

// buttons returns the bar's buttons, left to right, with the widths they
// take with room and the least they take.
func (l *navLayout) buttons() (objs []fyne.CanvasObject, wide, least []float32) {
	for _, o := range l.left {
		objs = append(objs, o)
		wide = append(wide, max(navWidth, o.MinSize().Width))
	}
	if l.right != nil {
		objs = append(objs, l.right)
		wide = append(wide, max(navNextWidth, l.right.MinSize().Width+32))
	}
	for _, o := range objs {
		least = append(least, o.MinSize().Width)
	}
	return objs, wide, least
}

// gaps returns the room between the objects of the bar, with the step
// between them when step is set.
func (l *navLayout) gaps(step bool) float32 {
	pad := fynetheme.Padding()
	n := max(len(l.left)-1, 0)
	if step && l.step != nil {
		return float32(n)*pad + 2*pad + l.step.MinSize().Width
	}
	if l.right != nil {
		n++
	}
	return float32(n) * pad
}

// least returns the width the buttons' text needs, with the step
// between them when step is set.
func (l *navLayout) least(step bool) float32 {
	_, _, least := l.buttons()
	w := l.gaps(step)
	for _, x := range least {
		w += x
	}
	return w
}

// height returns the bar's height: navHeight, or what the tallest button
// or the step needs at a large text size.
func (l *navLayout) height() float32 {
	h := float32(navHeight)
	objs, _, _ := l.buttons()
	if l.step != nil {
		objs = append(objs, l.step)
	}
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return h
}

// wrapped reports whether the forward button goes on a row of its own at
// width.
func (l *navLayout) wrapped(width float32) bool {
	return width > 0 && l.right != nil && len(l.left) > 0 && l.least(false) > width
}

// layoutWrapped places the left buttons on a row, as wide as their text
// asks, and the forward button under them on the right.
func (l *navLayout) layoutWrapped(size fyne.Size) {
	if l.step != nil {
		l.step.Hide()
	}
	objs, wide, _ := l.buttons()
	h, pad := l.height(), fynetheme.Padding()
	var x float32
	for _, o := range l.left {
		w := o.MinSize().Width
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
	w := min(max(wide[len(objs)-1], l.right.MinSize().Width), size.Width)
	l.right.Resize(fyne.NewSize(w, h))
	l.right.Move(fyne.NewPos(size.Width-w, h+pad))
}

// Layout places the buttons at the bar's ends and the step between them.
func (l *navLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	if l.wrapped(size.Width) {
		l.layoutWrapped(size)
		return
	}
	objs, wide, least := l.buttons()
	var sumWide, sumLeast float32
	for i := range objs {
		sumWide += wide[i]
		sumLeast += least[i]
	}
	step := l.step != nil && l.least(true) <= size.Width
	switch {
	case l.step == nil || step == l.step.Visible():
	case step:
		l.step.Show()
	default:
		l.step.Hide()
	}
	room := size.Width - l.gaps(step)
	share := float32(1) // of the width beyond the least each button takes
	if room < sumWide {
		share = max(0, (room-sumLeast)/(sumWide-sumLeast))
	}
	h := l.height()
	pad := fynetheme.Padding()
	var x float32
	for i, o := range objs {
		w := least[i] + share*(wide[i]-least[i])
		if o == l.right {
			x = size.Width - w
		}
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
	if !step {
		return
	}
	from, to := float32(0), size.Width // the room between the buttons
	if len(l.left) > 0 {
		last := l.left[len(l.left)-1]
		from = last.Position().X + last.Size().Width + pad
	}
	if l.right != nil {
		to = l.right.Position().X - pad
	}
	s := l.step.MinSize()
	x = (size.Width - s.Width) / 2
	if x < from || x+s.Width > to {
		x = from + (to-from-s.Width)/2
	}
	l.step.Resize(s)
	l.step.Move(fyne.NewPos(x, (h-s.Height)/2))
}

// MinSize is as wide as the buttons' text needs, without the step, and
// as high as the tallest of them or navHeight; wrapped, as wide as the
// wider row and as high as two.
func (l *navLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	if !l.wrapped(l.width) {
		return fyne.NewSize(l.least(false), l.height())
	}
	pad := fynetheme.Padding()
	w := float32(len(l.left)-1) * pad
	for _, o := range l.left {
		w += o.MinSize().Width
	}
	return fyne.NewSize(max(w, l.right.MinSize().Width), 2*l.height()+pad)
}

// nextNumber returns the next queue number of the day: K001, K002... With
// a Counter, the count goes on after a restart; should its file fail, the
// count in memory goes on and the failure is logged; a file that holds no
// count is replaced with the count in memory. Neither starts again for a
// day before the one counted (the clock put back across midnight): no
// number comes twice on a day.
func (a *App) nextNumber() string {
	now := a.cfg.Now()
	day := now.Format(time.DateOnly)
	if day > a.queueDay { // days as aaaa-mm-gg order as their text
		a.queueDay, a.queueN = day, 0
	}
	a.queueN++
	if a.cfg.Counter != nil {
		n, err := a.cfg.Counter.Next(now)
		if errors.Is(err, ticket.ErrCounterCorrupt) {
			// Not a count: the kiosk's own count replaces it, so that the
			// next numbers are counted in the file again.
			fyne.LogError("kiosk queue number: the count in memory replaces the file", err)
			err = a.cfg.Counter.Set(now, a.queueN)
			n = a.queueN
		}
		if err != nil {
			fyne.LogError("kiosk queue number", err)
		} else {
			a.queueN = max(n, a.queueN)
		}
	}
	return fmt.Sprintf("%s%03d", a.cfg.QueuePrefix, a.queueN)
}

// RetryWaiting offers the requests waiting at the kiosk to the sink again.
func (a *App) RetryWaiting(ctx context.Context) {
	if a.cfg.Sink != nil {
		a.waiting.retry(ctx, a.bounded(a.cfg.Sink), a.cfg.Now())
	}
}

// Waiting returns how many requests wait at the kiosk for the sink.
func (a *App) Waiting() int { return a.waiting.len() }

// today is the day of the clock, for Validate.
func (a *App) today() pinsede.Date { return pinsede.DateOf(a.cfg.Now()) }

// column centres its content at most width pixels wide.
type column struct{ width float32 }

// MinSize is the largest of the objects' minimum sizes.
func (c column) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// Layout gives every object the column's width, centred.
func (c column) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := size.Width
	if w > c.width {
		w = c.width
	}
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

// centred returns content in a column of at most width pixels.
func centred(width float32, content ...fyne.CanvasObject) *fyne.Container {
	return container.New(column{width}, content...)
}

var _ fyne.Layout = column{}
