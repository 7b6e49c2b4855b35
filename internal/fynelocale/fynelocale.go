// Package fynelocale hands Fyne's lang a locale it can read, before lang
// reads one: a C or POSIX locale ("C.UTF-8", the locale of a fresh
// Debian, of containers and of systemd's services) means no preference,
// silently, and a language lang cannot read ("garbage") is left out, for
// the program to tell in its own words ([Unread]). Its init does the
// work: a program that links Fyne's lang imports it (ui/i18n does).
//
// # Basics
//
// Fyne's lang (fyne.io/fyne/v2/lang, v2.7.1) takes the user's languages
// from the environment through github.com/jeandeaual/go-locale: the
// first of LC_ALL, LC_MESSAGES and LANG that is set, or LANGUAGE (a list
// separated by colons) in its place when LANGUAGE is set, unless that
// first one is exactly "C" or "POSIX", which means no preference. Of each
// it keeps what comes before a dot, an underscore made a hyphen
// ("it_IT.UTF-8" is "it-IT"), and parses that as a BCP 47 tag.
// "C.UTF-8" is "C", which no tag is: lang logged three lines with the
// standard log ("Fyne error:  Error parsing user locale C", its cause,
// where), which an operator reading the program's log took for a fault,
// in lang's own init, at every start.
//
// Here a value lang would not read is left out of what it reads: an
// entry of LANGUAGE is taken out of the list (LANGUAGE is unset when none
// is left); the first of LC_ALL, LC_MESSAGES and LANG, when lang would
// not read it, gets LANGUAGE set in its place: to the locale without its
// modifier when that is all lang trips on ("de_DE@euro", which go-locale
// reads "de-DE@euro"), to "en" otherwise, what lang falls back to when it
// has no preference. The program then sets its own language
// (ui/i18n.Use sets LANGUAGE to it), as it does for a locale it has no
// translation for.
//
// # Caveats
//
// Fyne gives no hook: lang reads the environment, and nothing else, in
// its own init, before main, and again each time translations are added
// or the system's locale is asked for (the driver, the fonts, a date
// entry). So it is the process's environment that changes, in this
// package's init, which must run before lang's. Go initialises packages
// in the order of their import paths, each as soon as its imports are:
// this one imports os, strings and golang.org/x/text/language, and runs
// right after the last, long before lang, which needs more
// (GODEBUG=inittrace=1 shows it); the programs' tests, which run them in
// a C.UTF-8 locale, check it. Only LANGUAGE changes, and only when lang
// would not read the locale: LC_ALL, LC_MESSAGES and LANG, and the
// character set they give the programs' children, stay as they were.
// LANGUAGE is the programs' children's already: ui/i18n.Use sets it to
// the program's language.
package fynelocale

import (
	"os"
	"strings"

	"golang.org/x/text/language"
)

// unreadName and unreadValue are what init left out, "" and "" when
// nothing was told.
var unreadName, unreadValue string

func init() {
	unreadName, unreadValue = settle()
}

// Unread returns the variable and the language in it (an entry of
// LANGUAGE's list) that Fyne's lang could not read and were left out at
// the program's start, "" and "" when none was: a C or POSIX locale is
// not one. When several were, it names the first as lang reads them.
func Unread() (name, value string) { return unreadName, unreadValue }

// settle leaves out of the process's environment what Fyne's lang would
// not read (see the package's Basics), and returns the first value left
// out that is neither empty nor a C or POSIX locale, and its variable.
// Setenv and Unsetenv fail only on a name or a value holding a NUL,
// which no environment's can: their errors are not looked at.
func settle() (toldName, told string) {
	name, value := "", ""
	for _, n := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if value = os.Getenv(n); value != "" {
			name = n
			break
		}
	}
	if value == "C" || value == "POSIX" {
		return "", "" // go-locale: no preference, LANGUAGE ignored
	}
	if list := os.Getenv("LANGUAGE"); list != "" {
		all := strings.Split(list, ":")
		var kept []string
		for _, l := range all {
			switch {
			case readable(l):
				kept = append(kept, l)
			case told == "" && !quiet(l):
				toldName, told = "LANGUAGE", l
			}
		}
		switch {
		case len(kept) == len(all):
			return "", ""
		case len(kept) > 0:
			_ = os.Setenv("LANGUAGE", strings.Join(kept, ":"))
			return toldName, told
		}
		_ = os.Unsetenv("LANGUAGE")
	}
	if value == "" || readable(value) {
		return toldName, told
	}
	// go-locale keeps a modifier after the territory when no character
	// set comes before it ("de_DE@euro"), which no tag holds: lang reads
	// the locale without it.
	if l, _, _ := strings.Cut(value, "@"); readable(l) {
		_ = os.Setenv("LANGUAGE", l)
		return toldName, told
	}
	_ = os.Setenv("LANGUAGE", "en")
	if told == "" && !quiet(value) {
		toldName, told = name, value
	}
	return toldName, told
}

// readable reports whether Fyne's lang parses the locale l, as go-locale
// hands it over: "it_IT.UTF-8@euro" as "it-IT".
func readable(l string) bool {
	l, _, _ = strings.Cut(l, ".")
	l = strings.ReplaceAll(l, "-", "_")
	lang, region, _ := strings.Cut(l, "_")
	if region != "" {
		lang += "-" + region
	}
	_, err := language.Parse(lang)
	return err == nil
}

// quiet reports whether l, which lang cannot read, means no preference
// and goes untold: an empty entry of LANGUAGE, or a C or POSIX locale of
// any character set or modifier ("C", "C.UTF-8", "C.utf8", "POSIX",
// "C@euro").
func quiet(l string) bool {
	l, _, _ = strings.Cut(l, "@")
	l, _, _ = strings.Cut(l, ".")
	return l == "" || l == "C" || l == "POSIX"
}
