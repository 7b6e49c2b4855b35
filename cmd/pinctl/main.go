// Command pinctl is the administration tool of a sede's PIN desk, for the
// supervisor at the shell: it creates the store and the sede, manages the
// operator accounts and verifies the audit chain.
//
//	pinctl [-config FILE] [-store FILE] [-key FILE] COMMAND [arguments]
//
// The store and key may also come from a TOML file (pinctl.toml) and from
// PINSEDE_PINCTL_* variables (internal/config).
//
// Run pinctl -h for the commands. It speaks Italian, like its users.
package main

import (
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now))
}
