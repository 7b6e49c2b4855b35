package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/local"
)

// auditExportArgs are the flags of audit export.
type auditExportArgs struct {
	from, to, actor, action, cf, format, out string
	// central, with -centrale, exports the whole sede.
	central centraleFlags
}

func (a *auditExportArgs) declare(fs *flag.FlagSet) {
	fs.StringVar(&a.from, "from", "", "primo giorno, gg/mm/aaaa")
	fs.StringVar(&a.to, "to", "", "ultimo giorno, gg/mm/aaaa (compreso; vuoto: lo stesso di -from)")
	fs.StringVar(&a.actor, "operator", "", "solo le voci di questo operatore")
	fs.StringVar(&a.action, "action", "", "solo le voci di questa azione (per esempio credential.revoked)")
	fs.StringVar(&a.cf, "cf", "", "solo le voci di questo `codice fiscale`")
	fs.StringVar(&a.format, "format", "csv", "csv o json")
	fs.StringVar(&a.out, "out", "", "`FILE` in cui scrivere (0600); vuoto: lo schermo")
	a.central.declare(fs)
	fs.Lookup("centrale").Usage = "l'`URL` di centrale (https://centrale:8443): esporta le voci di tutti gli sportelli della sede"
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
		return dateFlagError("-from", a.from, err)
	}
	if f.To, err = pinsede.ParseDate(a.to); err != nil {
		return dateFlagError("-to", a.to, err)
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
	if err := a.central.check(); err != nil {
		return err
	}
	if err := newOut(a.out); err != nil {
		return err
	}
	if a.central.url != "" {
		return exportSede(e, a, f)
	}
	var entries []pinsede.AuditEntry
	if err := e.supervise(func(d *pinsede.Desk, s *pinsede.Session) error {
		entries, err = d.ExportAudit(s, f)
		return err
	}); err != nil {
		return err
	}
	if a.out == "" {
		if err := writeAudit(e.stdout, a.format, entries); err != nil {
			return fmt.Errorf("write the export: %w", err)
		}
		return nil
	}
	if err := writeExport(a.out, func(w io.Writer) error { return writeAudit(w, a.format, entries) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d voci (%s) scritte in %s\n", len(entries), f, a.out)
	return nil
}

// dateFlagError says what is wrong with the day value of the flag name,
// err from ParseDate: a day not in the calendar, or how to write one.
func dateFlagError(name, value string, err error) error {
	if errors.Is(err, pinsede.ErrNoSuchDay) {
		return &usageError{msg: name + ": " + value + ": " + message(pinsede.KeyDateImpossible, nil)}
	}
	return &usageError{msg: name + ": " + value + ": scrivi il giorno come gg/mm/aaaa"}
}

// newOut refuses an -out that exists, or whose folder does not
// (outFolder): an export makes a new file, and never overwrites one.
func newOut(out string) error {
	if out == "" {
		return nil
	}
	if _, err := os.Lstat(out); err == nil {
		return &failure{msg: fmt.Sprintf("-out: %s esiste già: indica un file nuovo (l'esportazione non ne sovrascrive uno)", out)}
	}
	return outFolder("-out", out)
}

// writeExport makes the file out (0600) with what write writes, whole or
// not at all (settings.WriteNew): on error nothing is left at out, and
// the error, a failure, says once in Italian what failed, that nothing
// was written, and what to do (writeProblem).
func writeExport(out string, write func(io.Writer) error) error {
	err := settings.WriteNew(out, 0o600, write)
	if err == nil {
		return nil
	}
	why, todo := writeProblem("-out", filepath.Dir(out), err)
	return &failure{msg: fmt.Sprintf("esportazione non scritta in %s: %s.\n"+
		"Non è stato scritto nulla: %s, poi ripeti il comando", out, why, todo)}
}

// writeAudit writes entries to w as CSV (a header, then a row each) or
// JSON (one array).
func writeAudit(w io.Writer, format string, entries []pinsede.AuditEntry) error {
	af := formats[format]
	var chunk bytes.Buffer
	for i, e := range entries {
		if err := af.entry(&chunk, i > 0, e); err != nil {
			return err
		}
	}
	return af.write(w, len(entries), []*io.SectionReader{io.NewSectionReader(bytes.NewReader(chunk.Bytes()), 0, int64(chunk.Len()))})
}

// auditFormat is how an export writes its entries: before them, each
// (after the one before it), and after them.
type auditFormat struct {
	head, sep, tail, empty string
	encode                 func(e pinsede.AuditEntry) ([]byte, error)
}

// formats are the formats of an export, by the name -format gives.
var formats = map[string]auditFormat{
	"csv": {head: csvRow(auditColumns), encode: func(e pinsede.AuditEntry) ([]byte, error) {
		return []byte(csvRow([]string{
			fmt.Sprint(e.Seq), e.Time.Format(time.RFC3339), e.Sede, e.Desk, e.Actor, string(e.Action),
			string(e.Subject), e.Credential, e.Detail, hex.EncodeToString(e.Prev), hex.EncodeToString(e.Hash),
		})), nil
	}},
	// An array indented as json.Encoder.SetIndent("", "  ") writes it.
	"json": {head: "[\n", sep: ",\n", tail: "\n]\n", empty: "[]\n", encode: func(e pinsede.AuditEntry) ([]byte, error) {
		b, err := json.MarshalIndent(e, "  ", "  ")
		return append([]byte("  "), b...), err
	}},
}

// csvRow is one CSV record, with its line's end, each field a csvCell.
func csvRow(fields []string) string {
	cells := make([]string, len(fields))
	for i, f := range fields {
		cells[i] = csvCell(f)
	}
	var b strings.Builder
	c := csv.NewWriter(&b)
	c.Write(cells) // a strings.Builder does not fail
	c.Flush()
	return b.String()
}

// csvCell neutralises a text a spreadsheet would run as a formula (CSV
// injection, as OWASP advises): one that begins with = + - @, a tab or a
// carriage return gets a ' in front, and so does one that begins with ',
// so that the exact text is what is left of a cell once the ' that
// begins it, if any, is dropped. A revocation reason
// =HYPERLINK("http://…","busta smarrita") is kept as text, not a link.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// entry appends e to chunk, after the separator when it follows another.
func (af auditFormat) entry(chunk *bytes.Buffer, follows bool, e pinsede.AuditEntry) error {
	b, err := af.encode(e)
	if err != nil {
		return fmt.Errorf("entry %s/%d: %w", e.Desk, e.Seq, err)
	}
	if follows {
		chunk.WriteString(af.sep)
	}
	chunk.Write(b)
	return nil
}

// write writes n entries, encoded in the chunks in their order, each
// chunk's entries already separated, to w, with what comes before, between
// the chunks and after.
func (af auditFormat) write(w io.Writer, n int, chunks []*io.SectionReader) error {
	if n == 0 && af.empty != "" {
		_, err := io.WriteString(w, af.empty)
		return err
	}
	if _, err := io.WriteString(w, af.head); err != nil {
		return err
	}
	first := true
	for _, c := range chunks {
		if c.Size() == 0 {
			continue
		}
		if !first {
			if _, err := io.WriteString(w, af.sep); err != nil {
				return err
			}
		}
		if _, err := io.Copy(w, c); err != nil {
			return err
		}
		first = false
	}
	_, err := io.WriteString(w, af.tail)
	return err
}

// exportSede writes the audit entries of every desk of the sede that f
// selects, as centrale keeps them, read page by page with the
// certificate of -centrale (Desk.ExportSedeAudit), in the format and
// order of the export of this desk: oldest first, each naming its desk.
// It says on stderr how far it got. The pages come newest first: each is
// kept, its entries oldest first, in a spool file (0600, beside -out or
// in the temporary folder, removed at the end), and the export written
// from the pages in reverse once all are read and the export audited:
// -out is made whole under a temporary name and linked into place, so a
// file of that name is always complete; a page that cannot be read
// leaves nothing, and says which page and what to do.
func exportSede(e *env, a auditExportArgs, f pinsede.AuditFilter) error {
	af := formats[a.format]
	dir := os.TempDir()
	if a.out != "" {
		dir = filepath.Dir(a.out)
	}
	spool, err := os.CreateTemp(dir, ".pinctl-audit-*.part")
	if err != nil {
		why, todo := writeProblem("-out", dir, err)
		return &failure{msg: fmt.Sprintf("esportazione non scritta: %s.\nNon è stato scritto nulla: %s, poi ripeti il comando", why, todo)}
	}
	defer func() { spool.Close(); os.Remove(spool.Name()) }()
	var chunks []*io.SectionReader
	var size int64
	total := 0
	page := func(n int, es []pinsede.AuditEntry) error {
		var b bytes.Buffer
		for i := len(es) - 1; i >= 0; i-- {
			if err := af.entry(&b, i < len(es)-1, es[i]); err != nil {
				return err
			}
		}
		if _, err := spool.Write(b.Bytes()); err != nil {
			return fmt.Errorf("keep page %d: %w", n, err)
		}
		chunks = append(chunks, io.NewSectionReader(spool, size, int64(b.Len())))
		size, total = size+int64(b.Len()), total+len(es)
		fmt.Fprintf(e.stderr, "pagina %d: %d voci (%d in tutto)\n", n, len(es), total)
		return nil
	}
	err = e.superviseStore(func(store *local.Store, d *pinsede.Desk, s *pinsede.Session) error {
		c, _, err := a.central.dial(e, store)
		if err != nil {
			return err
		}
		d.Central = c
		_, err = d.ExportSedeAudit(context.Background(), s, f, page)
		return err
	})
	var pe *pinsede.AuditPageError
	if errors.As(err, &pe) {
		why := pe.Err.Error()
		var p *pinsede.Problem
		switch {
		case errors.Is(pe.Err, pinsede.ErrAuditCursor):
			why = "centrale dice che ci sono altre voci ma non da dove proseguire: aggiorna centrale alla versione di pinctl"
		case errors.As(pe.Err, &p):
			why = message(p.Key, p.Args)
		}
		return &failure{msg: fmt.Sprintf("pagina %d dell'audit della sede (dopo %d voci lette): %s\n"+
			"nessun file scritto: riprova il comando quando centrale risponde (l'esportazione riparte dall'inizio)", pe.Page, pe.Read, why)}
	}
	if err != nil {
		return err
	}
	slices.Reverse(chunks)
	if a.out == "" {
		if err := af.write(e.stdout, total, chunks); err != nil {
			return fmt.Errorf("write the export: %w", err)
		}
		return nil
	}
	if err := writeExport(a.out, func(w io.Writer) error { return af.write(w, total, chunks) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d voci (%s%s) scritte in %s\n", total, pinsede.AuditSedeDetail, f, a.out)
	return nil
}
