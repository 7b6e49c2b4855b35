package config

import (
	"fmt"
	"os"
	"strings"
)

// Secret returns a secret the way every program takes one, never from its
// command line: the first line of file when file is not empty, else the
// environment variable env. given is false when neither gives one.
func Secret(file, env string) (secret string, given bool, err error) {
	if file == "" {
		secret, given = os.LookupEnv(env)
		return secret, given, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", false, fmt.Errorf("secret: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSuffix(line, "\r"), true, nil
}
