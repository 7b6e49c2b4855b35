package ticket

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// spoolNow is the clock of the spool's tests.
var spoolNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.FixedZone("CET", 3600))

func spoolTicket(t *testing.T, s Spool, number, code string, issued time.Time) {
	t.Helper()
	sub := Submission{
		Ticket:  Ticket{Number: number, Code: code, Service: "request", Issued: issued},
		Request: pinsede.Request{Cognome: "Rossi"},
	}
	if err := s.Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
}

// Ensure that Waiting lists today's tickets in the order of the queue
// numbers (K999 before K1000), without those of other days or files that
// do not parse, and that a folder not yet made is an empty queue.
func TestSpoolWaiting(t *testing.T) {
	s := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
	if ts, err := s.Waiting(spoolNow); len(ts) != 0 || err != nil {
		t.Fatalf("folder not yet made: %v, %v", ts, err)
	}
	spoolTicket(t, s, "K1000", "AAAA3333", spoolNow.Add(-time.Minute))
	spoolTicket(t, s, "K999", "CCCC3333", spoolNow.Add(-2*time.Minute))
	spoolTicket(t, s, "K002", "DDDD3333", spoolNow.Add(-3*time.Minute))
	spoolTicket(t, s, "K001", "EEEE3333", spoolNow.Add(-24*time.Hour)) // yesterday
	os.WriteFile(filepath.Join(s.Dir, SpoolFile("BROKEN33")), []byte("{"), 0o600)
	ts, err := s.Waiting(spoolNow)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range ts {
		got = append(got, tk.Number)
	}
	if want := []string{"K002", "K999", "K1000"}; !slices.Equal(got, want) {
		t.Errorf("waiting %v, want %v", got, want)
	}
}

// Ensure that a ticket is taken once, whatever the case of its code, and
// that TakeOn removes the ticket of a past day and reports it expired.
func TestSpoolTake(t *testing.T) {
	s := Spool{Dir: t.TempDir()}
	spoolTicket(t, s, "K001", "K7M3QX9A", spoolNow)
	spoolTicket(t, s, "K002", "YSTRDY33", spoolNow.Add(-24*time.Hour))

	sub, err := s.TakeOn(" k7m3qx9a ", spoolNow)
	if err != nil || sub.Ticket.Number != "K001" || sub.Request.Cognome != "Rossi" {
		t.Fatalf("take: %+v, %v", sub, err)
	}
	if _, err := s.TakeOn("K7M3QX9A", spoolNow); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second take: %v, want not exist", err)
	}
	sub, err = s.TakeOn("YSTRDY33", spoolNow)
	if !errors.Is(err, ErrExpired) || sub.Ticket.Number != "K002" || sub.Request.Cognome != "" {
		t.Errorf("take of yesterday: %+v, %v; want expired, the ticket and no request", sub, err)
	}
	entries, _ := os.ReadDir(s.Dir)
	if len(entries) != 0 {
		t.Errorf("left in the spool: %v", entries)
	}
}
