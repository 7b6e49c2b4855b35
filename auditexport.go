package pinsede

import (
	"context"
	"fmt"
	"slices"
)

// ActionAuditExported records an export of the audit (ExportAudit): who,
// and which days and filters, in its Detail.
const ActionAuditExported AuditAction = "audit.exported"

// MaxAuditExportDays bounds the days of one export: a year and a day.
const MaxAuditExportDays = 366

// AuditFilter selects the entries of an export or a search: the days From
// to To, both included (local time), and when not empty one operator
// (Actor), one action and one citizen (Subject).
type AuditFilter struct {
	From, To Date
	Actor    string
	Action   AuditAction
	Subject  CodiceFiscale
}

// String describes the filter, as the export's own audit entry records it.
func (f AuditFilter) String() string {
	s := fmt.Sprintf("dal %s al %s", f.From.Italian(), f.To.Italian())
	if f.Actor != "" {
		s += ", operatore " + f.Actor
	}
	if f.Action != "" {
		s += ", azione " + string(f.Action)
	}
	if f.Subject != "" {
		s += ", codice fiscale " + string(f.Subject)
	}
	return s
}

// ExportAudit returns the audit entries f selects, oldest first, for a
// supervisor (or an administrator at the shell), and records the export
// itself in the audit in the same transaction: the entries name citizens.
// Problems with the filter come back as FieldErrors (AuditFilter.Validate).
func (d *Desk) ExportAudit(s *Session, f AuditFilter) ([]AuditEntry, error) {
	if !s.IsSupervisor() {
		return nil, ErrForbidden
	}
	if es := f.Validate(); len(es) > 0 {
		return nil, es
	}
	now := d.Now()
	var out []AuditEntry
	err := d.update(s, func(tx Tx) error {
		out = nil
		if err := f.newestFirst(tx, func(e AuditEntry) bool { out = append(out, e); return true }); err != nil {
			return err
		}
		slices.Reverse(out)
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionAuditExported, Detail: f.String()})
	})
	if err != nil {
		return nil, fmt.Errorf("export audit %s: %w", f, err)
	}
	return out, nil
}

// AuditPageError is the error of ExportSedeAudit when a page of the
// sede's audit could not be read: which page (from 1), how many entries
// the pages before gave, and why (a *Problem when the central records
// could not be reached).
type AuditPageError struct {
	Page, Read int
	Err        error
}

// Error names the page, the entries read before it, and why.
func (e *AuditPageError) Error() string {
	return fmt.Sprintf("page %d of the sede's audit (%d entries read before it): %v", e.Page, e.Read, e.Err)
}

// Unwrap returns why the page could not be read.
func (e *AuditPageError) Unwrap() error { return e.Err }

// ExportSedeAudit pages through the entries of every desk of the sede
// that f selects, at the central records (SearchSedeAudit's search), each
// page after the cursor of the one before, so that an export of any
// length finds each entry the central records held when it started once,
// while desks keep sending theirs (those sent meanwhile are in it when
// they come after the page being read, older than it). It calls page
// with each page, newest first, its number from 1; an error of page
// stops the export and is returned as it is. A page that cannot be read
// is an *AuditPageError. The export is recorded in this desk's audit
// (ActionAuditExported, its Detail starting with AuditSedeDetail) once
// every page was read: an export that fails leaves no entry, and the
// caller throws away what it got. It returns the entries read.
func (d *Desk) ExportSedeAudit(ctx context.Context, s *Session, f AuditFilter, page func(n int, es []AuditEntry) error) (int, error) {
	if !s.IsSupervisor() {
		return 0, ErrForbidden
	}
	if es := f.Validate(); len(es) > 0 {
		return 0, es
	}
	if d.Central == nil {
		return 0, fmt.Errorf("export the sede's audit: %w", ErrNoCentral)
	}
	var after AuditCursor
	read := 0
	for n := 1; ; n++ {
		found, err := d.Central.SearchAudit(ctx, f, after)
		switch {
		case err != nil:
			return read, &AuditPageError{Page: n, Read: read, Err: err}
		case !found.follows(after):
			return read, &AuditPageError{Page: n, Read: read, Err: ErrAuditCursor}
		}
		if err := page(n, found.Entries); err != nil {
			return read, err
		}
		read += len(found.Entries)
		if !found.More {
			break
		}
		after = found.Next
	}
	err := d.update(s, func(tx Tx) error {
		return appendAudit(tx, d.Now(), s.Sede.Code, s.Actor(), AuditEntry{Action: ActionAuditExported, Detail: AuditSedeDetail + f.String()})
	})
	if err != nil {
		return read, fmt.Errorf("export the sede's audit %s: %w", f, err)
	}
	return read, nil
}
