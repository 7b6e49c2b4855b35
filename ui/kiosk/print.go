package kiosk

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/ticket"
)

// PrintWait is how long the kiosk waits for a ticket to be printed before
// it tells the citizen that it was not: a receipt printer prints one in a
// second or two, and may take some more to wake from sleep. It is well
// below DefaultIdle, so that the citizen still stands at the last screen
// when the printer fails.
const PrintWait = 30 * time.Second

// printTicket prints the ticket of the session s off the UI goroutine and
// follows it until the printer has printed it: meanwhile the last screen
// says that it is printing, and should it fail, that it was not printed.
// The request has reached the sink (or waits at the kiosk) already, so a
// failed ticket loses nothing: the screen shows its number and code.
func (a *App) printTicket(s *session, t ticket.Ticket) {
	labels := a.ticketLabels(t) // in the session's language, now
	s.printing = true
	a.background(func() func() {
		err := a.print(t, labels)
		return func() { a.ticketPrinted(s, t, err) }
	})
}

// print renders the ticket and prints it on the configured printer, waiting
// at most PrintWait.
func (a *App) print(t ticket.Ticket, l ticket.Labels) error {
	pdf, err := ticket.PDF(t, l)
	if err != nil {
		return fmt.Errorf("print ticket %s: %w", t.Number, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), PrintWait)
	defer cancel()
	if err := a.cfg.Printer.Print(ctx, cups.Job{Title: ticketTitle(t), PDF: pdf}); err != nil {
		return fmt.Errorf("print ticket %s: %w", t.Number, err)
	}
	return nil
}

// ticketTitle names the ticket's print job (and its file in a development
// folder): the day and the queue number, never the code that opens the
// request.
func ticketTitle(t ticket.Ticket) string {
	return "ticket-" + t.Issued.Format("20060102") + "-" + t.Number
}

// ticketPrinted records, on the UI goroutine, how the printing of the
// session s's ticket ended. A failure is logged, and the language screen
// tells the staff until a ticket prints (staffNotice); while the citizen
// is still at the last screen, it is shown there, with what to do, and
// read aloud, without the number and the code, and the screen stays the
// idle time from now, with its warning.
func (a *App) ticketPrinted(s *session, t ticket.Ticket, err error) {
	s.printing = false
	if err != nil {
		s.printFailed = true
		fyne.LogError("kiosk ticket "+t.Number, err)
		a.printerFailed.number, a.printerFailed.at = t.Number, a.cfg.Now()
	} else {
		a.printerFailed.number = ""
	}
	if a.session != s || a.screen != "done" {
		return // the citizen has gone: the next one sees nothing of it
	}
	a.lastActivity = a.cfg.Now()
	a.showPrintState()
	if err != nil {
		// Not the screen's text: the code, read aloud, would open the
		// request at the desk for whoever waits in the room.
		a.say(tr("done.printfail.say"))
	}
}

// showPrintState shows, under the queue number, where the session's ticket
// is: printing, not printed, or nothing once it is printed. Fine takes no
// input while it prints: the session ended then, the ticket, with its
// code, came out in the tray for the next citizen.
func (a *App) showPrintState() {
	s, l := a.session, a.printState
	if b := a.doneButton; b != nil {
		if s.printing {
			b.Disable()
		} else {
			b.Enable()
		}
		if a.screen == "done" && a.win.Canvas().Focused() == nil {
			a.focus(b)
		}
	}
	if a.screen == "done" {
		a.nameScreen()
	}
	switch {
	case s.printing:
		l.Importance = widget.MediumImportance
		l.SetText(tr("done.printing"))
		l.Show()
	case s.printFailed:
		l.Importance = widget.DangerImportance
		l.SetText(tr("done.printfail", map[string]any{"Number": s.ticket.Number, "Code": s.ticket.Code}))
		l.Show()
	default:
		l.SetText("")
		l.Hide()
	}
}

// background runs work off the UI goroutine, then the function it returns
// on the UI goroutine (through toUI); busy counts it until then.
func (a *App) background(work func() func()) {
	a.busy.Add()
	go func() {
		defer a.busy.Done()
		if then := work(); then != nil {
			a.toUI(a.quit.Live(then))
		}
	}()
}
