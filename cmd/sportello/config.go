package main

import (
	"flag"
	"os"
	"path/filepath"
	"time"

	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/deskconn"
	"github.com/pinsede/pinsede/ui/desk"
)

// EnvPrefix starts the environment variables of the desk's settings.
const EnvPrefix = "PINSEDE_SPORTELLO_"

// The -config flag, on the command line's flag set.
var _ = flag.String(settings.Flag, "", "TOML `file` of settings, keys named as the flags (default: the first that exists of "+
	"the user's config folder/pinsede/sportello.toml and the machine's, /etc/pinsede/sportello.toml); PINSEDE_SPORTELLO_* variables override it, and flags override both")

// configFiles returns the files read when neither -config nor
// PINSEDE_SPORTELLO_CONFIG names one, the first that exists: the user's,
// then the machine's. The installed launcher starts the desk with no
// flags, so these set it up (centrale's address, the certificates).
func configFiles() []string { return settings.DefaultFiles("sportello") }

// parseSettings parses args on fs after the config file and environ
// (internal/config), and returns the file read ("" for none).
func parseSettings(fs *flag.FlagSet, args, environ, files []string) (string, error) {
	st, err := settings.Loader{EnvPrefix: EnvPrefix, Environ: environ, DefaultFiles: files}.Parse(fs, args)
	if st == nil {
		return "", err
	}
	return st.File, err
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
