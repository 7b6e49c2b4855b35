package desk

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/boltcopy"
)

// BackupOutcome is how a copy of the desk's store went (sportello's
// -backup-dir): the status bar says the copies fail, naming the folder
// and why, until one is written.
type BackupOutcome struct {
	// Dir is the copies' folder.
	Dir string
	// At is when the copy was tried.
	At time.Time
	// Err says why the copy failed; nil when it was written.
	Err error
}

// backups is what the desk knows of its copies: the last one written,
// and the failures in a row since then.
type backups struct {
	// dir is the folder of the last outcome.
	dir string
	// written is when the last copy was written.
	written time.Time
	// failing is the last copy's failure, nil when it was written;
	// since is when the failures in a row began.
	failing error
	since   time.Time
}

// BackupDone shows the outcome o of a copy of the store. It may be called
// from any goroutine; once the program quits (Quitting) it does nothing.
func (a *App) BackupDone(o BackupOutcome) {
	fyne.Do(a.live(func() { a.backupDone(o) }))
}

// backupDone records o and shows it. On the UI goroutine.
func (a *App) backupDone(o BackupOutcome) {
	b := &a.backups
	b.dir = o.Dir
	switch {
	case o.Err == nil:
		b.written, b.failing, b.since = o.At, nil, time.Time{}
	case b.failing == nil:
		b.failing, b.since = o.Err, o.At
	default:
		b.failing = o.Err
	}
	if s := a.sync; s != nil {
		s.render()
		if s.details != nil {
			s.fillDetails()
		}
	}
}

// backupBar is what the status bar adds while the copies fail, "" when
// they do not: since when and why, short enough for the bar to keep
// beside its clock (the folder and what to do are in its details,
// backupText).
func (a *App) backupBar() string {
	b := a.backups
	if b.failing == nil {
		return ""
	}
	now := a.desk.Now()
	since := b.since.In(now.Location())
	key, args := "sync.backup.failed", map[string]any{"Since": since.Format("15:04"), "Why": backupFaultText(b.failing)}
	if pinsede.DateOf(since) != pinsede.DateOf(now) {
		key, args["Day"] = "sync.backup.failed.day", since.Format("02/01/2006")
	}
	return lang.L(key, args)
}

// backupText is the copies' row of the status details: since when they
// fail and what to do, or the last one written, "" before the first.
func (a *App) backupText() string {
	b := a.backups
	switch {
	case b.failing != nil && boltcopy.FaultOf(b.failing) == boltcopy.FaultDamaged:
		return lang.L("sync.backup.failing.damaged", map[string]any{"When": when(b.since), "Dir": b.dir})
	case b.failing != nil:
		return lang.L("sync.backup.failing", map[string]any{"When": when(b.since), "Dir": b.dir, "Why": backupFaultText(b.failing)})
	case !b.written.IsZero():
		return lang.L("sync.backup.written", map[string]any{"When": when(b.written), "Dir": b.dir})
	}
	return ""
}

// backupFaultText says why a copy failed, in the clerk's words: the
// technical detail is in the log only.
func backupFaultText(err error) string {
	switch boltcopy.FaultOf(err) {
	case boltcopy.FaultNoSpace:
		return lang.L("sync.backup.fault.space")
	case boltcopy.FaultNotWritable:
		return lang.L("sync.backup.fault.writable")
	case boltcopy.FaultDamaged:
		return lang.L("sync.backup.fault.damaged")
	}
	return lang.L("sync.backup.fault.other")
}
