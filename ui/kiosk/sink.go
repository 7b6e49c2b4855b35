package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/ticket"
)

// Submission is what the kiosk hands to the desks: the ticket and the
// request the citizen pre-filled, in the language they chose.
type Submission struct {
	Ticket   ticket.Ticket   `json:"ticket"`
	Language string          `json:"language"`
	Request  pinsede.Request `json:"request"`
}

// TicketSink takes a pre-filled request to the desks of the sede.
type TicketSink interface {
	// Submit delivers s, or returns an error and delivers nothing.
	Submit(ctx context.Context, s Submission) error
}

// SpoolSink is the sede-local path to the desks: each submission becomes a
// JSON file in a spool folder (on the kiosk PC, or a share that the desks
// see), which a desk takes by its ticket code ([SpoolSink.Take]). Files of
// past days are removed ([SpoolSink.Expire]).
//
// A file is written under a temporary name, synced and renamed, so a desk
// never sees half of one; it is readable by its owner only (0600), and the
// folder is created 0700. The path through the central records (kiosk to
// centrale to desks) comes with the sync; until then SpoolSink is the
// hand-off.
type SpoolSink struct {
	Dir string
}

var _ TicketSink = SpoolSink{}

// SpoolFile is the name of the file of a ticket code in a spool folder.
func SpoolFile(code string) string { return "ticket-" + code + ".json" }

// Submit writes s into the spool folder.
func (s SpoolSink) Submit(ctx context.Context, sub Submission) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	data, err := json.MarshalIndent(sub, "", "  ")
	if err != nil {
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	f, err := os.CreateTemp(s.Dir, ".ticket-*.tmp")
	if err != nil {
		return fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir, SpoolFile(sub.Ticket.Code))); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	return nil
}

// waiting holds the submissions that the sink refused, in memory only, and
// offers them again. Their tickets say that the request waits at the kiosk;
// they are lost if the kiosk stops, and the desk then types the data again.
type waiting struct {
	mu    sync.Mutex
	queue []Submission
}

func (w *waiting) add(s Submission) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue = append(w.queue, s)
}

// len returns the number of submissions waiting.
func (w *waiting) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// retry offers the waiting submissions to sink again, oldest first, and
// keeps those it still refuses. Submissions of a past day are dropped: a
// ticket is valid on the day it was printed.
func (w *waiting) retry(ctx context.Context, sink TicketSink, now time.Time) {
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
		if err := sink.Submit(ctx, s); err != nil {
			keep = append(keep, s)
		}
	}
	w.mu.Lock()
	w.queue = append(keep, w.queue...)
	w.mu.Unlock()
}

// Take reads the submission of a ticket code from the spool folder and
// removes its file: what a desk does when the citizen's code is scanned or
// typed. It returns an error wrapping os.ErrNotExist for an unknown code.
func (s SpoolSink) Take(code string) (Submission, error) {
	var sub Submission
	if code == "" || len(code) > 32 || strings.ContainsAny(code, `/\.`) {
		return sub, fmt.Errorf("spool ticket %q: %w", code, os.ErrNotExist)
	}
	name := filepath.Join(s.Dir, SpoolFile(strings.ToUpper(code)))
	data, err := os.ReadFile(name)
	if err != nil {
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	if err := json.Unmarshal(data, &sub); err != nil {
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	if err := os.Remove(name); err != nil {
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	return sub, nil
}

// Expire removes the spooled requests of tickets printed before the day of
// now (a ticket is valid on its day only), and leftovers of interrupted
// writes. It returns how many files it removed.
func (s SpoolSink) Expire(now time.Time) (int, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	removed := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "ticket-") && !strings.HasPrefix(name, ".ticket-") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(today) {
			continue
		}
		if err := os.Remove(filepath.Join(s.Dir, name)); err == nil {
			removed++
		}
	}
	return removed, nil
}
