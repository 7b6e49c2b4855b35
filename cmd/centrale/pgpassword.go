package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	settings "github.com/pinsede/pinsede/internal/config"
)

// PasswordEnv is the environment variable that gives the PostgreSQL
// password, when -pg-password-file does not.
const PasswordEnv = "PINSEDE_PG_PASSWORD"

// pgConn is how centrale reaches PostgreSQL: the connection string, and
// where its password comes from, never the command line.
type pgConn struct {
	// DSN is -postgres; "" is the bbolt store.
	DSN string
	// PasswordFile is -pg-password-file: a file whose first line is the
	// password.
	PasswordFile string
	// fromArgs is set when DSN came from the command line.
	fromArgs bool
}

// errPasswordOnArgs refuses a password in a connection string given on
// the command line, where every user of the machine reads it (ps).
var errPasswordOnArgs = errors.New("-postgres on the command line holds a password, which every user of this machine can read in the process list: " +
	"put the password in a file named by -pg-password-file or in " + PasswordEnv + ", or the connection string in the config file or PINSEDE_CENTRALE_POSTGRES")

// pgFlags declares -postgres and -pg-password-file on fs.
func pgFlags(fs *flag.FlagSet, p *pgConn) {
	fs.StringVar(&p.DSN, "postgres", "", "PostgreSQL connection string (postgres://user@host/db), without its password; overrides -bolt")
	fs.StringVar(&p.PasswordFile, "pg-password-file", "", "`file` holding the PostgreSQL password (else $"+PasswordEnv+")")
}

// dsn returns the connection string with its password, from
// PasswordFile or else PasswordEnv; "" for the bbolt store.
func (p pgConn) dsn() (string, error) {
	if p.DSN == "" {
		return "", nil
	}
	has := dsnHasPassword(p.DSN)
	if has && p.fromArgs {
		return "", errPasswordOnArgs
	}
	pw, given, err := settings.Secret(p.PasswordFile, PasswordEnv)
	if err != nil {
		return "", fmt.Errorf("-pg-password-file: %w", err)
	}
	switch {
	case !given:
		return p.DSN, nil
	case has:
		return "", errors.New("-postgres holds a password, and -pg-password-file or " + PasswordEnv + " gives one too: keep one")
	}
	return withPassword(p.DSN, pw)
}

// exposed returns the mode of the password file when users other than
// its owner may read it, and whether they may: README and
// packaging/README.centrale ask for 0600. serve warns and goes on, where
// a 0644 file was taken without a word: refused, it would stop the
// centrale of a container, whose secrets are mounted 0644 or 0444.
func (p pgConn) exposed() (fs.FileMode, bool) {
	if p.DSN == "" || p.PasswordFile == "" {
		return 0, false
	}
	fi, err := os.Stat(p.PasswordFile)
	if err != nil {
		return 0, false // dsn said why
	}
	return fi.Mode().Perm(), fi.Mode().Perm()&0o077 != 0
}

// kvPassword finds a password in a connection string of keywords.
var kvPassword = regexp.MustCompile(`(^|\s)password\s*=`)

// isURL reports whether dsn is a URL rather than keyword=value pairs.
func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// dsnHasPassword reports whether the connection string holds a password.
func dsnHasPassword(dsn string) bool {
	if !isURL(dsn) {
		return kvPassword.MatchString(dsn)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return strings.Contains(dsn, "password") || strings.Contains(strings.SplitN(dsn, "@", 2)[0], ":")
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return u.Query().Has("password")
}

// withPassword returns dsn with the password pw.
func withPassword(dsn, pw string) (string, error) {
	if !isURL(dsn) {
		r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
		return dsn + " password='" + r.Replace(pw) + "'", nil
	}
	u, err := url.Parse(dsn)
	if err != nil { // its message would quote the string
		return "", errors.New("-postgres: not a valid URL")
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), nil
}
