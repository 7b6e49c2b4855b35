package main

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pinsede/pinsede"
)

// auditExportArgs are the flags of audit export.
type auditExportArgs struct {
	from, to, actor, action, cf, format, out string
}

func (a *auditExportArgs) declare(fs *flag.FlagSet) {
	fs.StringVar(&a.from, "from", "", "primo giorno, gg/mm/aaaa")
	fs.StringVar(&a.to, "to", "", "ultimo giorno, gg/mm/aaaa (compreso; vuoto: lo stesso di -from)")
	fs.StringVar(&a.actor, "operator", "", "solo le voci di questo operatore")
	fs.StringVar(&a.action, "action", "", "solo le voci di questa azione (per esempio credential.revoked)")
	fs.StringVar(&a.cf, "cf", "", "solo le voci di questo `codice fiscale`")
	fs.StringVar(&a.format, "format", "csv", "csv o json")
	fs.StringVar(&a.out, "out", "", "`FILE` in cui scrivere (0600); vuoto: lo schermo")
}

// auditExportFlags declares the flags of audit export, for its usage.
func auditExportFlags(fs *flag.FlagSet) { new(auditExportArgs).declare(fs) }

// auditColumns are the columns of the CSV export, one per field of an
// entry, the hashes in hexadecimal.
var auditColumns = []string{"seq", "time", "sede", "desk", "actor", "action", "subject", "credential", "detail", "prev", "hash"}

// cmdAuditExport writes the audit entries of some days, by operator and
// action, as CSV or JSON: for a supervisor or an inspection. The export is
// itself audited (Desk.ExportAudit).
func cmdAuditExport(e *env, args []string) error {
	var a auditExportArgs
	if err := parseFlags(args, a.declare, "from"); err != nil {
		return err
	}
	if a.to == "" {
		a.to = a.from
	}
	f := pinsede.AuditFilter{Actor: a.actor, Action: pinsede.AuditAction(a.action)}
	var err error
	if f.From, err = pinsede.ParseDate(a.from); err != nil {
		return &usageError{msg: "-from: " + a.from + ": scrivi il giorno come gg/mm/aaaa"}
	}
	if f.To, err = pinsede.ParseDate(a.to); err != nil {
		return &usageError{msg: "-to: " + a.to + ": scrivi il giorno come gg/mm/aaaa"}
	}
	if a.cf != "" {
		if f.Subject, err = pinsede.ParseCodiceFiscale(a.cf); err != nil {
			return &usageError{msg: "-cf: " + a.cf + ": codice fiscale non valido"}
		}
	}
	if a.format != "csv" && a.format != "json" {
		return &usageError{msg: "-format: " + a.format + ": csv o json"}
	}
	for _, fe := range f.Validate() {
		switch fe.Key {
		case pinsede.KeyAuditOrder:
			return &usageError{msg: "-to: " + a.to + " viene prima di -from " + a.from}
		case pinsede.KeyAuditDays:
			return &usageError{msg: fmt.Sprintf("-from %s -to %s: al massimo %d giorni per volta", a.from, a.to, pinsede.MaxAuditExportDays)}
		}
	}
	var entries []pinsede.AuditEntry
	if err := e.supervise(func(d *pinsede.Desk, s *pinsede.Session) error {
		entries, err = d.ExportAudit(s, f)
		return err
	}); err != nil {
		return err
	}
	w := e.stdout
	if a.out != "" {
		file, err := os.OpenFile(a.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("-out: %w", err)
		}
		defer file.Close()
		w = file
	}
	if err := writeAudit(w, a.format, entries); err != nil {
		return fmt.Errorf("write the export: %w", err)
	}
	if a.out != "" {
		fmt.Fprintf(e.stdout, "%d voci (%s) scritte in %s\n", len(entries), f, a.out)
	}
	return nil
}

// writeAudit writes entries to w as CSV (a header, then a row each) or
// JSON (one array).
func writeAudit(w io.Writer, format string, entries []pinsede.AuditEntry) error {
	if format == "json" {
		if entries == nil {
			entries = []pinsede.AuditEntry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	c := csv.NewWriter(w)
	if err := c.Write(auditColumns); err != nil {
		return err
	}
	for _, e := range entries {
		if err := c.Write([]string{
			fmt.Sprint(e.Seq), e.Time.Format(time.RFC3339), e.Sede, e.Desk, e.Actor, string(e.Action),
			string(e.Subject), e.Credential, e.Detail, hex.EncodeToString(e.Prev), hex.EncodeToString(e.Hash),
		}); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}
