package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// MaxSecretBytes bounds a secret file: a password or a passphrase is a
// line of at most a few hundred bytes, and PostgreSQL's own password
// files hold lines of a few hundred too; 4 KiB leaves room for a long
// generated token, and refuses the wrong file named (a key, a log) before
// it is read into memory.
const MaxSecretBytes = 4 << 10

// Secret returns a secret the way every program takes one, never from its
// command line: the first line of file when file is not empty, else the
// environment variable env. given is false when neither gives one. A
// file of more than MaxSecretBytes, or whose first line is empty, is an
// error that names it; no error tells the secret.
func Secret(file, env string) (secret string, given bool, err error) {
	if file == "" {
		secret, given = os.LookupEnv(env)
		return secret, given, nil
	}
	b, err := smallfile.Read(file, "secret", MaxSecretBytes)
	if err != nil {
		return "", false, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", false, fmt.Errorf("secret file %s has nothing on its first line: write the secret there", file)
	}
	return line, true, nil
}
