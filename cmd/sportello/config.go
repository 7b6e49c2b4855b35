package main

import (
	"flag"

	settings "github.com/pinsede/pinsede/internal/config"
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
// (internal/config).
func parseSettings(fs *flag.FlagSet, args, environ, files []string) error {
	_, err := settings.Loader{EnvPrefix: EnvPrefix, Environ: environ, DefaultFiles: files}.Parse(fs, args)
	return err
}
