package ticket

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testalloc"
	"github.com/pinsede/pinsede/internal/testclock"
)

// addEmptyFiles makes the empty files ticket-<from>.seal to
// ticket-<to-1>.seal in dir: what someone who can write to a share
// drops there.
func addEmptyFiles(t *testing.T, dir string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("ticket-%08d.seal", i)), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// Ensure that a spool folder holding far more files than a desk reads
// (100,000 empty files under tickets' names) is read only up to
// MaxSpoolEntries, and the others are counted, exactly up to
// MaxSpoolCounted and "at least" past it, and reported with a
// *TooManyFilesError wrapping ErrTooManyFiles, alongside the files
// refused; and that what Waiting allocates does not grow with the
// folder: at 100,000 files no more than at 25,000, and less than 8 MiB.
func TestSpoolManyFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 100,000 files")
	}
	s := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
	spoolTicket(t, s, "K001", "GOOD3333", spoolNow)
	tooMany := func(wantLeft int, atLeast bool) {
		t.Helper()
		ts, err := s.Waiting(spoolNow)
		var e *TooManyFilesError
		if !errors.As(err, &e) || !errors.Is(err, ErrTooManyFiles) || !errors.Is(err, ErrSealed) {
			t.Fatalf("Waiting: %v; want a TooManyFilesError, and the empty files read refused", err)
		}
		if e.Read != MaxSpoolEntries || e.Left != wantLeft || e.AtLeast != atLeast {
			t.Errorf("Waiting: %+v; want %d read, %d left (at least: %v)", *e, MaxSpoolEntries, wantLeft, atLeast)
		}
		if len(ts) > 1 {
			t.Errorf("Waiting: %d tickets, want the one at most (if among those read)", len(ts))
		}
	}
	// The ticket, its key and MaxSpoolEntries+6 empty files: 7 left.
	addEmptyFiles(t, s.Dir, 0, MaxSpoolEntries+6)
	tooMany(7, false)
	addEmptyFiles(t, s.Dir, MaxSpoolEntries+6, 25_000)
	tooMany(MaxSpoolCounted, true)
	at25k := testalloc.Bytes(func() { s.Waiting(spoolNow) })
	addEmptyFiles(t, s.Dir, 25_000, 100_000)
	tooMany(MaxSpoolCounted, true)
	at100k := testalloc.Bytes(func() { s.Waiting(spoolNow) })
	t.Logf("Waiting allocated %d bytes at 25,000 files, %d at 100,000", at25k, at100k)
	if at100k > at25k+at25k/10 || at100k > 8<<20 {
		t.Errorf("Waiting allocated %d bytes at 100,000 files, %d at 25,000: want no more, and less than 8 MiB", at100k, at25k)
	}
}

// Ensure that the kiosk writes no more to a full spool folder: at
// MaxSpoolTickets tickets' files, at MaxSpoolBytes of them (a file of 16
// MiB dropped under a ticket's name), or at MaxSpoolEntries entries of
// any name (a desk would not read one more), Submit returns ErrSpoolFull
// and writes nothing; with a ticket taken, it writes again.
func TestSpoolFull(t *testing.T) {
	now := testclock.Now()
	sub := func(code string) Submission {
		return Submission{Ticket: Ticket{Number: "K001", Code: code, Service: "request", Issued: now},
			Request: pinsede.Request{Cognome: "Rossi"}}
	}
	for _, c := range []struct {
		name string
		fill func(t *testing.T, dir string) (free func())
	}{
		{"tickets", func(t *testing.T, dir string) func() {
			addEmptyFiles(t, dir, 0, MaxSpoolTickets-1)
			return func() { os.Remove(filepath.Join(dir, "ticket-00000000.seal")) }
		}},
		{"bytes", func(t *testing.T, dir string) func() {
			big := filepath.Join(dir, SpoolFile("BIG"))
			if err := os.WriteFile(big, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(big, MaxSpoolBytes-1); err != nil { // sparse
				t.Fatal(err)
			}
			return func() { os.Remove(big) }
		}},
		{"entries", func(t *testing.T, dir string) func() {
			for i := range MaxSpoolEntries - 1 {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("x%d", i)), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			return func() { os.Remove(filepath.Join(dir, "x0")) }
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
			spoolTicket(t, s, "K001", "GOOD3333", now)
			info, err := os.Stat(filepath.Join(s.Dir, SpoolFile("GOOD3333")))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("a ticket's file: %d bytes", info.Size())
			free := c.fill(t, s.Dir)
			err = s.Submit(context.Background(), sub("FULL3333"))
			if !errors.Is(err, ErrSpoolFull) {
				t.Fatalf("Submit to a full folder: %v, want ErrSpoolFull", err)
			}
			t.Log(err)
			if _, err := os.Stat(filepath.Join(s.Dir, SpoolFile("FULL3333"))); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Submit to a full folder wrote the ticket: %v", err)
			}
			free()
			if err := s.Submit(context.Background(), sub("FULL3333")); err != nil {
				t.Errorf("Submit once there is room: %v", err)
			}
		})
	}
}

// Ensure that a desk reads no more than MaxSpoolBytes of tickets' files
// at a look (Waiting): of 400 files of 64 KiB dropped under tickets' names
// (25 MiB, sparse: no disk), it reads 256 and the ticket, and reports the
// others left unread.
func TestSpoolWaitingBytesBounded(t *testing.T) {
	s := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
	now := testclock.Now()
	spoolTicket(t, s, "K001", "GOOD3333", now)
	for i := range 400 {
		path := filepath.Join(s.Dir, fmt.Sprintf("ticket-%08d.seal", i))
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, MaxSpoolFileBytes); err != nil {
			t.Fatal(err)
		}
	}
	var e *TooManyFilesError
	_, err := s.Waiting(now)
	if most := MaxSpoolBytes/MaxSpoolFileBytes + 1; !errors.As(err, &e) || e.Read > most || e.Read+e.Left != 401 {
		t.Fatalf("Waiting of 25 MiB of tickets' files: %v; want at most %d of the 401 read, the others left unread", err, most)
	}
	t.Logf("Waiting read %d files of 401, and allocated %d bytes", e.Read, testalloc.Bytes(func() { s.Waiting(now) }))
}
