package boltcopy

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pinsede/pinsede/internal/boltsafe"
)

// Stamp is the layout of the time in the name of a copy made on a
// schedule: the local time, which the sede reads, with its offset from
// UTC. When the clocks go back, the hour from 02:00 to 03:00 comes twice,
// and so do its local times: the offset keeps the copies of the two hours
// apart (20271031-025930+0200, then 20271031-025930+0100).
const Stamp = "20060102-150405-0700"

// legacyStamp is the layout of the names before Stamp: the local time
// alone, read in the process's time zone.
const legacyStamp = "20060102-150405"

// Name returns the name of the copy made at now: prefix, now's Stamp,
// suffix.
func Name(prefix string, now time.Time, suffix string) string {
	return prefix + now.Format(Stamp) + suffix
}

// Prune removes the copies in dir named by Name with prefix and suffix
// (or in the layout before, without the offset) beyond the keep newest,
// the oldest first by the instant they name, not by their names' order,
// which the hour repeated in autumn and the offsets would not keep. The
// copy just written, written (its path in dir), is never removed and
// counts as the newest, whatever its name says: a clock put back names it
// before the copies made until then, and it was the one removed. Files of
// other names are left alone; keep 0 or less removes no copy. The files
// copies of these names cut short left (removeCutShort) are removed
// whatever keep.
func Prune(dir, prefix, suffix string, keep int, written string) error {
	if err := removeCutShort(dir, prefix, suffix); err != nil {
		return err
	}
	if keep <= 0 {
		return nil
	}
	names, err := filepath.Glob(filepath.Join(dir, prefix+"*"+suffix))
	if err != nil {
		return fmt.Errorf("prune copies in %s: %w", dir, err)
	}
	type stamped struct {
		path string
		at   time.Time
	}
	var copies []stamped
	for _, n := range names {
		if filepath.Base(n) == filepath.Base(written) {
			keep-- // kept, and one of the keep
			continue
		}
		if at, ok := stampOf(filepath.Base(n), prefix, suffix); ok {
			copies = append(copies, stamped{n, at})
		}
	}
	slices.SortFunc(copies, func(a, b stamped) int {
		return cmp.Or(a.at.Compare(b.at), strings.Compare(a.path, b.path))
	})
	for len(copies) > max(keep, 0) {
		if err := os.Remove(copies[0].path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("prune copies in %s: %w", dir, err)
		}
		copies = copies[1:]
	}
	return nil
}

// removeCutShort removes from dir the files that copies named prefix,
// Stamp, suffix (Name) cut short left behind (ToFileContext's .part,
// when a crash, a power cut or a kill ended it): each as large as the
// store, nothing else removed them. A .part a copy under way holds
// (boltsafe.Hold), of this program or another (the desk's and pinctl's
// at once), is left alone.
func removeCutShort(dir, prefix, suffix string) error {
	parts, err := filepath.Glob(filepath.Join(dir, prefix+"*"+suffix+".*.part"))
	if err != nil {
		return fmt.Errorf("remove copies cut short in %s: %w", dir, err)
	}
	for _, p := range parts {
		name := strings.TrimSuffix(filepath.Base(p), ".part")
		i := strings.LastIndexByte(name, '.')
		if _, ours := stampOf(name[:max(i, 0)], prefix, suffix); !ours {
			continue
		}
		held, err := boltsafe.HoldFile(p, 0)
		if err != nil {
			continue // a copy under way, or gone
		}
		if err := removeHeld(p, held); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove copies cut short in %s: %w", dir, err)
		}
	}
	return nil
}

// removeHeld removes the file at path, held (boltsafe.HoldFile), if path
// still names it, and lets go of it. It is removed held: a copy that made
// it and had not held it yet (createPart) finds it gone once it holds it,
// and makes another; let go of first, it would be removed under the copy
// that held it just after. Not on Windows, which removes no open file:
// there it is let go of just before.
func removeHeld(path string, held *os.File) error {
	fi, err := held.Stat()
	if err != nil || !at(path, fi) {
		held.Close()
		return err
	}
	if runtime.GOOS == "windows" {
		held.Close()
		return os.Remove(path)
	}
	err = os.Remove(path)
	held.Close()
	return err
}

// stampOf returns the instant a copy's name gives, and whether it is the
// name of a copy (prefix, a Stamp or the layout before, suffix).
func stampOf(name, prefix, suffix string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return time.Time{}, false
	}
	if s, ok = strings.CutSuffix(s, suffix); !ok {
		return time.Time{}, false
	}
	if at, err := time.Parse(Stamp, s); err == nil {
		return at, true
	}
	at, err := time.ParseInLocation(legacyStamp, s, time.Local)
	return at, err == nil
}
