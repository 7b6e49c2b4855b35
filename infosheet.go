package pinsede

import (
	"context"
	"fmt"
)

// PrintInfoSheet prints the information sheet on SPID, CIE and CNS for a
// citizen refused a PIN, and audits it (with the citizen cf, when given).
// It needs Forms and Documents (ErrNoPrinter without them). The print stays in the sede's audit chain,
// with no outbox event: the refusal it follows reached the central records
// already (EventRefused).
func (d *Desk) PrintInfoSheet(ctx context.Context, s *Session, cf CodiceFiscale) error {
	if d.Forms == nil || d.Documents == nil {
		return ErrNoPrinter
	}
	pdf, err := d.Forms.RenderInfoSheet()
	if err != nil {
		return fmt.Errorf("print info sheet: %w", err)
	}
	if err := d.Documents.PrintDocument(ctx, "informativa-"+s.Sede.Code, pdf); err != nil {
		return &Problem{Key: KeyPrintFailed, Err: fmt.Errorf("print info sheet: %w", err)}
	}
	now := d.Now()
	err = d.update(s, func(tx Tx) error {
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionInfoSheetPrinted, Subject: cf})
	})
	if err != nil {
		return fmt.Errorf("record info sheet print: %w", err)
	}
	return nil
}
