package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/dirsync"
	"github.com/pinsede/pinsede/internal/smallfile"
)

// Submission is what the kiosk hands to the desks: the ticket and the
// request the citizen pre-filled, in the language they chose.
type Submission struct {
	Ticket   Ticket          `json:"ticket"`
	Language string          `json:"language"`
	Request  pinsede.Request `json:"request"`
}

// ErrExpired is returned by [Spool.Take] for the ticket of a past day: a
// ticket is valid on the day it was printed only. Its file is removed.
var ErrExpired = errors.New("ticket of a past day")

// ErrSpoolFile is returned for a file of the spool folder, named as a
// ticket's, that is no ticket file a desk can read: larger than a kiosk
// writes one ([MaxSpoolFileBytes]), a folder, a pipe or a device (not
// read: the folder may be a share others write to), or not readable by
// the desk. It is left where it is, for the supervisor to look at.
var ErrSpoolFile = errors.New("spool file refused: not a ticket file this desk can read (too large, not a regular file, or not readable)")

// FilesError names the files of the spool folder that Err ([ErrSealed]
// or [ErrSpoolFile], wrapping the cause) refuses, so that a desk can name
// them in its user's language ([RefusedFiles]).
type FilesError struct {
	Files []string // the files' names in the folder: ticket-K7M3QX9A.seal
	Err   error
}

// Error names the files and why they are refused.
func (e *FilesError) Error() string { return strings.Join(e.Files, ", ") + ": " + e.Err.Error() }

// Unwrap returns why the files are refused.
func (e *FilesError) Unwrap() error { return e.Err }

// RefusedFiles returns the names of the files that err, as returned by
// [Spool.Waiting] or [Spool.Take], refuses for reason ([ErrSealed] or
// [ErrSpoolFile]), in the order err names them; none when it refuses none.
func RefusedFiles(err, reason error) []string {
	var files []string
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*FilesError); ok && errors.Is(fe.Err, reason) {
			files = append(files, fe.Files...)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return files
}

// MaxSpoolFileBytes bounds a ticket's file: the submission of the
// largest MV35 the kiosk takes (a few KiB: each field at most 120
// characters), sealed, many times over. The kiosk writes none larger,
// and a desk reads none larger.
const MaxSpoolFileBytes = 64 << 10

// MaxSpoolEntries bounds the entries of the spool folder [Spool.Waiting]
// reads, whatever their names: the tickets of a sede's busiest day many
// times over. Someone who can write to the folder (a share) can drop a
// million files in it; the desk reads the first MaxSpoolEntries the
// folder lists, counts the others up to [MaxSpoolCounted] without
// reading them, and reports them with a [*TooManyFilesError].
const MaxSpoolEntries = 2000

// MaxSpoolCounted bounds the entries [Spool.Waiting] counts past
// [MaxSpoolEntries], names only: past it, it says "at least".
const MaxSpoolCounted = 20000

// MaxSpoolTickets bounds the tickets' files [Spool.Submit] lets wait in
// the spool folder: 1,000, a kiosk's whole day of queue numbers
// (K001–K999) waiting at once, several times what the desks of the
// busiest sede serve in a day (centrale holds 2,000 tickets a sede a
// day for all its kiosks). A real day never fills it; a kiosk offline for
// days neither, the files of past days being removed ([Spool.Expire]).
// A prankster confirming a request every 30 s all day (1,200), or desks
// that never read the folder, fill it, and the kiosk writes no more
// there: the share's disk does not fill.
const MaxSpoolTickets = 1000

// MaxSpoolBytes bounds the bytes of the files the spool writes in its
// folder (tickets, and what interrupted writes left) that [Spool.Submit]
// adds to: 16 MiB, MaxSpoolTickets files of 16 KiB, the most centrale
// takes of a ticket, where a request seals to 1 or 2 KiB. Files dropped
// there under a ticket's name count too: a share filling up is no place
// to write more.
const MaxSpoolBytes = 16 << 20

// ErrSpoolFull is returned by [Spool.Submit] when the spool folder holds
// [MaxSpoolTickets] tickets, [MaxSpoolBytes] of files, or as many entries
// as a desk reads ([MaxSpoolEntries]: a desk would not see one more):
// nothing is written, and the request stays with the kiosk.
var ErrSpoolFull = errors.New("spool folder full: the desks have not taken its tickets")

// ErrTooManyFiles is wrapped by a [*TooManyFilesError]: the spool folder
// holds more entries than a desk reads ([MaxSpoolEntries]).
var ErrTooManyFiles = errors.New("spool folder holds more files than a desk reads")

// TooManyFilesError is the error of [Spool.Waiting] for a folder with
// more than [MaxSpoolEntries] entries: the tickets among those read are
// returned, the others are not read.
type TooManyFilesError struct {
	// Read is the entries read (MaxSpoolEntries), Left those left
	// unread; AtLeast says that Left stopped at [MaxSpoolCounted] and
	// more may be there.
	Read, Left int
	AtLeast    bool
}

// Error says how many entries were left unread.
func (e *TooManyFilesError) Error() string {
	more := ""
	if e.AtLeast {
		more = "at least "
	}
	return fmt.Sprintf("%v: %d read, %s%d more left unread", ErrTooManyFiles, e.Read, more, e.Left)
}

// Unwrap returns ErrTooManyFiles.
func (e *TooManyFilesError) Unwrap() error { return ErrTooManyFiles }

// Spool is the sede-local hand-off from the kiosk to the desks: each
// submission is a sealed file in a folder (on the kiosk PC, or a share
// that the desks see). The kiosk writes ([Spool.Submit]); a desk lists
// today's tickets ([Spool.Waiting]) and takes one by its code
// ([Spool.Take]), which removes it; files of past days are removed
// ([Spool.Expire]).
//
// Each file is the submission's JSON sealed with XChaCha20-Poly1305 under
// the spool's key ([Spool.KeyFile], which the kiosk creates and the desks
// read), bound to the file's name: a file altered, renamed, or written
// with another key is refused with [ErrSealed] and left in the folder. A
// file is written under a temporary name, synced and renamed, so a desk
// never sees half of one; it is readable by its owner only (0600), and the
// folder is created 0700. A desk takes a ticket by marking its code taken
// first (Take), so two desks never take the same ticket, nor a desk one
// that a kiosk's late write put back. The kiosk writes no more once the
// folder is full ([ErrSpoolFull]). With centrale, the spool is the
// kiosk's fallback when centrale does not answer (see ui/kiosk).
type Spool struct {
	Dir string
	// Key is the key file; "" is the default of [Spool.KeyFile].
	Key string
}

// SpoolFile is the name of the file of a ticket code in a spool folder.
func SpoolFile(code string) string { return "ticket-" + code + ".seal" }

// spoolSuffix ends the name of every ticket file.
const spoolSuffix = ".seal"

// Prepare makes the spool folder (0700) and its key ([Spool.KeyFile])
// when they are missing: the kiosk's side, at its start, so that the
// key is there to copy to the desks when the kiosk is set up, not only
// once a first ticket went to the folder.
func (s Spool) Prepare() error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	key, err := s.ensureKey()
	clear(key)
	return err
}

// Submit writes s into the spool folder.
func (s Spool) Submit(ctx context.Context, sub Submission) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	if s.taken(sub.Ticket.Code) {
		return nil // a retry of a request a desk took: delivered
	}
	key, err := s.ensureKey()
	if err != nil {
		return err
	}
	plain, err := json.Marshal(sub)
	if err != nil {
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	data, err := seal(key, SpoolFile(sub.Ticket.Code), plain)
	clear(plain)
	if err != nil {
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	if len(data) > MaxSpoolFileBytes {
		return fmt.Errorf("spool ticket %s: %d bytes sealed, more than a desk reads (%d)", sub.Ticket.Code, len(data), MaxSpoolFileBytes)
	}
	if err := s.room(len(data)); err != nil {
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
	// The rename kept over a power cut: the citizen holds the ticket.
	if err := dirsync.Sync(s.Dir); err != nil {
		return fmt.Errorf("spool ticket %s: %w", sub.Ticket.Code, err)
	}
	return nil
}

// room returns an error wrapping ErrSpoolFull, with the figures, when the
// folder has no room for a ticket's file of size bytes. It reads at most
// MaxSpoolEntries entries of the folder, in batches, and asks the size of
// the spool's files only: what a kiosk spends on it is bounded whatever
// others drop in the folder.
func (s Spool) room(size int) error {
	f, err := os.Open(s.Dir)
	if err != nil {
		return fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	defer f.Close()
	entries, tickets, bytes := 0, 0, int64(size)
	for entries < MaxSpoolEntries {
		batch, err := f.ReadDir(min(256, MaxSpoolEntries-entries))
		for _, e := range batch {
			entries++
			name := e.Name()
			if !strings.HasPrefix(name, "ticket-") && !strings.HasPrefix(name, ".ticket-") {
				continue
			}
			if strings.HasPrefix(name, "ticket-") && strings.HasSuffix(name, spoolSuffix) {
				tickets++
			}
			if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
				bytes += info.Size()
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("spool %s: %w", s.Dir, err)
		}
	}
	switch {
	case entries >= MaxSpoolEntries:
		return fmt.Errorf("%w: %d files or more, as many as a desk reads", ErrSpoolFull, entries)
	case tickets >= MaxSpoolTickets:
		return fmt.Errorf("%w: %d tickets waiting, at most %d", ErrSpoolFull, tickets, MaxSpoolTickets)
	case bytes > MaxSpoolBytes:
		return fmt.Errorf("%w: %d bytes with this ticket's, at most %d", ErrSpoolFull, bytes, MaxSpoolBytes)
	}
	return nil
}

// Take reads the submission of a ticket code from the spool folder and
// removes its file: what a desk does when the citizen's code is scanned or
// typed. The code is read without regard to case or surrounding spaces. It
// returns an error wrapping os.ErrNotExist for an unknown code (or one
// taken before, here or at another desk), one wrapping [ErrSealed] for a
// file that does not open with the key, and one wrapping [ErrSpoolFile]
// for one that is no ticket file (Waiting): either stays in the folder.
//
// A code taken, or asked for and not found (a desk took its ticket from
// centrale), is marked taken for the rest of its day (the empty file
// .ticket-<code>.called): a kiosk's write of it that lands later (a write
// the kiosk gave up on, held by a share's server, or its retry) is not
// listed by Waiting nor taken again, and a retry writes nothing. The mark
// is made with an exclusive create, which NFS (v3 and later) and SMB
// servers make atomic: of two desks, or a desk and a late copy of the
// file, one only takes the ticket. A late copy stays in the folder until
// [Spool.Expire] removes its day's files: removing it could remove the
// file a desk is taking.
//
// Take does not know the day: a desk checks the ticket's day itself, or
// calls [Spool.TakeOn].
func (s Spool) Take(code string) (Submission, error) {
	var sub Submission
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || len(code) > 32 || strings.ContainsAny(code, `/\. `) {
		return sub, fmt.Errorf("spool ticket %q: %w", code, os.ErrNotExist)
	}
	name := filepath.Join(s.Dir, SpoolFile(code))
	if _, err := os.Stat(name); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s.markTaken(code) // a write still on its way finds it taken
		}
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	key, err := s.readKey()
	if err != nil {
		return sub, err
	}
	if err := s.markTaken(code); err != nil {
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	sealed, err := readSpoolFile(name)
	if err == nil {
		var plain []byte
		if plain, err = open(key, SpoolFile(code), sealed); err == nil {
			err = json.Unmarshal(plain, &sub)
			clear(plain)
		}
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			os.Remove(s.takenFile(code)) // for another try, or for the supervisor to look at
		}
		if errors.Is(err, ErrSealed) || errors.Is(err, ErrSpoolFile) {
			err = &FilesError{Files: []string{SpoolFile(code)}, Err: err}
		}
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return sub, fmt.Errorf("spool ticket %s: %w", code, err)
	}
	return sub, nil
}

// errTaken is the error of a ticket taken before.
var errTaken = fmt.Errorf("taken before: %w", os.ErrNotExist)

// takenFile is the mark of a code taken (Take).
func (s Spool) takenFile(code string) string {
	return filepath.Join(s.Dir, ".ticket-"+code+".called")
}

// markTaken marks code taken, with an exclusive create: errTaken if it
// was marked before.
func (s Spool) markTaken(code string) error {
	f, err := os.OpenFile(s.takenFile(code), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return errTaken
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// taken reports whether code is marked taken.
func (s Spool) taken(code string) bool {
	_, err := os.Lstat(s.takenFile(code))
	return err == nil
}

// readSpoolFile reads a ticket's file of the spool up to
// MaxSpoolFileBytes, and only if it is a regular file: an error wrapping
// ErrSpoolFile for one that cannot be read, or fs.ErrNotExist for one
// gone (taken by another desk).
func readSpoolFile(path string) ([]byte, error) {
	b, err := smallfile.ReadRegular(path, "ticket", MaxSpoolFileBytes)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", err, ErrSpoolFile)
	}
	return b, err
}

// TakeOn is [Spool.Take] on the day of now: the ticket of another day is
// removed all the same, and reported with an error wrapping [ErrExpired]
// (the submission returned carries its ticket).
func (s Spool) TakeOn(code string, now time.Time) (Submission, error) {
	sub, err := s.Take(code)
	if err != nil {
		return sub, err
	}
	if !sameDay(sub.Ticket.Issued, now) {
		return Submission{Ticket: sub.Ticket}, fmt.Errorf("spool ticket %s of %s: %w",
			sub.Ticket.Code, sub.Ticket.Issued.Format(time.DateOnly), ErrExpired)
	}
	return sub, nil
}

// Waiting returns the tickets of the day of now waiting in the spool
// folder, in the order of the queue: by queue number, then by time. It
// keeps the tickets only, not the requests. A folder that does not exist,
// or holds no ticket file, has no tickets and needs no key. Files that do
// not open with the key are left out, and reported with an error wrapping
// [ErrSealed] that names them, returned with the other tickets; so are
// those that are no ticket file a desk reads, with [ErrSpoolFile]:
// larger than [MaxSpoolFileBytes] (read no further), or a folder, a pipe
// or a device (not read). It reads at most [MaxSpoolEntries] entries of
// the folder, and tickets' files up to [MaxSpoolBytes], and reports those
// it left unread with a [*TooManyFilesError], with the tickets of those
// it read.
func (s Spool) Waiting(now time.Time) ([]Ticket, error) {
	names, tooMany, err := s.names()
	if err != nil {
		return nil, err
	}
	var out []Ticket
	var key []byte
	var refused, unreadable []string
	var read int64 // bytes of the tickets' files read
	for i, name := range names {
		if !strings.HasPrefix(name, "ticket-") || !strings.HasSuffix(name, spoolSuffix) {
			continue
		}
		if read >= MaxSpoolBytes {
			// The kiosk writes no more than that (Submit): files of
			// 64 KiB dropped there under tickets' names are not read
			// past it (2,000 of them are 125 MiB, at each look of each
			// desk, every 15 s).
			if tooMany == nil {
				tooMany = &TooManyFilesError{}
			}
			tooMany.Read, tooMany.Left = i, tooMany.Left+len(names)-i
			break
		}
		if key == nil {
			if key, err = s.readKey(); err != nil {
				return nil, err
			}
		}
		sealed, err := readSpoolFile(filepath.Join(s.Dir, name))
		read += int64(len(sealed))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // taken meanwhile
		case err != nil:
			unreadable = append(unreadable, name)
			continue
		}
		plain, err := open(key, name, sealed)
		if err != nil {
			refused = append(refused, name)
			continue
		}
		var sub struct {
			Ticket Ticket `json:"ticket"`
		}
		err = json.Unmarshal(plain, &sub)
		clear(plain)
		if err != nil || sub.Ticket.Code == "" || SpoolFile(sub.Ticket.Code) != name {
			refused = append(refused, name)
			continue
		}
		if sameDay(sub.Ticket.Issued, now) && !s.taken(sub.Ticket.Code) {
			out = append(out, sub.Ticket) // not a late copy of one taken
		}
	}
	// Named in the order of their names, not the folder's.
	slices.Sort(refused)
	slices.Sort(unreadable)
	var errs []error
	if tooMany != nil {
		errs = append(errs, tooMany)
	}
	if len(refused) > 0 {
		errs = append(errs, &FilesError{Files: refused, Err: ErrSealed})
	}
	if len(unreadable) > 0 {
		errs = append(errs, &FilesError{Files: unreadable, Err: ErrSpoolFile})
	}
	if len(errs) > 0 {
		err = fmt.Errorf("spool %s: %w", s.Dir, errors.Join(errs...))
	}
	slices.SortStableFunc(out, func(a, b Ticket) int {
		ap, an := queueNumber(a.Number)
		bp, bn := queueNumber(b.Number)
		if c := strings.Compare(ap, bp); c != 0 {
			return c
		}
		if an != bn {
			return an - bn
		}
		return a.Issued.Compare(b.Issued)
	})
	return out, err
}

// names returns the names of the first MaxSpoolEntries entries of the
// folder, in the order it lists them, and a *TooManyFilesError when it
// holds more (nil otherwise); none for a folder that does not exist. It
// reads the folder in batches: its memory does not grow with the folder.
func (s Spool) names() ([]string, *TooManyFilesError, error) {
	f, err := os.Open(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	defer f.Close()
	const batch = 256
	var names []string
	for len(names) < MaxSpoolEntries {
		got, err := f.Readdirnames(min(batch, MaxSpoolEntries-len(names)))
		names = append(names, got...)
		if errors.Is(err, io.EOF) {
			return names, nil, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("spool %s: %w", s.Dir, err)
		}
	}
	tooMany := &TooManyFilesError{Read: len(names)}
	for tooMany.Left < MaxSpoolCounted {
		got, err := f.Readdirnames(min(batch, MaxSpoolCounted-tooMany.Left))
		tooMany.Left += len(got)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("spool %s: %w", s.Dir, err)
		}
	}
	if tooMany.Left == MaxSpoolCounted {
		// One more name tells whether there are more.
		if got, _ := f.Readdirnames(1); len(got) > 0 {
			tooMany.AtLeast = true
		}
	}
	if tooMany.Left == 0 {
		return names, nil, nil
	}
	return names, tooMany, nil
}

// queueNumber splits a queue number such as "K017" into its letters and
// its number.
func queueNumber(s string) (string, int) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return s, 0
	}
	n, _ := strconv.Atoi(s[i:])
	return s[:i], n
}

// sameDay reports whether t falls on the calendar day of now, in now's
// time zone.
func sameDay(t, now time.Time) bool {
	y, m, d := t.In(now.Location()).Date()
	ny, nm, nd := now.Date()
	return y == ny && m == nm && d == nd
}

// Expire removes the spooled requests of tickets issued before the day of
// now, by the ticket's own time (Ticket.Issued in now's zone, as
// [Spool.TakeOn] and [Spool.Waiting] read it), not by its file's, which is
// the clock of whichever machine wrote it. A file whose ticket it cannot
// read (no key at this PC, not sealed with it, no ticket file), and the
// leftovers of interrupted writes and takes, go by their modification
// time a day later than a ticket would: when it is before the day before
// now's, so that a writer's clock behind the caller's across midnight
// never has a file removed while it is being written or taken. It returns
// how many files it removed. It reads the folder in batches: its memory
// does not grow with the folder.
func (s Spool) Expire(now time.Time) (int, error) {
	f, err := os.Open(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("spool %s: %w", s.Dir, err)
	}
	defer f.Close()
	key, _ := s.readKey() // none: every file goes by its modification time
	today := midnightOf(now)
	removed := 0
	for {
		entries, err := f.ReadDir(256)
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, "ticket-") && !strings.HasPrefix(name, ".ticket-") {
				continue
			}
			if !s.expired(key, e, today) {
				continue
			}
			if err := os.Remove(filepath.Join(s.Dir, name)); err == nil {
				removed++
			}
		}
		if errors.Is(err, io.EOF) {
			return removed, nil
		}
		if err != nil {
			return removed, fmt.Errorf("spool %s: %w", s.Dir, err)
		}
	}
}

// midnightOf returns the midnight that began t's day, in t's location.
func midnightOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// expired reports whether the spool file e is of a day before today (a
// midnight): a ticket's file that opens with key by its ticket's issue
// time, any other file by its modification time, a day later.
func (s Spool) expired(key []byte, e fs.DirEntry, today time.Time) bool {
	if issued, ok := s.issued(key, e.Name()); ok {
		return issued.Before(today)
	}
	info, err := e.Info()
	return err == nil && info.ModTime().Before(today.AddDate(0, 0, -1))
}

// issued returns when the ticket of the spool file name was issued, and
// false when the file holds no ticket that opens with key (nil: none).
func (s Spool) issued(key []byte, name string) (time.Time, bool) {
	if key == nil || !strings.HasPrefix(name, "ticket-") || !strings.HasSuffix(name, spoolSuffix) {
		return time.Time{}, false
	}
	sealed, err := readSpoolFile(filepath.Join(s.Dir, name))
	if err != nil {
		return time.Time{}, false
	}
	plain, err := open(key, name, sealed)
	if err != nil {
		return time.Time{}, false
	}
	var sub struct {
		Ticket Ticket `json:"ticket"`
	}
	err = json.Unmarshal(plain, &sub)
	clear(plain)
	if err != nil || SpoolFile(sub.Ticket.Code) != name {
		return time.Time{}, false
	}
	return sub.Ticket.Issued, true
}
