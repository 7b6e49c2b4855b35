package pinsede

import (
	"fmt"
)

// ActionAuditExported records an export of the audit (ExportAudit): who,
// and which days and filters, in its Detail.
const ActionAuditExported AuditAction = "audit.exported"

// MaxAuditExportDays bounds the days of one export: a year and a day.
const MaxAuditExportDays = 366

// AuditFilter selects the entries of an export: the days From to To, both
// included (local time), and when not empty one operator (Actor) and one
// action.
type AuditFilter struct {
	From, To Date
	Actor    string
	Action   AuditAction
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
	return s
}

// ExportAudit returns the audit entries f selects, oldest first, for a
// supervisor (or an administrator at the shell), and records the export
// itself in the audit in the same transaction: the entries name citizens.
func (d *Desk) ExportAudit(s *Session, f AuditFilter) ([]AuditEntry, error) {
	if !s.IsSupervisor() {
		return nil, ErrForbidden
	}
	switch {
	case f.From.IsZero() || f.To.IsZero():
		return nil, fmt.Errorf("export audit: from and to days are both needed")
	case f.To.Before(f.From):
		return nil, fmt.Errorf("export audit: %s is before %s", f.To.Italian(), f.From.Italian())
	case f.From.Time().AddDate(0, 0, MaxAuditExportDays).Before(f.To.Time()):
		return nil, fmt.Errorf("export audit: at most %d days at once", MaxAuditExportDays)
	}
	now := d.Now()
	var out []AuditEntry
	err := d.Store.Update(func(tx Tx) error {
		out = nil
		for day := f.From; !day.After(f.To); day = DateOf(day.Time().AddDate(0, 0, 1)) {
			es, err := tx.AuditOn(day)
			if err != nil {
				return err
			}
			for _, e := range es {
				if (f.Actor == "" || e.Actor == f.Actor) && (f.Action == "" || e.Action == f.Action) {
					out = append(out, e)
				}
			}
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionAuditExported, Detail: f.String()})
	})
	if err != nil {
		return nil, fmt.Errorf("export audit %s: %w", f, err)
	}
	return out, nil
}
