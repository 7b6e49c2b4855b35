package desk

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
	"github.com/pinsede/pinsede/ui/ticket"
)

// QueueRefresh is how often the desk reads the kiosk's tickets again, for
// the count of waiting tickets and to wipe the tickets of past days.
const QueueRefresh = 15 * time.Second

// errCentral marks the errors of the tickets centrale sent, apart from
// those of the spool folder.
var errCentral = errors.New("kiosk tickets from centrale")

// queuePanel is the home screen's part of the kiosk's queue: the count of
// today's waiting tickets, "Prossimo biglietto", which takes the first of
// them, and the ticket's code, scanned or typed, which takes that one.
// Either opens the MV35 that the citizen pre-filled at the kiosk, under the
// ticket's number; the clerk then verifies identity as usual.
//
// The tickets come from two sources: the kiosk's spool folder, when the
// desk has one (Config.TicketDir), and the tickets that centrale sent,
// when the desk runs with centrale (UseSync with a source). The queue is
// the tickets of both, oldest first.
type queuePanel struct {
	a       *App
	waiting *widget.Label
	next    *button
	code    *entry
	open    *button
	msg     *message
	object  fyne.CanvasObject
}

// queued is a waiting ticket and where it waits.
type queued struct {
	ticket  ticket.Ticket
	central bool // sent by centrale, not in the spool folder
}

// spool is the kiosk's spool folder.
func (a *App) spool() ticket.Spool { return ticket.Spool{Dir: a.cfg.TicketDir} }

// central reports whether the desk runs with centrale, which sends the
// kiosk's tickets (pinsede.Desk.Tickets).
func (a *App) central() bool { return a.sync != nil && a.sync.src != nil }

// hasQueue reports whether the desk has a source of kiosk tickets.
func (a *App) hasQueue() bool { return a.cfg.TicketDir != "" || a.central() }

// expireTickets wipes the tickets of past days of both sources.
func (a *App) expireTickets(now time.Time) {
	if a.cfg.TicketDir != "" {
		if _, err := a.spool().Expire(now); err != nil {
			fyne.LogError("desk: kiosk tickets", err)
		}
	}
	if a.central() {
		if _, err := a.desk.WipeTickets(now); err != nil {
			fyne.LogError("desk: kiosk tickets from centrale", err)
		}
	}
}

// waitingTickets returns today's waiting tickets of both sources, oldest
// first. A ticket both hold (a kiosk that lost centrale's answer puts the
// request in the spool folder too) is listed once, as centrale's. A
// source that fails is reported with the tickets of the other; files of
// the spool refused (ticket.ErrSealed) with the others.
func (a *App) waitingTickets(now time.Time) ([]queued, error) {
	var out []queued
	var errs []error
	held := map[string]bool{}
	if a.central() {
		ts, err := a.desk.Tickets(now)
		for _, t := range ts {
			held[t.Code] = true
			out = append(out, queued{ticket: ticket.Ticket{Number: t.Number, Code: t.Code, Service: t.Service, Issued: t.Issued}, central: true})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %w", errCentral, err))
		}
	}
	if a.cfg.TicketDir != "" {
		ts, err := a.spool().Waiting(now)
		for _, t := range ts {
			if !held[t.Code] {
				out = append(out, queued{ticket: t})
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	slices.SortStableFunc(out, func(x, y queued) int { return x.ticket.Issued.Compare(y.ticket.Issued) })
	return out, errors.Join(errs...)
}

// where says where a ticket is taken from.
type where int

const (
	fromEither  where = iota // a code typed or scanned: centrale's, else the spool's
	fromCentral              // centrale's only
	fromSpool                // the spool folder's only
)

// takeTicket takes one ticket by its code, for the clerk of session s:
// from centrale's (pinsede.Desk.TakeTicket, which audits it, puts its
// ticket.called in the outbox and asks the link to push it), or from the
// spool folder, as from says. A desk with both takes the ticket from both:
// the spool folder's copy of one taken from centrale is removed, and one
// taken from the spool folder is called at centrale too
// (pinsede.Desk.CallTicket), which may hold it: else another desk would
// call the citizen again. An unknown code is an error wrapping
// os.ErrNotExist or pinsede.ErrNotFound. It runs off the UI goroutine:
// the session is the one the UI goroutine read when the clerk asked.
func (a *App) takeTicket(s *pinsede.Session, code string, now time.Time, from where) (ticket.Submission, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if a.central() && from != fromSpool {
		t, err := a.desk.TakeTicket(s, code, now)
		sub := ticket.Submission{
			Ticket:   ticket.Ticket{Number: t.Number, Code: t.Code, Service: t.Service, Issued: t.Issued},
			Language: t.Language, Request: t.Request,
		}
		switch {
		case err == nil:
			a.dropSpooled(code)
			return sub, nil
		case errors.Is(err, pinsede.ErrTicketExpired):
			return ticket.Submission{Ticket: sub.Ticket}, fmt.Errorf("%w: %w", ticket.ErrExpired, err)
		case !errors.Is(err, pinsede.ErrNotFound):
			return sub, fmt.Errorf("%w: %w", errCentral, err)
		}
	}
	if a.cfg.TicketDir == "" || from == fromCentral {
		return ticket.Submission{}, fmt.Errorf("kiosk ticket %s: %w", code, os.ErrNotExist)
	}
	sub, err := a.spool().TakeOn(code, now)
	if err == nil && a.central() {
		t := pinsede.Ticket{Code: sub.Ticket.Code, Number: sub.Ticket.Number, Service: sub.Ticket.Service, Issued: sub.Ticket.Issued,
			Language: sub.Language, Request: sub.Request}
		if err := a.desk.CallTicket(s, t, now); err != nil {
			// Taken all the same: the clerk has the request; centrale's
			// copy, if any, waits for its day to end.
			fyne.LogError("desk: kiosk ticket "+code+" from the spool folder not called at centrale", err)
		}
	}
	return sub, err
}

// dropSpooled removes the spool folder's copy, if any, of a ticket taken
// from centrale.
func (a *App) dropSpooled(code string) {
	if a.cfg.TicketDir == "" {
		return
	}
	if _, err := a.spool().Take(code); err != nil && !errors.Is(err, os.ErrNotExist) {
		fyne.LogError("desk: kiosk ticket "+code+" taken from centrale, its copy in the spool folder not removed", err)
	}
}

// sede returns the desk's sede, pinsede.ErrNotFound before the set-up.
func (a *App) sede() (pinsede.Sede, error) {
	var s pinsede.Sede
	err := a.desk.Store.View(func(tx pinsede.Tx) (err error) {
		s, err = tx.Sede()
		return err
	})
	return s, err
}

// startQueue wipes the tickets of past days and, with a ticker, keeps
// wiping them and keeps the home screen's count current. It does nothing
// when the desk has no source of tickets.
func (a *App) startQueue() {
	if !a.hasQueue() {
		return
	}
	a.expireTickets(a.desk.Now())
	if a.tick <= 0 {
		return // tests refresh by hand
	}
	go func() {
		t := time.NewTicker(QueueRefresh)
		defer t.Stop()
		for {
			select {
			case <-a.stop:
				return
			case <-t.C:
			}
			now := a.desk.Now()
			a.expireTickets(now)
			ts, err := a.waitingTickets(now)
			fyne.Do(a.live(func() {
				if a.home != nil && a.home.queue != nil {
					a.home.queue.show(len(ts), err)
				}
			}))
		}
	}()
}

// newQueuePanel builds the queue's section of the home screen, or returns
// nil when the desk has no source of tickets.
func (a *App) newQueuePanel() *queuePanel {
	if !a.hasQueue() {
		return nil
	}
	q := &queuePanel{a: a}
	q.waiting = widget.NewLabel("")
	q.next = a.primaryButton(lang.L("queue.next"), fynetheme.MediaSkipNextIcon(), func() {
		a.unlessTyped(lang.L("queue.next.confirm"), q.takeNext)
	})
	q.code = a.newEntry(lang.L("queue.code.placeholder"))
	q.code.OnSubmitted = func(string) { q.openCode() } // a barcode reader ends with Enter
	q.open = a.button(lang.L("queue.code.open"), fynetheme.FolderOpenIcon(), q.openCode)
	q.msg = newMessage()
	q.object = section(lang.L("queue.title"),
		container.NewGridWithColumns(2, figure(q.waiting, lang.L("queue.waiting")), container.NewCenter(a.tipped(q.next, keyCtrlT))),
		newField("", lang.L("queue.code"), container.NewBorder(nil, nil, nil, q.open, q.code)).object,
		q.msg.box,
	)
	return q
}

// refresh reads the count of waiting tickets again.
func (q *queuePanel) refresh() {
	if q == nil {
		return
	}
	ts, err := q.a.waitingTickets(q.a.desk.Now())
	q.show(len(ts), err)
}

// show shows the count of waiting tickets, and why a source cannot be
// read.
func (q *queuePanel) show(n int, err error) {
	switch {
	case err != nil && n == 0:
		q.waiting.SetText("–") // not an empty queue: one that cannot be read
	default:
		q.waiting.SetText(strconv.Itoa(n))
	}
	if err != nil {
		q.msg.set(msgError, q.a.queueError(err))
	}
}

// queueError says in words why the tickets cannot be read or taken.
func (a *App) queueError(err error) string {
	var tooMany *ticket.TooManyFilesError
	if errors.As(err, &tooMany) { // before the files refused among those read
		key := "queue.toomany"
		if tooMany.AtLeast {
			key = "queue.toomany.atleast"
		}
		return lang.L(key, map[string]any{"Dir": a.cfg.TicketDir, "Read": tooMany.Read, "Left": tooMany.Left})
	}
	// Files of the folder refused, named in words of the user's
	// language, not in the error's English.
	files := func(reason error) map[string]any {
		return map[string]any{"Dir": a.cfg.TicketDir, "Files": strings.Join(ticket.RefusedFiles(err, reason), ", ")}
	}
	var says []string
	if len(ticket.RefusedFiles(err, ticket.ErrSpoolFile)) > 0 {
		says = append(says, lang.L("queue.spoolfile", files(ticket.ErrSpoolFile)))
	}
	if len(ticket.RefusedFiles(err, ticket.ErrSealed)) > 0 {
		says = append(says, lang.L("queue.sealed", files(ticket.ErrSealed)))
	}
	if len(says) > 0 {
		return strings.Join(says, " ")
	}
	switch {
	case errors.Is(err, ticket.ErrNoKey):
		return lang.L("queue.nokey", map[string]any{"Key": a.spool().KeyFile()})
	case errors.Is(err, ticket.ErrBadKey):
		return lang.L("queue.badkey", map[string]any{"Key": a.spool().KeyFile()})
	case errors.Is(err, pinsede.ErrStoreWrite):
		return i18n.Message(err) // the desk's own store, by the disk's cause
	case errors.Is(err, errCentral):
		return lang.L("queue.central.error", map[string]any{"Err": err.Error()})
	}
	return lang.L("queue.unreachable", map[string]any{"Dir": a.cfg.TicketDir, "Err": err.Error()})
}

// takeNext takes the oldest ticket of today's queue and opens its request.
// A ticket another desk takes meanwhile is skipped.
func (q *queuePanel) takeNext() {
	a := q.a
	s, now := a.session, a.desk.Now()
	if s == nil {
		return
	}
	q.msg.set(msgError, "")
	a.background(func() func() {
		ts, err := a.waitingTickets(now)
		for _, t := range ts {
			from := fromSpool
			if t.central {
				from = fromCentral
			}
			sub, err := a.takeTicket(s, t.ticket.Code, now, from)
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, pinsede.ErrNotFound) {
				continue
			}
			return func() { q.opened(s, sub, err, t.ticket.Code) }
		}
		return func() {
			if a.session != s {
				return // logged out meanwhile
			}
			if err != nil {
				q.show(0, err)
				return
			}
			q.msg.set(msgInfo, lang.L("queue.empty"))
			q.refresh()
		}
	})
}

// openCode opens the ticket of the code typed or scanned, asking first
// when a request is typed (unlessTyped).
func (q *queuePanel) openCode() {
	if strings.TrimSpace(q.code.Text) == "" {
		q.takeCode()
		return
	}
	q.a.unlessTyped(lang.L("queue.code.confirm"), q.takeCode)
}

// takeCode takes the ticket of the code typed or scanned and opens its
// request.
func (q *queuePanel) takeCode() {
	a := q.a
	code := q.code.Text
	q.code.SetText("") // ready for the next scan
	q.msg.set(msgError, "")
	if code == "" {
		return
	}
	s, now := a.session, a.desk.Now()
	if s == nil {
		return
	}
	a.background(func() func() {
		sub, err := a.takeTicket(s, code, now, fromEither)
		return func() {
			q.opened(s, sub, err, code)
			if errors.Is(err, pinsede.ErrStoreWrite) && q.a.session == s && q.code.Text == "" {
				q.code.SetText(code) // not taken: Apri takes it once the store writes
			}
		}
	})
}

// opened opens the request of a ticket the clerk of session s took, or
// says why there is none: nothing else changes. Nothing shows when the
// clerk logged out meanwhile; a ticket taken is kept (keepTicket).
func (q *queuePanel) opened(s *pinsede.Session, sub ticket.Submission, err error, code string) {
	if q.a.session != s {
		if err == nil {
			q.a.keepTicket(s, sub)
		}
		return
	}
	switch {
	case err == nil:
		q.a.openTicket(sub)
		return
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, pinsede.ErrNotFound):
		q.msg.set(msgError, lang.L("queue.unknown", map[string]any{"Code": code}))
	case errors.Is(err, ticket.ErrExpired):
		q.msg.set(msgError, lang.L("queue.expired", map[string]any{
			"Number": sub.Ticket.Number, "Date": sub.Ticket.Issued.Format("02/01/2006")}))
	default:
		q.msg.set(msgError, q.a.queueError(err))
	}
	ts, _ := q.a.waitingTickets(q.a.desk.Now()) // the message says what went wrong
	q.waiting.SetText(strconv.Itoa(len(ts)))
}

// openTicket starts a new MV35 filled with what the citizen typed at the
// kiosk, under the ticket's number and service in large type, to call the
// citizen. It drops any request in progress.
func (a *App) openTicket(sub ticket.Submission) {
	a.dropDraft()
	a.request = a.newRequestScreen()
	a.verify = nil
	a.request.fill(sub.Request)
	a.request.showTicket(ticketOf(sub))
	a.show(a.request.screen)
}

// keepTicket keeps the request of a ticket that the clerk of session s
// took as the session ended (Esci pressed as the ticket was called): the
// ticket is no longer in the queue, and its citizen waits. It becomes the
// clerk's draft, with the ticket, as openTicket would have shown it:
// offered at the clerk's next login of the day (offerDraft), it opens
// under the ticket's banner. The login screen, when it shows, says so.
func (a *App) keepTicket(s *pinsede.Session, sub ticket.Submission) {
	fields := requestDraft(sub.Request)
	ticketOf(sub).putDraft(fields)
	a.writeDraftOf(s, "kept", func(s *pinsede.Session) error { return a.desk.SaveDraft(s, pinsede.DraftRequest, fields) })
	if a.session == nil && a.login != nil {
		a.login.kept = lang.L("queue.kept", map[string]any{
			"Number": sub.Ticket.Number, "Operator": s.Operator.Name, "ID": s.Operator.ID})
		a.login.msg.set(msgInfo, a.login.kept)
	}
}

// calledTicket is the kiosk ticket a request was opened from, as its
// banner shows it (ticketBanner) and the request's draft keeps it.
type calledTicket struct {
	number, service, language string
	issued                    time.Time
}

// ticketOf returns the ticket of a kiosk submission.
func ticketOf(sub ticket.Submission) calledTicket {
	return calledTicket{number: sub.Ticket.Number, service: sub.Ticket.Service, language: sub.Language, issued: sub.Ticket.Issued}
}

// The names under which a draft keeps the kiosk ticket its request was
// opened from, beside the MV35's fields: a draft without them has no
// ticket.
const (
	draftTicketNumber   = "biglietto_numero"
	draftTicketService  = "biglietto_servizio"
	draftTicketLanguage = "biglietto_lingua"
	draftTicketIssued   = "biglietto_stampato" // RFC 3339, with the kiosk's offset
)

// putDraft keeps t among a draft's fields.
func (t calledTicket) putDraft(out map[string]string) {
	out[draftTicketNumber] = t.number
	putDraft(out, draftTicketService, t.service)
	putDraft(out, draftTicketLanguage, t.language)
	out[draftTicketIssued] = t.issued.Format(time.RFC3339)
}

// draftTicket returns the ticket a draft keeps, and whether it keeps one.
func draftTicket(fields map[string]string) (calledTicket, bool) {
	n, ok := fields[draftTicketNumber]
	if !ok {
		return calledTicket{}, false
	}
	issued, err := time.Parse(time.RFC3339, fields[draftTicketIssued])
	if err != nil {
		return calledTicket{}, false // not one this desk wrote: no banner rather than a wrong time
	}
	return calledTicket{number: n, service: fields[draftTicketService], language: fields[draftTicketLanguage], issued: issued}, true
}

// showTicket puts the banner of the kiosk ticket t above the new MV35,
// and keeps the ticket with its draft.
func (r *requestScreen) showTicket(t calledTicket) {
	r.ticket = &t
	r.screen.View = container.NewBorder(ticketBanner(t), nil, nil, nil, r.screen.View)
}

// ticketBanner shows a ticket's number and service large enough to call
// out, with when it was printed and the citizen's language.
func ticketBanner(t calledTicket) fyne.CanvasObject {
	big := canvas.NewText(lang.L("queue.ticket", map[string]any{"Number": t.number, "Service": serviceName(t.service)}), theme.Primary)
	big.TextStyle.Bold = true
	big.TextSize = 2 * fynetheme.TextHeadingSize()
	info := note(lang.L("queue.ticket.note", map[string]any{
		"Time": t.issued.Format("15:04"), "Language": languageName(t.language),
	}))
	bg := canvas.NewRectangle(theme.Card)
	bg.StrokeColor = theme.Primary
	bg.StrokeWidth = 2
	return container.NewStack(bg, container.NewPadded(container.NewPadded(container.NewVBox(container.NewPadded(big), info))))
}

// serviceName names a kiosk service for the clerk.
func serviceName(s string) string {
	switch s {
	case "request":
		return lang.L("queue.service.request")
	case "lost":
		return lang.L("queue.service.lost")
	case "convert":
		return lang.L("queue.service.convert")
	}
	return s
}

// languageName names a kiosk language by its own name, as the kiosk shows
// it; an unknown code stays as it is.
func languageName(code string) string {
	if n, ok := kioskLanguages[code]; ok {
		return n
	}
	return code
}

// kioskLanguages are the kiosk's languages, each by its own name.
var kioskLanguages = map[string]string{
	"it": "Italiano", "en": "English", "fr": "Français", "de": "Deutsch",
	"es": "Español", "pt": "Português", "ro": "Română",
}
