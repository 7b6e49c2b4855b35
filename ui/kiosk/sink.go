package kiosk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pinsede/pinsede/ui/ticket"
)

// Submission is what the kiosk hands to the desks: the ticket and the
// request the citizen pre-filled, in the language they chose.
type Submission = ticket.Submission

// TicketSink takes a pre-filled request to the desks of the sede.
type TicketSink interface {
	// Submit delivers s, or returns an error and delivers nothing.
	Submit(ctx context.Context, s Submission) error
}

// SpoolSink is the sede-local path to the desks, a spool folder of sealed
// files: [ticket.Spool], shared with the desks, which take the tickets
// from it.
type SpoolSink = ticket.Spool

var _ TicketSink = SpoolSink{}

// SpoolFile is the name of the file of a ticket code in a spool folder.
func SpoolFile(code string) string { return ticket.SpoolFile(code) }

// spoolOf returns the spool folder sink writes to, alone or as the
// fallback of a FallbackSink.
func spoolOf(sink TicketSink) (SpoolSink, bool) {
	switch s := sink.(type) {
	case SpoolSink:
		return s, true
	case FallbackSink:
		return spoolOf(s.Then)
	}
	return SpoolSink{}, false
}

// MaxWaiting bounds the requests waiting in the kiosk's memory: a
// kiosk's whole day of queue numbers (K001–K999), as for the spool
// folder (ticket.MaxSpoolTickets). Past it a request is not kept, and its
// citizen is told to bring their document to the desk, which types it.
const MaxWaiting = 1000

// waiting holds the submissions that the sink refused, in memory only, and
// offers them again. Their tickets say that the request waits at the kiosk;
// they are lost if the kiosk stops, and the desk then types the data again.
type waiting struct {
	mu    sync.Mutex
	queue []Submission
}

// add keeps s, and reports whether it could: not past MaxWaiting.
func (w *waiting) add(s Submission) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) >= MaxWaiting {
		return false
	}
	w.queue = append(w.queue, s)
	return true
}

// len returns the number of submissions waiting.
func (w *waiting) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// retry offers the waiting submissions to sink again, oldest first, and
// keeps those it still refuses: after the first refusal it offers no more
// (the sink is down, and each offer may take its whole timeout while a
// citizen waits). Submissions of a past day are dropped: a ticket is valid
// on the day it was printed. It returns how many it offered, and the
// sink's first refusal, nil when it refused none.
func (w *waiting) retry(ctx context.Context, sink TicketSink, now time.Time) (offered int, refused error) {
	w.mu.Lock()
	q := w.queue
	w.queue = nil
	w.mu.Unlock()
	var keep []Submission
	y, m, d := now.Date()
	for _, s := range q {
		if sy, sm, sd := s.Ticket.Issued.Date(); sy != y || sm != m || sd != d {
			continue
		}
		if refused == nil {
			offered++
			refused = sink.Submit(ctx, s)
		}
		if refused != nil {
			keep = append(keep, s)
		}
	}
	w.mu.Lock()
	w.queue = append(keep, w.queue...)
	w.mu.Unlock()
	return offered, refused
}

// remove drops the submission of the ticket code, if it waits.
func (w *waiting) remove(code string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue = slices.DeleteFunc(w.queue, func(s Submission) bool { return s.Ticket.Code == code })
}

// maxOffers bounds the calls to the sink not yet returned: a spool
// folder on a share that hangs (NFS, CIFS) holds each in a system call
// no context ends. Past it a request is refused at once, and waits at the
// kiosk: a citizen waits for no call that cannot end.
const maxOffers = 2

// errOffersHung refuses a request while maxOffers calls to the sink
// have not returned.
var errOffersHung = errors.New("kiosk: the sink has not answered the last requests: this one waits at the kiosk")

// boundedSink is a sink whose Submit returns when its context ends,
// whether or not the sink's own call has.
type boundedSink struct {
	a    *App
	sink TicketSink
}

// bounded returns sink bounded by the context of each Submit.
func (a *App) bounded(sink TicketSink) TicketSink { return boundedSink{a, sink} }

// Submit offers sub to the sink on a goroutine of its own, and returns
// its answer, or the context's error once it ends first: a file system
// that hangs ignores the context. A request the sink takes after all,
// late, waits no more at the kiosk; should it be offered again meanwhile,
// both sinks take it again without harm (the spool writes the same file,
// centrale knows the code).
func (b boundedSink) Submit(ctx context.Context, sub Submission) error {
	select {
	case b.a.offers <- struct{}{}:
	default:
		return errOffersHung
	}
	done := make(chan error, 1)
	go func() {
		err := b.sink.Submit(ctx, sub)
		<-b.a.offers
		if err == nil && ctx.Err() != nil {
			b.a.waiting.remove(sub.Ticket.Code)
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("kiosk: ticket %s: the sink did not answer in time: %w", sub.Ticket.Number, ctx.Err())
	}
}
