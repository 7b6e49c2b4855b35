package server

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/pinsede/pinsede/assets"
	"github.com/pinsede/pinsede/sync/central"
)

// StatusLanguages are the languages of the status page, the default
// first: the one served when the browser's Accept-Language asks for none
// of them.
var StatusLanguages = []language.Tag{language.Italian, language.English}

// statusBundle holds the status page's translations, from
// assets.CentraleTranslations: one file per language of StatusLanguages.
var statusBundle = loadStatusBundle()

// statusMatcher chooses among StatusLanguages.
var statusMatcher = language.NewMatcher(StatusLanguages)

// loadStatusBundle reads the status page's translations. The files are
// embedded: one that does not parse is a bug of the build, which any
// test of the package finds, and stops centrale at its start.
func loadStatusBundle() *i18n.Bundle {
	b := i18n.NewBundle(StatusLanguages[0])
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, tag := range StatusLanguages {
		name := "centrale/translations/" + tag.String() + ".json"
		data, err := fs.ReadFile(assets.CentraleTranslations, name)
		if err != nil {
			panic(fmt.Sprintf("status page: %v", err))
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			panic(fmt.Sprintf("status page: %s: %v", name, err))
		}
	}
	return b
}

// statusText is the text of the status page in one language.
type statusText struct {
	// Lang is the language's code, for the page's lang attribute and
	// the Content-Language header.
	Lang string
	loc  *i18n.Localizer
}

// maxAcceptLanguages is how many languages of an Accept-Language header
// are read: the others are ignored.
const maxAcceptLanguages = 16

// newStatusText returns the text in the language of StatusLanguages
// that acceptLanguage (an Accept-Language header) prefers, the first
// when it prefers none. Each language of the header is read on its own:
// one that cannot be read ("it;q=0.5;q=0.8", as Chromium sends an
// --accept-lang with weights) is ignored, not the whole header.
func newStatusText(acceptLanguage string) statusText {
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var prefs []weighted
	for i, part := range strings.Split(acceptLanguage, ",") {
		if i == maxAcceptLanguages {
			break
		}
		tags, qs, err := language.ParseAcceptLanguage(part)
		if err != nil || len(tags) != 1 {
			continue
		}
		prefs = append(prefs, weighted{tags[0], qs[0]})
	}
	slices.SortStableFunc(prefs, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(prefs))
	for i, p := range prefs {
		tags[i] = p.tag
	}
	_, i, _ := statusMatcher.Match(tags...)
	lang := StatusLanguages[i].String()
	return statusText{Lang: lang, loc: i18n.NewLocalizer(statusBundle, lang)}
}

// T returns the message id with its arguments, given as pairs of a name
// and a value ("Store", "bolt"). A message missing is shown as its id.
func (t statusText) T(id string, args ...any) string {
	return t.localize(id, nil, args)
}

// N returns the message id in its plural form for n, which it gets as
// Count, with the other arguments as T's.
func (t statusText) N(id string, n int, args ...any) string {
	return t.localize(id, n, append(args, "Count", n))
}

// localize returns the message id, in the plural form for count when not
// nil, with the arguments args.
func (t statusText) localize(id string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// time formats tm as the operators read it, in Italy's time: day, month,
// year, hour and minute.
func (t statusText) time(tm time.Time) string {
	return tm.In(central.Italy).Format(t.T("status.time"))
}

// since says when t was, and how long before now, and its class: warn
// when longer ago than staleSync, or never.
func (t statusText) since(tm, now time.Time) (string, string) {
	if tm.IsZero() {
		return t.T("status.never"), "warn"
	}
	class := "ok"
	if now.Sub(tm) > staleSync {
		class = "warn"
	}
	return t.time(tm) + " (" + t.relative(tm, now) + ")", class
}

// relative says how far tm is from now: "3 min fa", "in 12 days".
func (t statusText) relative(tm, now time.Time) string {
	d := tm.Sub(now)
	past := d < 0
	if past {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return t.T("status.now")
	case d < time.Hour:
		s = t.N("status.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		s = t.N("status.hours", int(d/time.Hour))
	default:
		s = t.N("status.days", int(d/(24*time.Hour)))
	}
	if past {
		return t.T("status.ago", "D", s)
	}
	return t.T("status.in", "D", s)
}

// count returns n as text, "at least n" when it counts only some.
func (t statusText) count(n int, some bool) string {
	if some {
		return t.T("status.at.least", "N", n)
	}
	return strconv.Itoa(n)
}
