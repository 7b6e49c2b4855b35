package pinsede

import (
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
	err := d.Store.Update(func(tx Tx) error {
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
