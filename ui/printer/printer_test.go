package printer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// slipFor returns a complete slip with a PIN drawn from a fixed source.
func slipFor(t *testing.T, serial string) pinsede.Slip {
	t.Helper()
	pin, err := pinsede.GeneratePIN(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.November, 23, 10, 0, 0, 0, time.UTC)
	return pinsede.Slip{
		Serial:   serial,
		Sede:     pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale dell'Aeronautica 1, 00144 Roma RM"},
		Operator: "Giulia Bianchi",
		Citizen: pinsede.Request{Cognome: "Rossi", Nome: "Mario", CodiceFiscale: "RSSMRA80A01H501U",
			Residenza: pinsede.Address{Street: "Via Roma 1", CAP: "00144", City: "Roma", Province: "RM", Country: "IT"}},
		PIN:       pin,
		Type:      pinsede.Dispositivo,
		IssuedAt:  now,
		ExpiresAt: now.AddDate(0, pinsede.ValidityMonths, 0),
	}
}

// recorder is a Backend that keeps the jobs it is given, and their PDF as
// it was during Print.
type recorder struct {
	jobs   []Job
	copies [][]byte
	err    error
}

func (r *recorder) Print(_ context.Context, job Job) error {
	r.jobs = append(r.jobs, job)
	r.copies = append(r.copies, bytes.Clone(job.PDF))
	return r.err
}

// Ensure that PrintSlip prints a PDF titled by serial, and zeroes it once
// printed.
func TestSlipPrinter(t *testing.T) {
	rec := &recorder{}
	if err := (SlipPrinter{Backend: rec}).PrintSlip(t.Context(), slipFor(t, "ROMA01-20261123-3F9A2C")); err != nil {
		t.Fatal(err)
	}
	if len(rec.jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(rec.jobs))
	}
	if got := rec.jobs[0].Title; got != "busta-ROMA01-20261123-3F9A2C" {
		t.Errorf("title %q", got)
	}
	if !bytes.HasPrefix(rec.copies[0], []byte("%PDF-")) {
		t.Error("the back end got no PDF")
	}
	if bytes.ContainsFunc(rec.jobs[0].PDF, func(r rune) bool { return r != 0 }) {
		t.Error("the PDF buffer was not zeroed after printing")
	}
}

// Ensure that PrintSlip reports the failures of the back end, the context
// and a missing back end, naming the slip.
func TestSlipPrinterErrors(t *testing.T) {
	jammed := errors.New("carta inceppata")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name    string
		backend Backend
		ctx     context.Context
		want    error
	}{
		{"back end fails", &recorder{err: jammed}, t.Context(), jammed},
		{"cancelled", &recorder{}, cancelled, context.Canceled},
		{"no back end", nil, t.Context(), pinsede.ErrNoPrinter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := SlipPrinter{Backend: tc.backend}.PrintSlip(tc.ctx, slipFor(t, "ROMA01-X"))
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "ROMA01-X") {
				t.Errorf("err = %v, want %v naming the slip", err, tc.want)
			}
		})
	}
}

// Ensure that DevFolder writes the PDF, owner-only, in a folder it
// creates owner-only.
func TestDevFolderWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stampe")
	p := SlipPrinter{Backend: DevFolder{Dir: dir}}
	if err := p.PrintSlip(t.Context(), slipFor(t, "ROMA01-20261123-3F9A2C")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "busta-ROMA01-20261123-3F9A2C.pdf")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("%s is not a PDF", path)
	}
	for p, want := range map[string]fs.FileMode{path: 0o600, dir: 0o700} {
		if fi, err := os.Stat(p); err != nil {
			t.Error(err)
		} else if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", p, got, want)
		}
	}
}

// Ensure that DevFolder never overwrites a file: a second print of one
// title (the MV35 printed again) goes to the next free name (issue 14,
// finding 8: it used to fail with no reason given).
func TestDevFolderNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mv35-DEV01.pdf")
	if err := os.WriteFile(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mv35-DEV01-2.pdf", "mv35-DEV01-3.pdf"} {
		if err := (DevFolder{Dir: dir}).Print(t.Context(), Job{Title: "mv35-DEV01", PDF: []byte("%PDF-again")}); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, want)); err != nil || string(b) != "%PDF-again" {
			t.Errorf("%s: %q, %v", want, b, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("the file was overwritten: %q", b)
	}
}

// Ensure that a folder that cannot be written gives an error naming it.
// (The test runs as root too, where permission bits do not stop a write:
// the folder's path goes through a regular file instead.)
func TestDevFolderUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "stampe")
	err := DevFolder{Dir: dir}.Print(t.Context(), Job{Title: "busta-1", PDF: []byte("%PDF-")})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want an error naming %s", err, dir)
	}
}

// Ensure that a title cannot lead out of the folder.
func TestDevFolderTitle(t *testing.T) {
	dir := t.TempDir()
	for _, title := range []string{"", "../busta", "a/b", ".hidden", `c:\x`, "busta 1"} {
		if err := (DevFolder{Dir: dir}).Print(t.Context(), Job{Title: title, PDF: []byte("%PDF-")}); err == nil {
			t.Errorf("title %q accepted", title)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("files written: %v", entries)
	}
}
