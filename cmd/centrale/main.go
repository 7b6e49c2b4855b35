// Command centrale is the central records server: it receives every sede's
// records, makes PINs valid everywhere, and answers PIN checks.
//
//	centrale -pki DIR [-listen ADDR] [-bolt FILE | -postgres DSN] [-lock-after N]
//
// It serves the API of sync/server over TLS 1.3 with client certificates
// (mutual TLS) from the CA that `pinctl ca` manages. Run centrale -h for
// the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
