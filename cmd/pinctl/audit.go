package main

import (
	"fmt"

	"github.com/pinsede/pinsede/local"
)

// problemKinds name the kinds of break in the audit chain in Italian.
var problemKinds = map[string]string{
	local.ProblemModified:   "modificata",
	local.ProblemMissing:    "mancante",
	local.ProblemReordered:  "fuori ordine",
	local.ProblemUnreadable: "illeggibile",
}

// cmdAuditVerify verifies the audit chain: it prints the count of entries
// when the chain is whole, and each break otherwise (exit 1).
func cmdAuditVerify(e *env, args []string) error {
	if len(args) > 0 {
		return &usageError{msg: "argomento inatteso: " + args[0]}
	}
	store, err := local.Open(e.storePath, e.keyPath)
	if err != nil {
		return err
	}
	defer store.Close()
	report, err := store.VerifyAudit()
	if err != nil {
		return err
	}
	if len(report.Problems) == 0 {
		fmt.Fprintf(e.stdout, "catena di audit integra: %d voci\n", report.Entries)
		return nil
	}
	fmt.Fprintf(e.stdout, "catena di audit NON integra: %d voci, %d problemi\n", report.Entries, len(report.Problems))
	for _, p := range report.Problems {
		kind, ok := problemKinds[p.Kind]
		if !ok {
			kind = p.Kind
		}
		fmt.Fprintf(e.stdout, "voce %d: %s (%s)\n", p.Seq, kind, p.Detail)
	}
	fmt.Fprintln(e.stderr, "pinctl: la catena di audit è stata alterata: non modificare l'archivio, "+
		"conservane una copia e avvisa il responsabile della sede")
	return errReported
}
