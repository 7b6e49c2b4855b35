// Command pinctl is the administration tool of a sede's PIN desk, for the
// supervisor at the shell: it creates the store and the sede, manages the
// operator accounts and verifies the audit chain.
//
//	pinctl [-store FILE] [-key FILE] COMMAND [arguments]
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
