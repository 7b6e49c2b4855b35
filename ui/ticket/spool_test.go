package ticket

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
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
// numbers (K999 before K1000), without those of other days, that a file
// not sealed with the key is left out and reported, and that a folder not
// yet made is an empty queue.
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
	if !errors.Is(err, ErrSealed) || !strings.Contains(err.Error(), SpoolFile("BROKEN33")) {
		t.Errorf("Waiting with a file not sealed: %v, want ErrSealed naming it", err)
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
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".called") {
			t.Errorf("left in the spool: %s; want the marks of the codes taken only", e.Name())
		}
	}
}

// Ensure that the kiosk's retry of a request a desk took writes nothing
// and is no error (the request is delivered): the ticket is not waiting
// again for a second clerk to call.
func TestSpoolRetryAfterTake(t *testing.T) {
	s := Spool{Dir: t.TempDir()}
	now := testclock.Now()
	spoolTicket(t, s, "K001", "K7M3QX9A", now)
	if _, err := s.TakeOn("K7M3QX9A", now); err != nil {
		t.Fatal(err)
	}
	spoolTicket(t, s, "K001", "K7M3QX9A", now) // the retry of a send that timed out
	if ts, err := s.Waiting(now); len(ts) != 0 || err != nil {
		t.Errorf("waiting after the retry of a ticket taken: %+v, %v; want none", ts, err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, SpoolFile("K7M3QX9A"))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the retry wrote the ticket taken again: %v", err)
	}
}

// Ensure that the spool's files are sealed with the key the kiosk made
// (0600, beside the folder): nothing the citizen typed is in a file in
// clear; a file altered, renamed or sealed with another key is refused
// with ErrSealed and stays in the folder; a desk without the key file
// says so.
func TestSpoolSealed(t *testing.T) {
	base := t.TempDir()
	s := Spool{Dir: filepath.Join(base, "spool")}
	spoolTicket(t, s, "K001", "K7M3QX9A", spoolNow)
	info, err := os.Stat(s.KeyFile())
	if err != nil || info.Mode().Perm() != 0o600 || filepath.Dir(s.KeyFile()) != base {
		t.Fatalf("key file %s: %v, %v; want 0600 beside the folder", s.KeyFile(), info, err)
	}
	name := filepath.Join(s.Dir, SpoolFile("K7M3QX9A"))
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{"Rossi", "K001", "K7M3QX9A", "request"} {
		if strings.Contains(string(data), clear) {
			t.Errorf("the spool file holds %q in clear", clear)
		}
	}

	// Altered: one bit of the ciphertext flipped.
	bad := slices.Clone(data)
	bad[len(bad)-1] ^= 1
	os.WriteFile(name, bad, 0o600)
	if _, err := s.TakeOn("K7M3QX9A", spoolNow); !errors.Is(err, ErrSealed) {
		t.Errorf("take of an altered file: %v, want ErrSealed", err)
	}
	if _, err := os.Stat(name); err != nil {
		t.Errorf("the altered file is gone: %v", err)
	}
	// Renamed: sealed for another code.
	os.WriteFile(name, data, 0o600)
	other := filepath.Join(s.Dir, SpoolFile("PQRTUV34"))
	os.Rename(name, other)
	if _, err := s.TakeOn("PQRTUV34", spoolNow); !errors.Is(err, ErrSealed) {
		t.Errorf("take of a renamed file: %v, want ErrSealed", err)
	}
	os.Rename(other, name)
	// Another key: another sede's kiosk.
	foreign := Spool{Dir: s.Dir, Key: filepath.Join(base, "other.key")}
	spoolTicket(t, foreign, "K002", "FRGN3344", spoolNow)
	ts, err := s.Waiting(spoolNow)
	if !errors.Is(err, ErrSealed) || len(ts) != 1 || ts[0].Code != "K7M3QX9A" {
		t.Errorf("Waiting with a foreign file: %v, %v; want K7M3QX9A and ErrSealed", ts, err)
	}
	if _, err := s.TakeOn("FRGN3344", spoolNow); !errors.Is(err, ErrSealed) {
		t.Errorf("take of a foreign file: %v, want ErrSealed", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, SpoolFile("FRGN3344"))); err != nil {
		t.Errorf("the foreign file is gone: %v", err)
	}
	// The right file still opens.
	if sub, err := s.TakeOn("K7M3QX9A", spoolNow); err != nil || sub.Request.Cognome != "Rossi" {
		t.Errorf("take of the good file: %+v, %v", sub, err)
	}
	// A desk without the key file.
	spoolTicket(t, s, "K003", "NKEY3344", spoolNow)
	os.Remove(s.KeyFile())
	if _, err := s.Waiting(spoolNow); !errors.Is(err, ErrNoKey) {
		t.Errorf("Waiting without the key: %v, want ErrNoKey", err)
	}
	if _, err := s.TakeOn("NKEY3344", spoolNow); !errors.Is(err, ErrNoKey) {
		t.Errorf("take without the key: %v, want ErrNoKey", err)
	}
}

// Ensure that the queue numbers go on after a restart (a Counter on the
// same file), start again at 1 on a new day, and that the file is 0600.
func TestCounter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "queue.json")
	for i, want := range []int{1, 2, 3} {
		c := Counter{Path: path} // a new kiosk process each time
		n, err := c.Next(spoolNow.Add(time.Duration(i) * time.Minute))
		if err != nil || n != want {
			t.Fatalf("Next #%d = %d, %v; want %d", i+1, n, err, want)
		}
	}
	if n, err := (Counter{Path: path}).Next(spoolNow.Add(24 * time.Hour)); err != nil || n != 1 {
		t.Errorf("Next of the next day = %d, %v; want 1", n, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("counter file: %v, %v; want 0600", info, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left in the state folder: %v", entries)
	}
	os.WriteFile(path, []byte("{"), 0o600)
	if _, err := (Counter{Path: path}).Next(spoolNow); !errors.Is(err, ErrCounterCorrupt) {
		t.Errorf("Next on a broken file: %v, want ErrCounterCorrupt", err)
	}
	if err := (Counter{Path: path}).Set(spoolNow, 41); err != nil {
		t.Fatal(err)
	}
	if n, err := (Counter{Path: path}).Next(spoolNow); err != nil || n != 42 {
		t.Errorf("Next after Set(41) = %d, %v; want 42", n, err)
	}
}

// FuzzCounter checks that whatever the counter file holds, Next gives a
// count from 1 on, or ErrCounterCorrupt, and never panics; after Set the
// count goes on from there.
func FuzzCounter(f *testing.F) {
	f.Add([]byte(`{"day":"2026-03-10","n":17}`))
	f.Add([]byte(`{"day":"2026-03-10","n":-3}`))
	f.Add([]byte(`{"day":"2026-03-10","n":1e30}`))
	f.Add([]byte(`{"day":7}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "queue.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c := Counter{Path: path}
		n, err := c.Next(spoolNow)
		switch {
		case errors.Is(err, ErrCounterCorrupt):
			if err := c.Set(spoolNow, 5); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Next(spoolNow); err != nil || n != 6 {
				t.Fatalf("after Set(5): %d, %v", n, err)
			}
		case err != nil:
			t.Fatal(err)
		case n < 1 || n > maxCount:
			t.Fatalf("count %d from %q", n, b)
		}
	})
}

// FuzzOpenSealed checks that a spool file of any content, under any key
// and name, is refused with ErrSealed unless it was sealed under them, and
// never panics.
func FuzzOpenSealed(f *testing.F) {
	key := make([]byte, 32)
	good, err := seal(key, "ticket-ABC.seal", []byte(`{"ticket":{}}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "ticket-ABC.seal")
	f.Add(good, "ticket-ABD.seal")
	f.Add([]byte("{}"), "ticket-ABC.seal")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, sealed []byte, name string) {
		plain, err := open(key, name, sealed)
		if err != nil {
			if !errors.Is(err, ErrSealed) {
				t.Fatalf("error %v is not ErrSealed", err)
			}
			return
		}
		again, err := seal(key, name, plain)
		if err != nil {
			t.Fatal(err)
		}
		if p2, err := open(key, name, again); err != nil || string(p2) != string(plain) {
			t.Fatalf("round trip: %q, %v", p2, err)
		}
	})
}

// Ensure that the kiosk writes no file a desk would not read: a
// submission sealed larger than MaxSpoolFileBytes is refused, and
// nothing is left in the folder.
func TestSubmitTooLarge(t *testing.T) {
	s := Spool{Dir: t.TempDir()}
	sub := Submission{Ticket: Ticket{Number: "K001", Code: "HUGE3333", Issued: spoolNow},
		Request: pinsede.Request{Cognome: strings.Repeat("R", MaxSpoolFileBytes)}}
	if err := s.Submit(context.Background(), sub); err == nil || !strings.Contains(err.Error(), "more than a desk reads") {
		t.Errorf("Submit of %d bytes: %v, want it refused", MaxSpoolFileBytes, err)
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "ticket-") || strings.HasPrefix(e.Name(), ".ticket-") {
			t.Errorf("left in the spool: %s", e.Name())
		}
	}
}
