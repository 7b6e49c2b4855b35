package i18n

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"

	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/fynelocale"
)

// Usage writes the -h of the program to w in the current language: the
// synopsis (the translations' key usage.PROGRAM), then each option of
// fs with its text (usage.PROGRAM.NAME, the argument's name between
// backquotes; args fill its template: bounds, defaults) and its default.
func Usage(w io.Writer, program string, fs *flag.FlagSet, args map[string]any) {
	fmt.Fprintln(w, lang.L("usage."+program, args))
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(&flag.Flag{Name: f.Name, Usage: lang.L("usage."+program+"."+f.Name, args), Value: f.Value})
		line := "  -" + f.Name
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, text)
		switch f.DefValue {
		case "", "0", "0s", "false":
		default:
			fmt.Fprint(w, " "+lang.L("usage.default", map[string]any{"Value": f.DefValue}))
		}
		fmt.Fprintln(w)
	})
}

// Settings says in the current language what is wrong with the program's
// command line or settings, err as config.Loader.Parse returned it (not
// flag.ErrHelp): one message for each value refused; none for nil.
func Settings(program string, err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range settings.Errors(err) {
		key, args := e.Message()
		if dkey, dargs, ok := e.Detail(); ok { // the flag package's "parse error", said
			args["Err"] = lang.L(dkey, dargs)
		}
		out = append(out, lang.L(key, args))
	}
	if len(out) > 0 {
		return out
	}
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
		return []string{lang.L("args.unknown", map[string]any{"Program": program, "Flag": name})}
	}
	return []string{lang.L("args.bad", map[string]any{"Program": program, "Err": err.Error()})}
}

// Origin names, in the current language, where the setting name of a
// program got its value: the command line's option, the environment
// variable (envPrefix and the name, config.Loader.EnvVar) or the key of
// the file of st (nil: the command line).
func Origin(st *settings.Settings, envPrefix, name string) string {
	src := settings.Default
	if st != nil {
		src = st.Source(name)
	}
	switch src {
	case settings.File:
		return lang.L("settings.from.file", map[string]any{"Name": name, "File": st.File})
	case settings.Env:
		return lang.L("settings.from.env", map[string]any{"Var": settings.Loader{EnvPrefix: envPrefix}.EnvVar(name)})
	}
	return lang.L("settings.from.args", map[string]any{"Name": name})
}

// FromLocale returns the language of the process's locale among
// Languages (LC_ALL, LC_MESSAGES, LANG, then LANGUAGE, as gettext reads
// them): English when it says English, Italian otherwise. The programs
// without a -lang say their command line in it.
func FromLocale() string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "en") {
			return "en"
		}
		return Default
	}
	return Default
}

// UnreadLocale says, in the current language, which language of a
// locale variable of the program's start Fyne could not read, and was
// ignored (LANG=garbage); "" when none. A C or POSIX locale is not
// one: it means no preference (internal/fynelocale). The kiosk tells it
// once, on its standard error, as it tells its settings' problems.
func UnreadLocale() string {
	name, value := fynelocale.Unread()
	if name == "" {
		return ""
	}
	return lang.L("locale.unread", map[string]any{"Name": name, "Value": value})
}
