package server

import (
	"sync"
	"time"

	"github.com/pinsede/pinsede/internal/boltcopy"
)

// Backups is what centrale's online copies of its store (-backup-dir)
// did: the last copy written and the failures since. The copying loop
// records into it; the metrics and the status page read it. It is safe
// for concurrent use.
type Backups struct {
	// Dir is the folder of the copies.
	Dir string

	mu sync.Mutex
	// last is when the last copy was written, and path its file.
	last time.Time
	path string
	// failures counts the copies that failed since the start.
	failures int
	// failing is the last attempt's failure, nil when it succeeded;
	// failingSince is when the failures in a row began.
	failing      error
	failingSince time.Time
}

// backupState is a moment's reading of Backups.
type backupState struct {
	last         time.Time
	path         string
	failures     int
	failing      error
	failingSince time.Time
}

// Written records the copy path written at at: the failures in a row, if
// any, are over.
func (b *Backups) Written(path string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last, b.path = at, path
	b.failing, b.failingSince = nil, time.Time{}
}

// Failed records a copy that failed at at with err.
func (b *Backups) Failed(err error, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	if b.failing == nil {
		b.failingSince = at
	}
	b.failing = err
}

// state returns what b holds now.
func (b *Backups) state() backupState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return backupState{last: b.last, path: b.path, failures: b.failures, failing: b.failing, failingSince: b.failingSince}
}

// backupView is the status page's section on the copies.
type backupView struct {
	Dir, Last, LastClass, Path string
	// Failures counts the copies that failed since the start.
	Failures int
	// Failing says, when the last attempt failed, since when, why and
	// what to do.
	Failing string
}

// view returns the section of b at now in the language of tx, nil when
// centrale makes no copies.
func (b *Backups) view(tx statusText, now time.Time) *backupView {
	if b == nil {
		return nil
	}
	st := b.state()
	v := &backupView{Dir: b.Dir, Path: st.path, Failures: st.failures}
	if st.last.IsZero() {
		v.Last, v.LastClass = tx.T("status.backup.none"), "warn"
	} else {
		v.Last, v.LastClass = tx.time(st.last)+" ("+tx.relative(st.last, now)+")", "ok"
	}
	if st.failing != nil {
		v.LastClass = "bad"
		v.Failing = tx.T("status.backup.failing", "Since", tx.time(st.failingSince), "Ago", tx.relative(st.failingSince, now),
			"Why", faultText(tx, boltcopy.FaultOf(st.failing)))
	}
	return v
}

// faultText says what f is and what to do about it, in the language of tx.
func faultText(tx statusText, f boltcopy.Fault) string {
	switch f {
	case boltcopy.FaultNoSpace:
		return tx.T("status.backup.fault.space")
	case boltcopy.FaultNotWritable:
		return tx.T("status.backup.fault.writable")
	case boltcopy.FaultDamaged:
		return tx.T("status.backup.fault.damaged")
	}
	return tx.T("status.backup.fault.other")
}
