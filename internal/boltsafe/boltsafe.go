// Package boltsafe turns the damage bbolt finds in a file into errors. bbolt
// trusts its pages: a page zeroed or overwritten on disk makes it panic
// ("assertion failed: Page expected to be: 2, but self identifies as 0",
// "invalid freelist page: 0") wherever it reads it, at open, in a cursor,
// in a commit. Do runs a bbolt operation and returns such a panic as an
// error wrapping ErrDamaged, for the tools and the copies that read whole
// stores to report; a Guard runs the transactions of a database kept open,
// and stops at the first damage met in a write, which may leave bbolt's
// writer lock held. Check and CheckFile run bbolt's own consistency check.
package boltsafe

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrDamaged is returned when a bbolt file is damaged: bbolt panicked on
// one of its pages, or its consistency check found a fault. The file is to
// be restored from a copy.
var ErrDamaged = errors.New("bbolt file damaged")

// Do runs fn and returns its error. A panic raised by bbolt's own code
// while fn runs on what it read from the file (damage) comes back as an
// error wrapping ErrDamaged. After one in a
// read transaction the database is still usable, and can be closed. After
// one in a write transaction it may not be: bbolt's rollback can panic
// again before it lets go of its writer lock, and then the next write and
// bbolt's Close wait for ever; write to an open database through a Guard.
// A panic raised elsewhere (fn's own code, which bbolt may call back) is
// not damage and goes on, and so does one of bbolt's that tells of its
// caller's bug, not of the file (damage): a nil *bolt.Bucket used (a
// bucket not there), a cursor used after its transaction ("tx closed").
func Do(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if !raisedByBolt() || !damage(r) {
				panic(r)
			}
			err = fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()
	return fn()
}

// raisedByBolt tells, from the deferred function of Do while a panic runs,
// whether the code that panicked is bbolt's: the first frame below the
// runtime's panic machinery (runtime.gopanic, and the frames that raise
// runtime errors, as an index out of range) is in bbolt's packages.
func raisedByBolt() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt.") || strings.HasPrefix(f.Function, "go.etcd.io/bbolt/")
		}
		if !more {
			return false
		}
	}
}

// damageMessages are the words of the panics bbolt raises on what it read
// from the file: a page not the one or not of the kind it expected, a
// freelist, a bucket header, a key or a page id that no file bbolt wrote
// holds (bbolt's source, v1.5: internal/common/page.go, internal/freelist,
// bucket.go, node.go, cursor.go, db.go). Those of a misuse ("tx closed",
// "managed tx commit not allowed") are not among them.
var damageMessages = []string{
	"Page expected to be",           // a page that names another id
	"has unexpected type/flags",     // a page of another kind
	"invalid page type",             // a cursor's page neither branch nor leaf
	"expected branch node",          // a cursor's page of the wrong kind
	"expected leaf node",            //
	"invalid childAt",               // a branch element on a leaf
	"invalid freelist page",         // the freelist page of another kind
	"non-freelist page",             // its count or ids read from another
	"overflows int",                 // a freelist's count garbage
	"pgids not sorted",              // a freelist's ids
	"mergepgids bad len",            //
	"already freed",                 // a page freed twice
	"cannot free page 0 or 1",       // a meta page freed
	"was allocated by the same",     // a page freed by its own transaction
	"duplicated free",               // a freelist that names a page twice
	"overlapped free page",          //
	"Detected mismatch",             // the hashmap freelist's maps
	"out of sync with free pages",   //
	"invalid page allocation",       //
	"above high water mark",         // a page id beyond the file
	"misplaced bucket header",       // a bucket's key or flags
	"unexpected bucket header flag", //
	"inline bucket",                 // an inline bucket naming a page
	"zero-length node key",          // keys read empty from a page
	"zero-length inode key",         //
	"zero-length old key",           //
	"circular dependency",           // a page that holds itself
	"inode overflow",                // a page's count
	"invalid meta pages",            // both meta pages
	"freepages:",                    // the free pages, scanned
	"check fail",                    // bbolt's strict mode
}

// damage tells whether r, a value bbolt's code panicked with, is of a
// damaged file: one of bbolt's own messages on a page it read
// (damageMessages), or a runtime index or slice bounds error, which its
// reads of a page whose counts or offsets are garbage raise. Other runtime
// errors, as a nil pointer dereferenced, are bugs of its caller.
func damage(r any) bool {
	var msg string
	switch v := r.(type) {
	case runtime.Error:
		return strings.Contains(v.Error(), "out of range")
	case error:
		msg = v.Error()
	case string:
		msg = v
	default:
		return false
	}
	for _, m := range damageMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// maxFaults is how many of the faults Check finds its error names.
const maxFaults = 5

// Check runs bbolt's consistency check (Tx.Check) over the whole of db in
// one read transaction: every page reachable once, of the right type, or
// free. It returns an error wrapping ErrDamaged naming the first faults
// found, nil when there are none. It reads every page: about as long as a
// copy of the file takes to read.
func Check(db *bolt.DB) error {
	return Do(func() error {
		return db.View(func(tx *bolt.Tx) error {
			var faults []string
			n := 0
			for err := range tx.Check() { // drained whole: the check runs until its channel closes
				if n++; len(faults) < maxFaults {
					faults = append(faults, err.Error())
				}
			}
			if n > 0 {
				return fmt.Errorf("%w: %d faults: %s", ErrDamaged, n, strings.Join(faults, "; "))
			}
			return nil
		})
	})
}

// CheckFile opens the bbolt file at path read-only, shared with other
// readers, and checks it (Check). A file bbolt refuses to open as
// invalid, of another version or with a bad checksum is damaged too. It
// waits at most timeout for a program that holds the file to write.
func CheckFile(path string, timeout time.Duration) error {
	var db *bolt.DB
	err := Do(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
		if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrVersionMismatch) || errors.Is(err, berrors.ErrChecksum) {
			return fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		return err
	})
	if err == nil {
		err = Check(db)
	}
	if db != nil {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	return nil
}
