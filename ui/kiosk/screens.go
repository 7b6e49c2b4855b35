package kiosk

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/diskerr"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/ui/ticket"
)

// showLanguages shows the first screen: each language by its own name. The
// greeting is written in every language, from each file.
func (a *App) showLanguages() {
	greet := container.NewVBox()
	for _, l := range Languages {
		m, err := Translation(l.Code)
		if err != nil {
			continue
		}
		t := canvas.NewText(m["lang.choose"], fynetheme.Color(fynetheme.ColorNameForeground))
		t.TextSize = 30 * textScales[a.scale]
		if l.Code == "it" {
			t.TextSize = 46 * textScales[a.scale]
			t.TextStyle = fyne.TextStyle{Bold: true}
		}
		t.Alignment = fyne.TextAlignCenter
		greet.Add(t)
	}
	var buttons []fyne.CanvasObject
	var first *button
	for _, l := range Languages {
		b := a.newButton(l.Name, func() { a.chooseLanguage(l) })
		b.Importance = widget.HighImportance
		buttons = append(buttons, b)
		if first == nil {
			first = b
		}
	}
	// Four languages on the first row, three on the second, centred, at
	// the bottom: the greeting over them scrolls when a large text size
	// on a low screen leaves it less room than it needs, the buttons
	// never.
	rows := container.NewVBox()
	for start := 0; start < len(buttons); start += 4 {
		rows.Add(container.New(cellRow{cell: fyne.NewSize(400, 120), perRow: 4}, buttons[start:min(start+4, len(buttons))]...))
	}
	var bottom fyne.CanvasObject = container.New(layout.NewCustomPaddedLayout(languagesGap, languagesGap, 0, 0), rows)
	if a.notice = a.staffNotice(a.cfg.Now()); a.notice != "" {
		bottom = container.NewVBox(bottom, a.staffLine(a.notice))
	}
	content := container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(container.NewCenter(greet)))
	a.show("languages", content, nil, first, "")
}

// staffLine is a line for the sede's staff, not the citizens: in small
// type at the bottom of the screen, under what a citizen taps, and at the
// normal text size whatever a citizen chose (at A+ on 1024x768 it took
// the room of the greeting).
func (a *App) staffLine(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.SizeName = fynetheme.SizeNameCaptionText
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = fyne.TextAlignCenter
	return newSteady(l, newTheme(a.contrast, 1))
}

// languagesGap is the room above and under the languages' buttons.
const languagesGap = 32

// cellRow lays its objects out in a centred row of cells of size cell,
// as many a row as perRow; in a window too narrow for perRow of them the
// cells give up width alike, down to what the widest object needs: the
// languages fit a window MinWidth wide (four cells of 400 px asked for
// 1,640).
type cellRow struct {
	cell   fyne.Size
	perRow int
}

var _ fyne.Layout = cellRow{}

// width returns the cells' width in a row size wide.
func (r cellRow) width(size float32) float32 {
	return min(r.cell.Width, (size-float32(r.perRow-1)*fynetheme.Padding())/float32(r.perRow))
}

// Layout centres the cells on the row.
func (r cellRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := fynetheme.Padding()
	w := r.width(size.Width)
	x := (size.Width - float32(len(objs))*(w+pad) + pad) / 2
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
}

// MinSize is perRow cells as wide as the widest object needs, and as
// high as a cell or the tallest object.
func (r cellRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := cell(objs)
	return fyne.NewSize(float32(r.perRow)*m.Width+float32(r.perRow-1)*fynetheme.Padding(), max(r.cell.Height, m.Height))
}

// chooseLanguage starts a session in l.
func (a *App) chooseLanguage(l Language) {
	if err := SetLanguage(l.Code); err != nil {
		fyne.LogError("kiosk language", err)
		return
	}
	a.language = l
	a.session = &session{}
	a.showServices()
}

// ChooseLanguage starts a session in the language of code, as a tap on its
// button does; tests and the screenshots use it.
func (a *App) ChooseLanguage(code string) {
	for _, l := range Languages {
		if l.Code == code {
			a.chooseLanguage(l)
		}
	}
}

// showServices shows the four services, each with a line of explanation.
func (a *App) showServices() {
	rows := container.NewVBox(heading(tr("services.title")))
	var first *button
	for _, s := range Services {
		b := a.newButton(tr("service."+s+".title"), func() { a.showService(s) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.HighImportance
		switch s {
		case ServiceInfo:
			b.Icon = fynetheme.InfoIcon()
			b.Importance = widget.MediumImportance
		default:
			b.Icon = fynetheme.AccountIcon()
		}
		if first == nil {
			first = b
		}
		rows.Add(container.New(besideOrAlone{}, b, paragraph(tr("service."+s+".short"))))
	}
	// The services always in view; the rule under them scrolls when a
	// low screen leaves it less room than it needs.
	rule := container.NewVBox(widget.NewSeparator(), subheading(tr("rule.title")), paragraph(tr("rule.body")))
	a.show("services", centred(1700, container.New(topThenRest{}, rows, container.NewVScroll(rule))), a.navBar(a.Wipe, nil), first,
		tr("services.title"))
}

// topThenRest lays its first object out at the top, as high as it asks,
// and its second in the room left under it, if any: the window asks only
// for the first.
type topThenRest struct{}

var _ fyne.Layout = topThenRest{}

// Layout puts objs[0] at the top and objs[1] under it.
func (topThenRest) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	h := objs[0].MinSize().Height
	objs[0].Resize(fyne.NewSize(size.Width, h))
	objs[0].Move(fyne.NewPos(0, 0))
	y := h + fynetheme.Padding()
	objs[1].Resize(fyne.NewSize(size.Width, max(0, size.Height-y)))
	objs[1].Move(fyne.NewPos(0, y))
}

// MinSize is as high as objs[0] asks, as wide as both.
func (topThenRest) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(max(objs[0].MinSize().Width, objs[1].MinSize().Width), objs[0].MinSize().Height)
}

// besideOrAlone lays a service's button out with its line of
// explanation beside it, the button serviceWidth wide (or as wide as its
// text), when the line keeps at least serviceText px and fits the
// button's height; otherwise (MinWidth, or a large text size) the button
// alone, as wide as the row. So the four services always show at once,
// and the service's own screen explains each.
type besideOrAlone struct{}

var _ fyne.Layout = besideOrAlone{}

// The service button's width and least height, and the least width its
// line keeps beside it.
const (
	serviceWidth  = 760
	serviceHeight = 90
	serviceText   = 400
)

// beside reports whether the button b and its line go on one row at
// width, and the button's width then.
func (besideOrAlone) beside(b fyne.CanvasObject, width float32) (bool, float32) {
	w := max(b.MinSize().Width, min(serviceWidth, width-serviceText-fynetheme.Padding()))
	return w+fynetheme.Padding()+serviceText <= width, w
}

// Layout puts the button, objs[0], and its line, objs[1], beside it or
// hidden.
func (l besideOrAlone) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	b, text := objs[0], objs[1]
	pad := fynetheme.Padding()
	h := max(serviceHeight, b.MinSize().Height)
	ok, w := l.beside(b, size.Width)
	if ok {
		text.Resize(fyne.NewSize(size.Width-w-pad, h))
		text.Move(fyne.NewPos(w+pad, 0))
		ok = text.MinSize().Height <= h
	}
	switch {
	case ok:
		text.Show()
	default:
		w = size.Width
		text.Hide()
	}
	b.Resize(fyne.NewSize(w, h))
	b.Move(fyne.NewPos(0, (size.Height-h)/2))
}

// MinSize is as wide as the button's text, and as high as the button.
func (besideOrAlone) MinSize(objs []fyne.CanvasObject) fyne.Size {
	b := objs[0].MinSize()
	return fyne.NewSize(b.Width, max(serviceHeight, b.Height))
}

// showService explains a service in plain words; the PIN services go on to
// the wizard, the information ends there.
func (a *App) showService(s string) {
	a.session.service = s
	text := paragraph(tr("service." + s + ".body"))
	rule := paragraph(tr("rule.body"))
	rows := container.NewVBox(heading(tr("service."+s+".title")), text, widget.NewSeparator(),
		subheading(tr("rule.title")), rule)
	var next *button
	if s == ServiceInfo {
		next = a.newButton(tr("nav.done"), a.Wipe)
	} else {
		next = a.newButton(tr("service.continue"), a.startWizard)
		next.Icon = fynetheme.NavigateNextIcon()
		next.IconPlacement = widget.ButtonIconTrailingText
	}
	a.show("service", centred(1600, container.NewVScroll(rows)), a.navBar(a.showServices, next), next,
		tr("service."+s+".title")+". "+text.Text)
}

// subheading is a bold label of the sub-heading size.
func subheading(text string) *widget.Label {
	l := heading(text)
	l.SizeName = fynetheme.SizeNameSubHeadingText
	return l
}

// submit numbers the ticket of the session s and hands its request to the
// sink off the UI goroutine, so that the kiosk goes on drawing, taking
// keys and counting the idle time while centrale is slow or down. The
// session is sending until the sink has answered: its review takes no
// more input and says so (showReview), and a second confirmation sends
// nothing. Then sent shows the outcome.
func (a *App) submit(s *session) {
	now := a.cfg.Now()
	sub := Submission{
		Ticket: ticket.Ticket{
			Number:  a.nextNumber(),
			Code:    ticket.NewCode(),
			Service: s.service,
			Issued:  now,
		},
		Language: a.language.Code,
		Request:  s.wizard.request(),
	}
	s.sending = true
	sink := a.cfg.Sink
	a.background(func() func() {
		err := a.send(sink, sub, now)
		sub.Ticket.Pending = err != nil
		return func() { a.sent(s, sub.Ticket, err) }
	})
}

// send offers the requests waiting at the kiosk, then sub, to sink, within
// Config.SendWait, and returns nil when sink took sub, else why not; a
// refused sub waits at the kiosk, its ticket pending, unless MaxWaiting
// wait already (errNotKept). A sink that refused a waiting request just
// now is down: sub waits too, rather than keep the citizen waiting for a
// second timeout. It runs off the UI goroutine.
func (a *App) send(sink TicketSink, sub Submission, now time.Time) error {
	if sink == nil {
		return errNoSink
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.SendWait)
	defer cancel()
	sink = a.bounded(sink)
	_, err := a.waiting.retry(ctx, sink, now)
	if err == nil {
		if err = sink.Submit(ctx, sub); err == nil {
			return nil
		}
	}
	sub.Ticket.Pending = true
	if !a.waiting.add(sub) {
		return fmt.Errorf("%w: %w", errNotKept, err)
	}
	return err
}

// errNoSink is the refusal of a kiosk with no sink: its requests wait.
var errNoSink = errors.New("kiosk: no sink")

// errNotKept is the refusal of a request not kept at the kiosk: MaxWaiting
// wait already.
var errNotKept = fmt.Errorf("kiosk: %d requests wait at the kiosk already: not kept", MaxWaiting)

// sent ends, on the UI goroutine, the send of the session s's ticket t,
// refused with err (nil when delivered): the ticket prints and the last
// screen shows. A session wiped meanwhile (the idle timer, Annulla on its
// warning, the supervisor's corner) shows and prints nothing: the next
// citizen sees nothing of it, and a ticket left in the tray would give
// them the code of another's request. Its request has reached the sink or
// waits at the kiosk all the same, once.
func (a *App) sent(s *session, t ticket.Ticket, err error) {
	s.sending = false
	a.noteSpool(err)
	if a.session != s {
		fyne.LogError("kiosk: ticket "+t.Number+" was sent after its citizen left; not printed", nil)
		return
	}
	s.ticket = &t
	s.full = errors.Is(err, ticket.ErrSpoolFull) || errors.Is(err, errNotKept)
	if a.cfg.Printer != nil {
		a.printTicket(s, t)
	}
	a.showDone()
}

// noteSpool records, on the UI goroutine, what the last offer of requests
// to the sink told of where they go (err, its refusal; nil when the sink
// took them), for the sede's staff (staffNotice): the spool folder or the
// kiosk's memory full, or the spool folder's disk refusing to write
// (spoolDisk: full, read-only, no permission), the requests then waiting
// in the kiosk's memory alone; or centrale refusing the kiosk's
// certificate, or the kiosk not trusting centrale's (certFault), the
// requests waiting at the kiosk, or going to the spool folder when a
// FallbackSink's took them (takeFirstRefused). The log says each when it begins or
// changes, and once when a request is delivered again: never at each
// request nor at each retry. Another refusal (centrale down, a share
// that hangs) says nothing of either.
func (a *App) noteSpool(err error) {
	spooled := false
	if err == nil { // delivered: by centrale, or by the spool folder once centrale refused it
		if first := a.takeFirstRefused(); certFault(first) != nil {
			err, spooled = first, true
		}
	}
	full := errors.Is(err, ticket.ErrSpoolFull) || errors.Is(err, errNotKept)
	disk := spoolDisk(err)
	if cert := certFault(err); cert != nil && (cert != a.certRefused || spooled != a.certSpooled) {
		a.certRefused, a.certSpooled = cert, spooled
		where := "requests wait in the kiosk's memory, their tickets saying so, lost if it stops and dropped at the end of the day"
		if spooled {
			where = "requests reach the desks through the spool folder only"
		}
		if cert == kioskpost.ErrUntrusted {
			a.logf("kiosk: the kiosk does not trust centrale's certificate (%v): %s; centrale's operators are to put its certificate right (or the kiosk's clock, if wrong): the kiosk's own certificate and settings are not at fault", err, where)
		} else {
			a.logf("kiosk: centrale refuses the kiosk's certificate (%v): %s; have a new certificate issued for the kiosk and installed (pinctl ca issue -role chiosco)", err, where)
		}
	}
	switch {
	case err == nil || spooled: // delivered; by the spool folder, centrale refusing still
		if a.full || a.unwritable != diskerr.None || !spooled && a.certRefused != nil {
			a.logf("kiosk: a request was delivered again")
		}
		a.full, a.unwritable = false, diskerr.None
		if !spooled {
			a.certRefused, a.certSpooled = nil, false
		}
	case full:
		if !a.full {
			a.logf("kiosk: requests are refused, the desks' spool folder or the kiosk's memory being full (%v): they are not delivered, and their citizens are told to bring their document to the desk; have the desks take the waiting tickets (sportello -ticket-dir) or clear the folder", err)
		}
		a.full = true
	case disk != diskerr.None && disk != a.unwritable:
		a.logf("kiosk: the desks' spool folder cannot be written (%v): requests wait in the kiosk's memory, lost if it stops, and are written there once it can be; have the disk freed, checked or made writable for the kiosk's user", err)
		a.unwritable = disk
	}
}

// firstSaid records, from a FallbackSink on the sink's goroutine, its
// first sink's answer to a request delivered: nil when centrale took
// it, its refusal when the spool folder did.
func (a *App) firstSaid(err error) {
	a.firstMu.Lock()
	defer a.firstMu.Unlock()
	a.firstRefused = err
}

// takeFirstRefused returns the refusal firstSaid recorded last, and
// forgets it.
func (a *App) takeFirstRefused() error {
	a.firstMu.Lock()
	defer a.firstMu.Unlock()
	err := a.firstRefused
	a.firstRefused = nil
	return err
}

// certFault returns kioskpost.ErrRefused when err, a sink's refusal, is
// centrale's of the kiosk's certificate, kioskpost.ErrUntrusted when it
// is the kiosk's of centrale's, and nil otherwise.
func certFault(err error) error {
	for _, cause := range []error{kioskpost.ErrUntrusted, kioskpost.ErrRefused} {
		if errors.Is(err, cause) {
			return cause
		}
	}
	return nil
}

// spoolDisk returns why the disk refused the spool folder a write in err,
// a sink's refusal, or diskerr.None: the spool's files fail with an
// *fs.PathError, or an *os.LinkError for a rename; centrale's refusal
// with neither, and its errno may mean another thing (EPERM: a firewall).
func spoolDisk(err error) diskerr.Kind {
	if pe := new(fs.PathError); errors.As(err, &pe) {
		return diskerr.Of(pe)
	}
	if le := new(os.LinkError); errors.As(err, &le) {
		return diskerr.Of(le)
	}
	return diskerr.None
}

// ticketLabels returns the texts of t's ticket in the session's language.
func (a *App) ticketLabels(t ticket.Ticket) ticket.Labels {
	header := "INPS"
	if a.cfg.Sede != "" {
		header = tr("ticket.header", map[string]any{"Sede": a.cfg.Sede})
	}
	return ticket.Labels{
		Header:  header,
		Number:  tr("ticket.number"),
		Service: tr("service." + t.Service + ".title"),
		Time:    tr("ticket.time"),
		Code:    tr("ticket.code"),
		Bring:   tr("ticket.bring"),
		Pending: tr("ticket.pending"),
	}
}

// TicketLabels returns the texts of a ticket in the current language.
func (a *App) TicketLabels(t ticket.Ticket) ticket.Labels { return a.ticketLabels(t) }

// showDone shows the queue number; no personal data.
func (a *App) showDone() {
	t := a.session.ticket
	number := canvas.NewText(t.Number, fynetheme.Color(fynetheme.ColorNamePrimary))
	number.TextSize = 160 * textScales[a.scale]
	number.TextStyle = fyne.TextStyle{Bold: true}
	number.Alignment = fyne.TextAlignCenter
	args := map[string]any{"Number": t.Number, "Code": t.Code}
	a.printState = paragraph("")
	// Where the ticket is (not printed: the number and the code to
	// remember) scrolls into view whenever it makes the screen taller:
	// the print job tells it after the screen showed; at A+ on 1024x768
	// it came under the navigation bar.
	var scroll *container.Scroll
	rows := container.New(&resizeHook{inner: layout.NewVBoxLayout(), resized: func() {
		if scroll != nil && a.printState.Visible() {
			scrollOver(scroll, a.printState, 0, 0, nil)
		}
	}}, heading(tr("done.title")), number, paragraph(tr("done.body", args)))
	if t.Pending {
		key := "done.pending"
		if a.session.full {
			key = "done.full"
		}
		p := paragraph(tr(key))
		p.Importance = widget.WarningImportance
		p.TextStyle = fyne.TextStyle{Bold: true}
		rows.Add(p)
	}
	rows.Add(a.printState)
	end := a.newButton(tr("nav.done"), a.Wipe)
	end.Icon = fynetheme.ConfirmIcon()
	a.doneButton = end
	a.showPrintState()
	scroll = container.NewVScroll(rows)
	a.show("done", centred(1500, scroll), a.navRow(false, nil, end, nil), end, tr("done.title")+". "+tr("done.body", args))
}

// cornerTap is the invisible square in the top-left corner: three taps
// within three seconds open the supervisor's exit prompt.
type cornerTap struct {
	widget.BaseWidget
	onTap func()
}

func newCornerTap(onTap func()) *cornerTap {
	c := &cornerTap{onTap: onTap}
	c.ExtendBaseWidget(c)
	return c
}

// Tapped counts the tap.
func (c *cornerTap) Tapped(*fyne.PointEvent) { c.onTap() }

// CreateRenderer draws nothing.
func (c *cornerTap) CreateRenderer() fyne.WidgetRenderer {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSquareSize(64))
	return widget.NewSimpleRenderer(r)
}

// cornerWindow is the time in which three taps on the corner open the
// supervisor's prompt.
const cornerWindow = 3 * time.Second

// MaxExitAttempts wrong exit codes in a row close the prompt and keep the
// corner shut for ExitLockout: a 4-digit code cannot be tried out at the
// kiosk.
const (
	MaxExitAttempts = 3
	ExitLockout     = 5 * time.Minute
)

func (a *App) cornerTapped() {
	a.touch()
	if a.cfg.ExitHash == "" {
		return
	}
	now := a.cfg.Now()
	if now.Before(a.exitLockedUntil) {
		return
	}
	a.cornerTimes = append(a.cornerTimes, now)
	if len(a.cornerTimes) > 3 {
		a.cornerTimes = a.cornerTimes[len(a.cornerTimes)-3:]
	}
	if len(a.cornerTimes) == 3 && now.Sub(a.cornerTimes[0]) <= cornerWindow {
		a.cornerTimes = nil
		a.showExit()
	}
}

// showExit asks for the supervisor's code. The session, if any, is wiped
// first: the supervisor sees nothing a citizen typed.
func (a *App) showExit() {
	if a.session != nil {
		a.Wipe()
	}
	a.session = &session{}
	code := a.newEntry("", false)
	code.Password = true
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	check := func() {
		secret := []byte(code.Text)
		ok, err := pinsede.VerifySecret(a.cfg.ExitHash, secret)
		clear(secret)
		if err != nil || !ok {
			code.SetText("")
			msg.SetText(tr("exit.wrong"))
			if a.exitFailures++; a.exitFailures >= MaxExitAttempts {
				a.exitFailures = 0
				a.exitLockedUntil = a.cfg.Now().Add(ExitLockout)
				a.Wipe()
			}
			return
		}
		a.exitFailures = 0
		if a.cfg.OnExit != nil {
			a.cfg.OnExit()
		}
	}
	code.submit = check
	ok := a.newButton(tr("exit.ok"), check)
	a.keyboard.setTarget(code)
	rows := container.NewVBox(heading(tr("exit.title")), code, msg, a.keyboard.object)
	if n := a.staffNotice(a.cfg.Now()); n != "" {
		rows.Objects = slices.Insert(rows.Objects, 1, a.staffLine(n))
	}
	a.show("exit", centred(1400, rows), a.navBar(nil, ok), code, "")
}
