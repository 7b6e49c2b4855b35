package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/deskconn"
	"github.com/pinsede/pinsede/ui/desk"
	"github.com/pinsede/pinsede/ui/i18n"
)

// EnvPrefix starts the environment variables of the desk's settings.
const EnvPrefix = "PINSEDE_SPORTELLO_"

// The -config flag, on the command line's flag set.
var _ = flag.String(settings.Flag, "", "")

// configFiles returns the files read when neither -config nor
// PINSEDE_SPORTELLO_CONFIG names one, the first that exists: the user's,
// then the machine's. The installed launcher starts the desk with no
// flags, so these set it up (centrale's address, the certificates).
func configFiles() []string { return settings.DefaultFiles("sportello") }

// parseSettings parses args on fs after the config file and environ
// (internal/config), and returns where each value came from (nil when
// the command line did not parse or the file was not read).
func parseSettings(fs *flag.FlagSet, args, environ, files []string) (*settings.Settings, error) {
	return settings.Loader{EnvPrefix: EnvPrefix, Environ: environ, DefaultFiles: files}.Parse(fs, args)
}

// fileRead returns the file of settings st read; "" for none.
func fileRead(st *settings.Settings) string {
	if st == nil {
		return ""
	}
	return st.File
}

// origin names, in the clerk's language, where the setting name got its
// value (i18n.Origin).
func origin(st *settings.Settings, name string) string { return i18n.Origin(st, EnvPrefix, name) }

// settingsProblems says, in the clerk's language, what is wrong with
// the settings the desk started with, st and err as parseSettings
// returned them: each refused value, an option unknown, the language
// (of Languages), both printers; none when nothing is.
func settingsProblems(st *settings.Settings, err error, language, queue, devPrint string) []string {
	out := i18n.Settings("sportello", err)
	if !slices.Contains(i18n.Languages, language) && language != "" {
		out = append(out, lang.L("start.lang", map[string]any{"Lang": language, "From": origin(st, "lang")}))
	}
	if queue != "" && devPrint != "" {
		out = append(out, lang.L("start.printers", map[string]any{"Printer": origin(st, "printer"), "DevPrint": origin(st, "dev-print")}))
	}
	return out
}

// loadPolicy reads the policy file of the setting policy (pinsede.LoadPolicy),
// and says in the clerk's language why it cannot be used.
func loadPolicy(st *settings.Settings, path string) (*pinsede.Policy, string) {
	p, err := pinsede.LoadPolicy(path)
	switch {
	case err == nil:
		return &p, ""
	case errors.Is(err, os.ErrNotExist):
		return nil, lang.L("start.policy.missing", map[string]any{"Path": path, "From": origin(st, "policy")})
	}
	detail := err.Error()
	if pe := new(pinsede.PolicyError); errors.As(err, &pe) { // what is wrong inside it, said
		detail = lang.L(pe.Key, pe.Args)
	}
	return nil, lang.L("start.policy", map[string]any{"Path": path, "From": origin(st, "policy"), "Err": detail})
}

var _ desk.Connector = (*deskconn.Files)(nil)

// newConnector returns the connector of the settings screen: it writes
// the user's sportello.toml (the first of configFiles), seeded from
// read, the file read at start; nil when the user has no config folder
// (the settings then do not offer the connection).
func newConnector(read string, now func() time.Time) desk.Connector {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil
	}
	return &deskconn.Files{File: filepath.Join(dir, "pinsede", "sportello.toml"), Seed: read, Now: now}
}
