// Package i18n loads the desk's translations into Fyne's lang and turns the
// domain's message keys into sentences.
//
// # Basics
//
// Every user-facing string goes through lang.L with a key ("login.title",
// "err.cf.check"); assets/translations/it.json and en.json hold the text.
// The domain's errors carry keys and arguments ([pinsede.FieldError],
// [pinsede.Problem]); [Field] and [Message] translate them, the arguments
// filling the templates ({{.Want}}).
//
// # Caveats
//
// Fyne's lang chooses the language once, from the process environment
// (LC_ALL, LC_MESSAGES, LANG, then LANGUAGE, as gettext does), and falls back
// to English when none matches. The desk serves Italian clerks, so [Load]
// makes Italian the default whatever the PC's locale says: it sets LANGUAGE
// to the chosen language before loading the translations (and turns a bare
// "C"/"POSIX" locale into "C.UTF-8", the one value that makes gettext and
// lang ignore LANGUAGE). The only other language is English, on request
// (sportello -lang en). Fyne's own widget strings (file dialog, "Cancel")
// have no Italian in Fyne 2.7: it.json carries them too.
package i18n

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/assets"
)

// Languages are the languages of the translations, the default first.
var Languages = []string{"it", "en"}

// Default is the language used when none is asked for.
const Default = "it"

var loadMu sync.Mutex

// Load registers the translations and chooses the language: language if it
// is one of Languages, Italian if it is empty. Call it before building any
// screen.
func Load(language string) error {
	if language == "" {
		language = Default
	}
	if !slices.Contains(Languages, language) {
		return fmt.Errorf("language %q: want one of %v", language, Languages)
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" {
			if err := os.Setenv(name, "C.UTF-8"); err != nil {
				return err
			}
		}
		break
	}
	if err := os.Setenv("LANGUAGE", language); err != nil {
		return err
	}
	return lang.AddTranslationsFS(assets.Translations, "translations")
}

// Field returns the message of a field problem in the current language.
func Field(fe pinsede.FieldError) string {
	if fe.Args == nil {
		return lang.L(fe.Key)
	}
	return lang.L(fe.Key, fe.Args)
}

// Message returns a sentence for an error of a use case: the first field
// problem of FieldErrors, the key of a Problem, a known sentinel error, or a
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
		if p.Args == nil {
			return lang.L(p.Key)
		}
		return lang.L(p.Key, p.Args)
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return lang.L(s.key)
		}
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
	if p.Args == nil {
		return lang.L(p.Key)
	}
	return lang.L(p.Key, p.Args)
}

// sentinels maps the domain's sentinel errors to their messages, most
// specific first.
var sentinels = []struct {
	err error
	key string
}{
	{pinsede.ErrBadCredentials, "login.failed"},
	{pinsede.ErrNoPrinter, "issue.noprinter"},
	{pinsede.ErrPrint, "issue.printfailed"},
	{pinsede.ErrForbidden, "err.forbidden"},
	{pinsede.ErrLastSupervisor, "err.lastsupervisor"},
	{pinsede.ErrSamePassword, "err.samepassword"},
	{pinsede.ErrAlreadyHandedOver, "err.handedover"},
	{pinsede.ErrNotActive, "err.notactive"},
	{pinsede.ErrTransition, "err.transition"},
	{pinsede.ErrApprovalNeeded, "err.approvalneeded"},
	{pinsede.ErrOperatorExists, "err.operator.exists"},
	{pinsede.ErrNotSetUp, "err.notsetup"},
	{pinsede.ErrAlreadySetUp, "err.alreadysetup"},
	{pinsede.ErrNotFound, "err.notfound"},
}
