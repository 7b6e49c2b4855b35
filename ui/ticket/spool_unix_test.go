//go:build unix

package ticket

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/testalloc"
)

// within returns what f returns, failing t if f has not returned in a
// minute: a safety net for a hang, not a window.
func within[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(time.Minute):
		t.Fatalf("%s has not returned in a minute", what)
	}
	panic("unreachable")
}

// notAFile are what a shared folder may hold under a file's name besides
// a file: a file of 2 GB (sparse: it takes no disk), a named pipe no
// program writes to (an open for reading waits for one for ever), a
// folder, and a link to /dev/zero (a read never ends). Each makes its
// thing at path.
var notAFile = []struct {
	name string
	make func(t *testing.T, path string)
}{
	{"2 GB", func(t *testing.T, path string) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(2 << 30); err != nil {
			t.Fatal(err)
		}
	}},
	{"a pipe", func(t *testing.T, path string) {
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
	}},
	{"a folder", func(t *testing.T, path string) {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	}},
	{"a device", func(t *testing.T, path string) {
		if err := os.Symlink("/dev/zero", path); err != nil {
			t.Fatal(err)
		}
	}},
}

// Ensure that a desk reading a spool folder that others write to is
// neither hung nor filled by what it finds under a ticket's name: each
// of notAFile is left out of Waiting and reported with ErrSpoolFile,
// named (RefusedFiles lists them, and the empty file alone for
// ErrSealed), with the tickets of the folder and an empty file
// (ErrSealed: it opens with no key); Waiting allocates less than a megabyte; Take of
// each refuses it with ErrSpoolFile and leaves it where it was; and the
// real ticket is still taken.
func TestSpoolNotTicketFiles(t *testing.T) {
	s := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
	spoolTicket(t, s, "K001", "GOOD3333", spoolNow)
	codes := map[string]string{"2 GB": "BIG33333", "a pipe": "PIPE3333", "a folder": "DIR33333", "a device": "DEV33333"}
	for _, n := range notAFile {
		n.make(t, filepath.Join(s.Dir, SpoolFile(codes[n.name])))
	}
	if err := os.WriteFile(filepath.Join(s.Dir, SpoolFile("EMPTY333")), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	type waiting struct {
		ts  []Ticket
		err error
	}
	w := within(t, "Waiting", func() waiting { ts, err := s.Waiting(spoolNow); return waiting{ts, err} })
	if len(w.ts) != 1 || w.ts[0].Code != "GOOD3333" {
		t.Errorf("waiting %+v, want the one ticket", w.ts)
	}
	if !errors.Is(w.err, ErrSpoolFile) || !errors.Is(w.err, ErrSealed) {
		t.Errorf("Waiting: %v, want ErrSpoolFile and ErrSealed", w.err)
	}
	for _, code := range append([]string{"EMPTY333"}, codes["2 GB"], codes["a pipe"], codes["a folder"], codes["a device"]) {
		if w.err == nil || !strings.Contains(w.err.Error(), SpoolFile(code)) {
			t.Errorf("Waiting's error does not name %s: %v", SpoolFile(code), w.err)
		}
	}
	var files []string
	for _, code := range codes {
		files = append(files, SpoolFile(code))
	}
	slices.Sort(files)
	if got := RefusedFiles(w.err, ErrSpoolFile); !slices.Equal(got, files) {
		t.Errorf("RefusedFiles(ErrSpoolFile): %q, want %q", got, files)
	}
	if got := RefusedFiles(w.err, ErrSealed); !slices.Equal(got, []string{SpoolFile("EMPTY333")}) {
		t.Errorf("RefusedFiles(ErrSealed): %q, want the empty file alone", got)
	}
	if n := testalloc.Bytes(func() { s.Waiting(spoolNow) }); n > 1<<20 {
		t.Errorf("Waiting allocated %d bytes, want less than a megabyte", n)
	}
	for name, code := range codes {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(s.Dir, SpoolFile(code))
			before, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			err = within(t, "Take", func() error { _, err := s.Take(code); return err })
			if !errors.Is(err, ErrSpoolFile) || !slices.Equal(RefusedFiles(err, ErrSpoolFile), []string{SpoolFile(code)}) {
				t.Errorf("Take: %v, want ErrSpoolFile naming %s", err, code)
			}
			if after, err := os.Lstat(path); err != nil || after.Mode() != before.Mode() || after.Size() != before.Size() {
				t.Errorf("after Take: %v, %v; want it left where it was, as it was", after, err)
			}
		})
	}
	if sub, err := s.Take("GOOD3333"); err != nil || sub.Ticket.Number != "K001" {
		t.Errorf("Take of the ticket: %+v, %v", sub, err)
	}
}

// Ensure that a spool key file that holds no key (each of notAFile, and
// one that is not hexadecimal) is refused with ErrBadKey, naming it, by
// a desk (Waiting) and by the kiosk (Submit), without a hang, and that
// the kiosk writes no key over it.
func TestSpoolBadKey(t *testing.T) {
	cases := append(notAFile[:len(notAFile):len(notAFile)], struct {
		name string
		make func(t *testing.T, path string)
	}{"not hexadecimal", func(t *testing.T, path string) { os.WriteFile(path, []byte("not a key\n"), 0o600) }})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := Spool{Dir: filepath.Join(dir, "spool")}
			spoolTicket(t, s, "K001", "GOOD3333", spoolNow)
			if err := os.Remove(s.KeyFile()); err != nil {
				t.Fatal(err)
			}
			tc.make(t, s.KeyFile())
			before, _ := os.Lstat(s.KeyFile())
			err := within(t, "Waiting", func() error { _, err := s.Waiting(spoolNow); return err })
			if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), s.KeyFile()) {
				t.Errorf("Waiting: %v, want ErrBadKey naming %s", err, s.KeyFile())
			}
			sub := Submission{Ticket: Ticket{Number: "K002", Code: "NEXT3333", Issued: spoolNow}}
			err = within(t, "Submit", func() error { return s.Submit(context.Background(), sub) })
			if !errors.Is(err, ErrBadKey) {
				t.Errorf("Submit: %v, want ErrBadKey", err)
			}
			if after, err := os.Lstat(s.KeyFile()); err != nil || after.Mode() != before.Mode() || after.Size() != before.Size() {
				t.Errorf("key file after Submit: %v, %v; want it as it was", after, err)
			}
		})
	}
}

// Ensure that a counter file that is no count (each of notAFile) is
// reported with ErrCounterCorrupt without a hang, and that Set then
// replaces it with the count when it is a file, a pipe or a link (a
// folder stays, and Set says so).
func TestCounterNotAFile(t *testing.T) {
	for _, tc := range notAFile {
		t.Run(tc.name, func(t *testing.T) {
			c := Counter{Path: filepath.Join(t.TempDir(), "queue.json")}
			tc.make(t, c.Path)
			err := within(t, "Next", func() error { _, err := c.Next(spoolNow); return err })
			if !errors.Is(err, ErrCounterCorrupt) || !strings.Contains(err.Error(), c.Path) {
				t.Fatalf("Next: %v, want ErrCounterCorrupt naming %s", err, c.Path)
			}
			err = c.Set(spoolNow, 7)
			if tc.name == "a folder" {
				if err == nil {
					t.Error("Set over a folder: no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n, err := c.Next(spoolNow); err != nil || n != 8 {
				t.Errorf("Next after Set = %d, %v; want 8", n, err)
			}
		})
	}
}
