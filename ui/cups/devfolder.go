package cups

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DevFolder is the development printer: it writes each PDF to Dir as
// <title>.pdf, or <title>-2.pdf, -3... when that name is taken (a second
// MV35 of the day, say), readable by its owner only (file 0600, folder
// 0700), and never overwrites a file. A slip's file holds its plaintext
// PIN: use it only in development, enabled by an explicit flag (sportello
// -dev-print, chiosco -ticket-dir); the desk shows a red banner while it
// is in use.
type DevFolder struct {
	Dir string
}

// Print writes job to Dir/<job.Title>.pdf, or to the first free name
// <job.Title>-N.pdf. It creates Dir if it is missing, and fails if the
// title is not a plain file name or devCopies names are all taken.
func (f DevFolder) Print(ctx context.Context, job Job) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dev printer: %w", err)
	}
	if !plainName(job.Title) {
		return fmt.Errorf("dev printer: job title %q is not a plain file name", job.Title)
	}
	if f.Dir == "" {
		return errors.New("dev printer: no folder set")
	}
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return fmt.Errorf("dev printer: create folder %s: %w", f.Dir, err)
	}
	var path string
	var w *os.File
	var err error
	for n := 1; n <= devCopies; n++ {
		name := job.Title + ".pdf"
		if n > 1 {
			name = fmt.Sprintf("%s-%d.pdf", job.Title, n)
		}
		path = filepath.Join(f.Dir, name)
		w, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("dev printer: %s and %d more of its copies exist, none overwritten: %w", job.Title+".pdf", devCopies-1, err)
	}
	if err != nil {
		return fmt.Errorf("dev printer: %w", err)
	}
	_, err = w.Write(job.PDF)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // a half-written document is no use to anyone
		return fmt.Errorf("dev printer: write %s: %w", path, err)
	}
	return nil
}

// devCopies is how many files of one title the development printer writes.
const devCopies = 1000

// plainName reports whether s can be a file name on every system without
// leaving the folder: letters, digits, '-', '_' and '.', not starting with
// a dot.
func plainName(s string) bool {
	if s == "" || s[0] == '.' || len(s) > 200 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
