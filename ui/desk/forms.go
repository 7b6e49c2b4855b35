package desk

import (
	"context"
	"fmt"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/slip"
)

// MV35Renderer renders the domain's documents that hold no PIN (the
// MV35, the information sheet, the reconciliation) with ui/slip: set it
// as pinsede.Desk.Forms to archive and print them.
type MV35Renderer struct{}

var _ pinsede.FormRenderer = MV35Renderer{}

// RenderMV35 renders the filled MV35 as a PDF.
func (MV35Renderer) RenderMV35(f pinsede.MV35Data) ([]byte, error) {
	return slip.MV35(slip.MV35Form(f))
}

// RenderInfoSheet renders the information sheet on SPID, CIE and CNS as a
// PDF.
func (MV35Renderer) RenderInfoSheet() ([]byte, error) { return slip.InfoSheet() }

// RenderReconciliation renders the end-of-day reconciliation as a PDF.
func (MV35Renderer) RenderReconciliation(r pinsede.Reconciliation) ([]byte, error) {
	return slip.Reconciliation(r)
}

// DocumentPrinter prints the domain's documents that hold no PIN (the
// MV35) on a printer back end: set it as pinsede.Desk.Documents.
type DocumentPrinter struct {
	Backend cups.Backend
}

var _ pinsede.DocumentPrinter = DocumentPrinter{}

// PrintDocument prints pdf as a job named title.
func (p DocumentPrinter) PrintDocument(ctx context.Context, title string, pdf []byte) error {
	if p.Backend == nil {
		return fmt.Errorf("print %s: %w", title, pinsede.ErrNoPrinter)
	}
	if err := p.Backend.Print(ctx, cups.Job{Title: title, PDF: pdf}); err != nil {
		return fmt.Errorf("print %s: %w", title, err)
	}
	return nil
}
