package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// ticketSweep remembers the day whose tickets of past days are wiped.
type ticketSweep struct {
	mu  sync.Mutex
	day string // central.DayKey of the last sweep; "" before the first
}

// SweepTickets wipes the tickets of the days before today's (Italy's day,
// central.Day, whatever the process's time zone), with the
// requests in their changes, once a day: centrale calls it on a timer, so
// that nothing a citizen typed at a kiosk outlives its day even when no
// sede asks for anything. A failure is logged, and tried again at the next
// call.
func (s *Server) SweepTickets(ctx context.Context) { s.sweepTickets(ctx, s.Now()) }

// sweepTickets wipes the tickets of the days before now's, with the
// requests in their changes, at the first call of each day: also at the
// first request that handles tickets (a pull or a kiosk's post), so that
// none of a past day goes out before the timer's sweep.
func (s *Server) sweepTickets(ctx context.Context, now time.Time) {
	day := central.DayKey(now)
	s.sweep.mu.Lock()
	defer s.sweep.mu.Unlock()
	if s.sweep.day == day {
		return
	}
	n, err := s.Store.WipeTickets(ctx, central.Day(now))
	if err != nil {
		if !s.storeFailed(ctx, err) && s.Log != nil {
			s.Log.ErrorContext(ctx, "wipe tickets", "err", err)
		}
		return
	}
	s.sweep.day = day
	if s.Log != nil && n > 0 {
		s.Log.InfoContext(ctx, "tickets of past days wiped", "tickets", n)
	}
}

// postTicket stores a kiosk's ticket for the sede of its certificate, and
// with it a ChangeTicket for the desks of that sede.
func (s *Server) postTicket(w http.ResponseWriter, r *http.Request, c caller) {
	var t wire.Ticket
	if !decode(w, r, wire.MaxTicketBytes, &t) {
		return
	}
	now := s.Now()
	if t.Sede != "" && t.Sede != c.code {
		problem(w, http.StatusForbidden, wire.ProblemOtherSede, "Not this sede's kiosk",
			fmt.Sprintf("the ticket is for sede %q; this kiosk's certificate is for %s; nothing was stored", t.Sede, c.code))
		return
	}
	if err := central.CheckTicket(c.code, &t, now); err != nil {
		problem(w, http.StatusUnprocessableEntity, wire.ProblemInvalidTicket, "Invalid ticket", err.Error()+"; nothing was stored")
		return
	}
	t.Sede = c.code
	s.sweepTickets(r.Context(), now)
	stored, err := s.Store.PutTicket(r.Context(), t, now)
	if errors.Is(err, central.ErrTicketsFull) {
		// The kiosk takes the request to its spool folder, or keeps it
		// and offers it again (ui/kiosk): nothing of it is lost. The
		// sede's next day is Italy's, when the sweep frees its places.
		retryAfter(w, central.NextDay(now).Sub(now))
		problem(w, http.StatusTooManyRequests, wire.ProblemRateLimited, "Too many tickets today",
			fmt.Sprintf("sede %s holds as many kiosk tickets as it may in a day (%d); nothing was stored: a kiosk posting without end is faulty or its certificate is in other hands", c.code, s.limits.Load().Tickets))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	status := http.StatusOK
	if stored {
		status = http.StatusCreated
	}
	writeJSON(w, status, wire.ContentJSON, wire.TicketResponse{Code: t.Code, Stored: stored})
}
