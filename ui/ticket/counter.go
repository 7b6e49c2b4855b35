package ticket

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pinsede/pinsede/internal/dirsync"
	"github.com/pinsede/pinsede/internal/smallfile"
)

// Counter is the kiosk's count of the day's tickets in a small file, so
// that the queue numbers go on after a restart rather than start again at
// 1: {"day": "2026-03-10", "n": 17}. A new day starts again at 1; a day
// before the one held does not (a clock put back across midnight, then
// forward again, gave the new day's numbers twice): the count of the day
// held goes on, so that no number comes twice on a day. The file
// is 0600, in a 0700 folder, and replaced whole (written under a temporary
// name, synced, renamed, and the folder synced): a crash leaves the old
// count or the new one, never half of one. One kiosk uses one file.
type Counter struct {
	Path string
}

// ErrCounterCorrupt is returned by [Counter.Next] for a file that does not
// hold a count, is larger than one, or is no file (a pipe, a device):
// [Counter.Set] replaces it.
var ErrCounterCorrupt = errors.New("ticket counter unreadable")

// maxCount is the most tickets a day counts: beyond it the file is not
// believed.
const maxCount = 99999

// maxCounterBytes bounds the counter's file, whose count takes about 30
// bytes: a larger file is no count, and is not read further.
const maxCounterBytes = 256

// counterFile is the content of a Counter's file.
type counterFile struct {
	Day string `json:"day"`
	N   int    `json:"n"`
}

// Next returns the number of the next ticket of the day of now, counting
// it: 1 for the first of the day.
func (c Counter) Next(now time.Time) (int, error) {
	day := now.Format(time.DateOnly)
	var f counterFile
	b, err := smallfile.ReadRegular(c.Path, "ticket counter", maxCounterBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, smallfile.ErrTooLarge), errors.Is(err, smallfile.ErrNotRegular):
		return 0, fmt.Errorf("%w: %w", err, ErrCounterCorrupt)
	case err != nil:
		return 0, fmt.Errorf("ticket counter: %w", err)
	default:
		if err := json.Unmarshal(b, &f); err != nil {
			return 0, fmt.Errorf("ticket counter %s: %w: %v", c.Path, ErrCounterCorrupt, err)
		}
		if f.N < 0 || f.N >= maxCount {
			return 0, fmt.Errorf("ticket counter %s: %w: count %d", c.Path, ErrCounterCorrupt, f.N)
		}
		if _, err := time.Parse(time.DateOnly, f.Day); err != nil {
			return 0, fmt.Errorf("ticket counter %s: %w: day %q", c.Path, ErrCounterCorrupt, f.Day)
		}
	}
	if f.Day < day { // days as aaaa-mm-gg order as their text
		f = counterFile{Day: day}
	}
	f.N++
	if err := c.write(f); err != nil {
		return 0, fmt.Errorf("ticket counter %s: %w", c.Path, err)
	}
	return f.N, nil
}

// Set records n as the count of the day of now, whatever the file held:
// the kiosk's own count when the file was unreadable.
func (c Counter) Set(now time.Time, n int) error {
	if err := c.write(counterFile{Day: now.Format(time.DateOnly), N: n}); err != nil {
		return fmt.Errorf("ticket counter %s: %w", c.Path, err)
	}
	return nil
}

// write replaces the file with f.
func (c Counter) write(f counterFile) error {
	dir := filepath.Dir(c.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".counter-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.Path)
	}
	if err != nil {
		return err
	}
	return dirsync.Sync(dir)
}
