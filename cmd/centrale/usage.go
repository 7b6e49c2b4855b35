package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A sub is one of centrale's subcommands.
type sub struct {
	name string
	// synopsis is the line of the usage after "centrale ".
	synopsis string
	run      func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// subs are centrale's subcommands, in the order of the usage.
var subs = []sub{
	{"revoke", "revoke [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -reason TEXT CREDENTIAL_ID", runRevoke},
	{"unlock", "unlock [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -cf CODICEFISCALE", runUnlock},
	{"credentials", "credentials [-admin SOCKET | -bolt FILE | -postgres DSN] -cf CODICEFISCALE", runCredentials},
	{"sedi", "sedi [-admin SOCKET | -bolt FILE | -postgres DSN]", runSedi},
	{"audit", "audit forks|reset [-admin SOCKET | -bolt FILE | -postgres DSN] ...", runAudit},
	{"backup", "backup -bolt FILE -out FILE", func(_ context.Context, args []string, stdout, stderr io.Writer) int {
		return runBackup(args, stdout, stderr)
	}},
	{"restore", "restore -bolt FILE | -postgres DSN [-force]", runRestore},
	{"healthcheck", "healthcheck [-manage ADDR] [-path /healthz]", runHealthcheck},
}

// subcommand returns the subcommand called name, if there is one.
func subcommand(name string) (sub, bool) {
	i := slices.IndexFunc(subs, func(s sub) bool { return s.name == name })
	if i < 0 {
		return sub{}, false
	}
	return subs[i], true
}

// subNames returns the names of the subcommands, comma-separated.
func subNames() string {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// serverUsage starts centrale -h: how to run the server, the
// subcommands, then the server's flags (flag.PrintDefaults).
var serverUsage = func() string {
	var b strings.Builder
	b.WriteString("usage: centrale [flags]          run the central records server (its flags below)\n")
	b.WriteString("       centrale COMMAND [flags]  run a command, its flags after its name (centrale COMMAND -h for them):\n")
	for _, s := range subs {
		fmt.Fprintf(&b, "  centrale %s\n", s.synopsis)
	}
	b.WriteString("\nthe server's flags:\n")
	return b.String()
}()

// extraArgs is the error of arguments left after the server's flags:
// a command misspelt, or named after flags that belong after it.
func extraArgs(args []string) error {
	if _, ok := subcommand(args[0]); ok {
		return fmt.Errorf("%q is a command: name it first, its flags after it (centrale %s -admin SOCKET ..., centrale %s -h for its flags)",
			args[0], args[0], args[0])
	}
	return fmt.Errorf("unknown command %q: the commands are %s (centrale -h lists them with their flags)", args[0], subNames())
}
