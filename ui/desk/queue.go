package desk

import (
	"errors"
	"os"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/theme"
	"github.com/pinsede/pinsede/ui/ticket"
)

// QueueRefresh is how often the desk reads the kiosk's spool folder again,
// for the count of waiting tickets and to wipe the tickets of past days.
const QueueRefresh = 15 * time.Second

// queuePanel is the home screen's part of the kiosk's queue: the count of
// today's waiting tickets, "Prossimo biglietto", which takes the first of
// them, and the ticket's code, scanned or typed, which takes that one.
// Either opens the MV35 that the citizen pre-filled at the kiosk, under the
// ticket's number; the clerk then verifies identity as usual.
type queuePanel struct {
	a       *App
	waiting *widget.Label
	next    *widget.Button
	code    *entry
	open    *widget.Button
	msg     *message
	object  fyne.CanvasObject
}

// spool is the kiosk's spool folder.
func (a *App) spool() ticket.Spool { return ticket.Spool{Dir: a.cfg.TicketDir} }

// startQueue wipes the tickets of past days and, with a ticker, keeps
// wiping them and keeps the home screen's count current. It does nothing
// when the desk has no spool folder.
func (a *App) startQueue() {
	if a.cfg.TicketDir == "" {
		return
	}
	if _, err := a.spool().Expire(a.desk.Now()); err != nil {
		fyne.LogError("desk: kiosk tickets", err)
	}
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
			sp, now := a.spool(), a.desk.Now()
			if _, err := sp.Expire(now); err != nil {
				fyne.LogError("desk: kiosk tickets", err)
			}
			ts, err := sp.Waiting(now)
			fyne.Do(func() {
				if a.home != nil && a.home.queue != nil {
					a.home.queue.show(ts, err)
				}
			})
		}
	}()
}

// newQueuePanel builds the queue's section of the home screen, or returns
// nil when the desk has no spool folder.
func (a *App) newQueuePanel() *queuePanel {
	if a.cfg.TicketDir == "" {
		return nil
	}
	q := &queuePanel{a: a}
	q.waiting = widget.NewLabel("")
	q.next = a.primaryButton(lang.L("queue.next"), fynetheme.MediaSkipNextIcon(), q.takeNext)
	q.code = a.newEntry(lang.L("queue.code.placeholder"))
	q.code.OnSubmitted = func(string) { q.takeCode() } // a barcode reader ends with Enter
	q.open = a.button(lang.L("queue.code.open"), fynetheme.FolderOpenIcon(), q.takeCode)
	q.msg = newMessage()
	q.object = section(lang.L("queue.title"),
		container.NewGridWithColumns(2, figure(q.waiting, lang.L("queue.waiting")), container.NewCenter(q.next)),
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
	q.show(q.a.spool().Waiting(q.a.desk.Now()))
}

// show shows the count of ts, or that the folder cannot be read.
func (q *queuePanel) show(ts []ticket.Ticket, err error) {
	if err != nil {
		q.waiting.SetText("–")
		q.msg.set(msgError, lang.L("queue.unreachable", map[string]any{"Dir": q.a.cfg.TicketDir, "Err": err.Error()}))
		return
	}
	q.waiting.SetText(strconv.Itoa(len(ts)))
}

// takeNext takes the first ticket of today's queue and opens its request.
// A ticket another desk takes meanwhile is skipped.
func (q *queuePanel) takeNext() {
	a := q.a
	sp, now := a.spool(), a.desk.Now()
	q.msg.set(msgError, "")
	a.background(func() func() {
		ts, err := sp.Waiting(now)
		if err != nil {
			return func() { q.show(nil, err) }
		}
		for _, t := range ts {
			sub, err := sp.TakeOn(t.Code, now)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return func() { q.opened(sub, err, t.Code) }
		}
		return func() {
			q.msg.set(msgInfo, lang.L("queue.empty"))
			q.refresh()
		}
	})
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
	sp, now := a.spool(), a.desk.Now()
	a.background(func() func() {
		sub, err := sp.TakeOn(code, now)
		return func() { q.opened(sub, err, code) }
	})
}

// opened opens the request of a ticket taken, or says why there is none:
// nothing else changes.
func (q *queuePanel) opened(sub ticket.Submission, err error, code string) {
	switch {
	case err == nil:
		q.a.openTicket(sub)
		return
	case errors.Is(err, os.ErrNotExist):
		q.msg.set(msgError, lang.L("queue.unknown", map[string]any{"Code": code}))
	case errors.Is(err, ticket.ErrExpired):
		q.msg.set(msgError, lang.L("queue.expired", map[string]any{
			"Number": sub.Ticket.Number, "Date": sub.Ticket.Issued.Format("02/01/2006")}))
	default:
		q.msg.set(msgError, lang.L("queue.unreachable", map[string]any{"Dir": q.a.cfg.TicketDir, "Err": err.Error()}))
	}
	q.refresh()
}

// openTicket starts a new MV35 filled with what the citizen typed at the
// kiosk, under the ticket's number and service in large type, to call the
// citizen. It drops any request in progress.
func (a *App) openTicket(sub ticket.Submission) {
	a.request = a.newRequestScreen()
	a.verify = nil
	a.request.fill(sub.Request)
	r := a.request
	r.screen.View = container.NewBorder(ticketBanner(sub), nil, nil, nil, r.screen.View)
	a.show(r.screen)
}

// ticketBanner shows a ticket's number and service large enough to call
// out, with when it was printed and the citizen's language.
func ticketBanner(sub ticket.Submission) fyne.CanvasObject {
	t := sub.Ticket
	big := canvas.NewText(lang.L("queue.ticket", map[string]any{"Number": t.Number, "Service": serviceName(t.Service)}), theme.Primary)
	big.TextStyle.Bold = true
	big.TextSize = 2 * fynetheme.TextHeadingSize()
	info := note(lang.L("queue.ticket.note", map[string]any{
		"Time": t.Issued.Format("15:04"), "Language": languageName(sub.Language),
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
