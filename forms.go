package pinsede

import (
	"context"
	"fmt"
	"time"
)

// DocumentMV35 is the kind of the archived MV35 (see Tx.PutDocument).
const DocumentMV35 = "mv35"

// MaxFormBytes is the largest archived form (ArchivedForm.PDF) that the
// central records accept.
const MaxFormBytes = 1 << 20

// MV35Data is what the filled modello MV35, "Richiesta assegnazione PIN
// dispositivo per il cittadino in sede", carries. It holds no PIN.
type MV35Data struct {
	Request  Request
	Document Document
	Sede     Sede
	// Operator is the name of the operator who verifies the identity.
	Operator string
	// Date is when the citizen signs the form.
	Date time.Time
	// Replaces is true when the new PIN replaces one the citizen has.
	Replaces bool
}

// FormRenderer renders the documents the desk prints and archives that
// hold no PIN, as PDF: every one of them, so that a renderer that lacks
// one does not compile. The domain cannot draw: the user interface's
// layer provides it (ui/desk.MV35Renderer). The slip, which holds the
// PIN, is rendered and printed by the SlipPrinter alone, in one call that
// hands no bytes back. The kiosk's ticket is the kiosk's own paper
// (ui/ticket): the kiosk runs no Desk, and its binary links no slip.
type FormRenderer interface {
	// RenderMV35 renders the filled MV35.
	RenderMV35(MV35Data) ([]byte, error)
	// RenderInfoSheet renders the information sheet on SPID, CIE and CNS
	// given to a citizen the policy refuses a PIN. It holds no personal
	// data.
	RenderInfoSheet() ([]byte, error)
	// RenderReconciliation renders the end-of-day reconciliation.
	RenderReconciliation(Reconciliation) ([]byte, error)
}

// DocumentPrinter prints a finished document that holds no PIN. title
// names the job in the printer queue and carries no personal data.
type DocumentPrinter interface {
	PrintDocument(ctx context.Context, title string, pdf []byte) error
}

// PrintMV35 prints the filled MV35 of req and doc for the citizen to sign,
// and audits it. It needs Forms and Documents (ErrNoPrinter without them).
// An invalid request returns FieldErrors and prints nothing; the document
// may still be incomplete, as the citizen signs before the check ends.
func (d *Desk) PrintMV35(ctx context.Context, s *Session, req Request, doc Document) error {
	if d.Forms == nil || d.Documents == nil {
		return ErrNoPrinter
	}
	now := d.Now()
	if es := req.Validate(DateOf(now)); len(es) > 0 {
		return es
	}
	pdf, err := d.Forms.RenderMV35(MV35Data{
		Request: req, Document: doc, Sede: s.Sede, Operator: s.Operator.Name, Date: now, Replaces: d.hasActive(req.CodiceFiscale, now),
	})
	if err != nil {
		return fmt.Errorf("print mv35: %w", err)
	}
	if err := d.Documents.PrintDocument(ctx, "mv35-"+s.Sede.Code, pdf); err != nil {
		return &Problem{Key: KeyPrintFailed, Err: fmt.Errorf("print mv35: %w", err)}
	}
	err = d.update(s, func(tx Tx) error {
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionMV35Printed, Subject: req.CodiceFiscale})
	})
	if err != nil {
		return fmt.Errorf("record mv35 print: %w", err)
	}
	return nil
}

// hasActive reports whether the citizen cf has an active credential at now;
// false when it cannot tell.
func (d *Desk) hasActive(cf CodiceFiscale, now time.Time) bool {
	active := false
	_ = d.Store.View(func(tx Tx) error {
		creds, err := tx.Credentials(cf)
		for _, c := range creds {
			active = active || c.Active(now)
		}
		return err
	})
	return active
}

// archiveMV35 renders the MV35 of a new credential and archives it, sealed,
// in the transaction that commits the credential, and enqueues an
// EventFormArchived that carries it to the central records, to be kept
// with the credential's record there: the event names the PDF by its
// SHA-256 and size, and the outbox keeps the bytes beside it. It goes after the credential's
// EventIssued in the outbox: the central records take a form only for a
// credential they hold. Without Forms it does nothing.
func (d *Desk) archiveMV35(tx Tx, credentialID string, f MV35Data) error {
	if d.Forms == nil {
		return nil
	}
	pdf, err := d.Forms.RenderMV35(f)
	if err != nil {
		return fmt.Errorf("archive mv35: %w", err)
	}
	if len(pdf) > MaxFormBytes {
		return fmt.Errorf("archive mv35: %d bytes, over the %d the central records take", len(pdf), MaxFormBytes)
	}
	if err := tx.PutDocument(credentialID, DocumentMV35, pdf); err != nil {
		return fmt.Errorf("archive mv35: %w", err)
	}
	id, err := NewID(d.Rand)
	if err != nil {
		return fmt.Errorf("archive mv35: %w", err)
	}
	err = tx.Enqueue(Event{
		ID: id, Kind: EventFormArchived, Time: f.Date, Sede: f.Sede.Code,
		Credential: Credential{ID: credentialID, CodiceFiscale: f.Request.CodiceFiscale, Sede: f.Sede.Code},
		Form:       NewArchivedForm(DocumentMV35, pdf),
	})
	if err != nil {
		return fmt.Errorf("archive mv35: %w", err)
	}
	return nil
}
