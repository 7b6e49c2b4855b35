// Package i18n is the language set-up of both apps: it loads a language's
// translations into Fyne's lang and makes it the language of every lang.L
// ([Use]), and turns the domain's message keys into sentences.
//
// # Basics
//
// Every user-facing string goes through lang.L with a key ("login.title",
// "err.cf.check"). The desk's text is in assets/translations (it.json,
// en.json), loaded once at start by [Load]; the kiosk's is in
// assets/kiosk/translations, seven languages, and kiosk.SetLanguage loads
// the citizen's at the start of each session. Both go through [Use].
// The domain's errors carry keys and arguments ([pinsede.FieldError],
// [pinsede.Problem]); [Field] and [Message] translate them, the arguments
// filling the templates ({{.Want}}), a time.Duration written in words
// ([Duration]). The programs' command lines speak it too: [Usage] writes
// -h (usage.PROGRAM.*), [Settings] and [Origin] say a setting refused and
// where its value came from (config.*, settings.from.*), in the desk's
// translations; the kiosk, which has no -lang, takes the language of the
// locale ([FromLocale]) for them.
//
// # Caveats
//
// Fyne's lang has one bundle and one language per process, which it
// chooses from the process environment (LC_ALL, LC_MESSAGES, LANG, then
// LANGUAGE, as gettext does) each time translations are added, falling
// back to English when none matches. [Use] sets LANGUAGE to the language
// wanted (and turns a bare "C"/"POSIX" locale into "C.UTF-8", the one value
// that makes gettext and lang ignore LANGUAGE), then adds the language's
// file, which makes lang choose again: the language is the process's, not
// a window's. That suits both apps: the desk has one clerk's language,
// Italian unless asked (sportello -lang en), whatever the PC's locale says;
// the kiosk serves one citizen at a time. Fyne keeps a list of the files
// added, which grows by one at every call. Fyne's own widget strings (file
// dialog, "Cancel") have no Italian in Fyne 2.7: it.json carries them too.
// Lang reads the environment first in its own init, before main: a
// locale it cannot read there, "C.UTF-8" (Debian's, containers' and
// systemd's default) among them, had it log three "Fyne error" lines at
// every start. This package imports internal/fynelocale, which leaves
// such a locale out of what lang reads before lang's init: a C or POSIX
// locale means no preference, silently; another ("LANG=garbage") is
// told once by the program, in its words ([UnreadLocale]).
package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
	"github.com/pinsede/pinsede/internal/diskerr"
)

// Languages are the languages of the desk's translations, the default
// first.
var Languages = []string{"it", "en"}

// Default is the language used when none is asked for.
const Default = "it"

// Load makes language the desk's language: language if it is one of
// Languages, Italian if it is empty. Call it before building any screen.
func Load(language string) error {
	if language == "" {
		language = Default
	}
	if !slices.Contains(Languages, language) {
		return fmt.Errorf("language %q: want one of %v", language, Languages)
	}
	return Use(assets.Translations, "translations", language)
}

// useMu makes each Use one step: its environment and its translations.
var useMu sync.Mutex

// Use makes language (an ISO 639-1 code) the language of every lang.L
// from now on, with the messages of the file <language>.json in the
// folder dir of fsys. See the package's caveats: the language is the
// process's.
func Use(fsys fs.FS, dir, language string) error {
	data, err := fs.ReadFile(fsys, dir+"/"+language+".json")
	if err != nil {
		return fmt.Errorf("language %s: %w", language, err)
	}
	useMu.Lock()
	defer useMu.Unlock()
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" {
			if err := os.Setenv(name, "C.UTF-8"); err != nil {
				return fmt.Errorf("language %s: %w", language, err)
			}
		}
		break
	}
	if err := os.Setenv("LANGUAGE", language); err != nil {
		return fmt.Errorf("language %s: %w", language, err)
	}
	if err := lang.AddTranslationsForLocale(data, fyne.Locale(language)); err != nil {
		return fmt.Errorf("language %s: %w", language, err)
	}
	return nil
}

// Field returns the message of a field problem in the current language.
func Field(fe pinsede.FieldError) string { return keyed(fe.Key, fe.Args) }

// keyed returns the message of key with args, a time.Duration among them
// written in words (Duration).
func keyed(key string, args map[string]any) string {
	if args == nil {
		return lang.L(key)
	}
	words := make(map[string]any, len(args))
	for k, v := range args {
		if d, ok := v.(time.Duration); ok {
			v = Duration(d)
		}
		words[k] = v
	}
	return lang.L(key, words)
}

// Duration writes d in hours and minutes, rounded to the minute, in the
// current language: "1 ora e 2 minuti", "45 minuti", "3 ore"; "meno di un
// minuto" under half a minute; from two days on, in days and hours,
// rounded to the hour: "2 giorni e 3 ore", "9568 giorni" (a PC's clock
// gone back years).
func Duration(d time.Duration) string {
	if d.Abs() >= 48*time.Hour {
		h := int(d.Abs().Round(time.Hour) / time.Hour)
		days, h := h/24, h%24
		out := lang.XN("duration.days", "{{.Count}} d", days, map[string]any{"Count": days})
		if h == 0 {
			return out
		}
		hours := lang.XN("duration.hours", "{{.Count}} h", h, map[string]any{"Count": h})
		return lang.L("duration.and", map[string]any{"A": out, "B": hours})
	}
	m := int(d.Abs().Round(time.Minute) / time.Minute)
	h, m := m/60, m%60
	hours := lang.XN("duration.hours", "{{.Count}} h", h, map[string]any{"Count": h})
	minutes := lang.XN("duration.minutes", "{{.Count}} min", m, map[string]any{"Count": m})
	switch {
	case h == 0 && m == 0:
		return lang.L("duration.lessminute")
	case h == 0:
		return minutes
	case m == 0:
		return hours
	}
	return lang.L("duration.and", map[string]any{"A": hours, "B": minutes})
}

// Message returns a sentence for an error of a use case: the first field
// problem of FieldErrors, the key of a Problem, a known sentinel error, a
// read of the desk's store that a write refused before made impossible
// (pinsede.ErrStoreRead), by that write's cause (storeRead), a write the
// store could not commit (pinsede.ErrStoreWrite), by the disk's cause
// (storeWrite), a write of another file the disk refused (fileDisk), or a
// generic message with the error's text for anything else.
func Message(err error) string {
	var fes pinsede.FieldErrors
	var fe pinsede.FieldError
	var p *pinsede.Problem
	switch {
	case err == nil:
		return ""
	case errors.As(err, &fes) && len(fes) > 0:
		return Field(fes[0])
	case errors.As(err, &fe):
		return Field(fe)
	case errors.As(err, &p):
		return keyed(p.Key, p.Args)
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return lang.L(s.key)
		}
	}
	if errors.Is(err, pinsede.ErrStoreRead) { // before ErrStoreWrite, which it wraps
		if msg, ok := Disk(err, storeRead, nil); ok {
			return msg
		}
		return lang.L("err.store.read.failed", map[string]any{"Err": err.Error()})
	}
	if errors.Is(err, pinsede.ErrStoreWrite) {
		if msg, ok := Disk(err, storeWrite, nil); ok {
			return msg
		}
		return lang.L("err.store.failed", map[string]any{"Err": err.Error()})
	}
	if msg, ok := Disk(err, fileDisk, nil); ok {
		return msg
	}
	return lang.L("err.unexpected", map[string]any{"Err": err.Error()})
}

// Cause returns the message of the most specific problem inside err, when
// it differs from err's own: for a failed print, what the printer said
// ("La stampante è senza carta"). It returns "" when there is none.
func Cause(err error) string {
	var found []*pinsede.Problem
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if p, ok := e.(*pinsede.Problem); ok {
			found = append(found, p)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	if len(found) < 2 {
		return ""
	}
	p := found[len(found)-1]
	return keyed(p.Key, p.Args)
}

// DiskKeys are the message keys of a write the disk refused (see
// package diskerr), one for each cause its reader acts on.
type DiskKeys struct {
	// Full is the key of the disk full or the user's quota used up.
	Full string
	// TooLarge is the key of a file past the largest the system lets
	// the program write (a limit on the user's files, or the file
	// system's); "" leaves that cause untold.
	TooLarge string
	// ReadOnly is the key of a file system mounted read-only.
	ReadOnly string
	// Denied is the key of a file the program's user may not write; ""
	// leaves that cause untold.
	Denied string
	// Failing is the key of a disk that did not carry out the write
	// (an input/output error); "" leaves that cause untold.
	Failing string
}

// storeWrite are the keys of a write the desk's store could not commit
// (pinsede.ErrStoreWrite), by the disk's cause: the operation left
// nothing behind, the form keeps what was typed. They name the store,
// and say what to do for each cause.
var storeWrite = DiskKeys{Full: "err.store.full", TooLarge: "err.store.toolarge",
	ReadOnly: "err.store.readonly", Denied: "err.store.denied", Failing: "err.store.failing"}

// storeRead are the keys of a read of the desk's store that a write the
// disk refused made impossible until the desk restarts
// (pinsede.ErrStoreRead), by that write's cause: a failing disk, which
// alone leaves the store so.
var storeRead = DiskKeys{Failing: "err.store.read.failing"}

// fileDisk are the keys of a write of another file than the store (the
// settings, a copy) that the disk refused: they name no file, which the
// screen does. A permission denied is not among them: a scan the clerk
// chose may be unreadable so, which is not the disk's.
var fileDisk = DiskKeys{Full: "err.disk.full", TooLarge: "err.disk.toolarge", ReadOnly: "err.disk.readonly"}

// Disk returns the message of keys, filled with args, for err when the
// disk refused it (full, file too large, read-only, not writable by the
// program's user, failing) and keys tell that cause, and reports whether
// it did.
func Disk(err error, keys DiskKeys, args map[string]any) (msg string, ok bool) {
	var key string
	switch diskerr.Of(err) {
	case diskerr.Full, diskerr.Quota:
		key = keys.Full
	case diskerr.TooLarge:
		key = keys.TooLarge
	case diskerr.ReadOnly:
		key = keys.ReadOnly
	case diskerr.Denied:
		key = keys.Denied
	case diskerr.Failing:
		key = keys.Failing
	}
	if key == "" {
		return "", false
	}
	return keyed(key, args), true
}

// sentinels maps the domain's sentinel errors to their messages, most
// specific first.
var sentinels = []struct {
	err error
	key string
}{
	{pinsede.ErrBadCredentials, "login.failed"},
	{pinsede.ErrNoPassword, "err.nopassword"},
	{pinsede.ErrStoreCorrupt, "err.storecorrupt"},
	{pinsede.ErrNoPrinter, "issue.noprinter"},
	{pinsede.ErrPrintNotRecorded, "err.print.notrecorded"},
	{pinsede.ErrPrint, "issue.printfailed"},
	{pinsede.ErrSessionEnded, "err.sessionended"},
	{pinsede.ErrApproverTemporary, "err.approvertemporary"},
	{pinsede.ErrForbidden, "err.forbidden"},
	{pinsede.ErrLastSupervisor, "err.lastsupervisor"},
	{pinsede.ErrSamePassword, "err.samepassword"},
	{pinsede.ErrAlreadyHandedOver, "err.handedover"},
	{pinsede.ErrNotPrinted, "err.notprinted"},
	{pinsede.ErrNotActive, "err.notactive"},
	{pinsede.ErrTransition, "err.transition"},
	{pinsede.ErrApprovalNeeded, "err.approvalneeded"},
	{pinsede.ErrOperatorExists, "err.operator.exists"},
	{pinsede.ErrNotSetUp, "err.notsetup"},
	{pinsede.ErrAlreadySetUp, "err.alreadysetup"},
	{pinsede.ErrNotFound, "err.notfound"},
	{pinsede.ErrAuditCursor, "err.audit.cursor"},
}
