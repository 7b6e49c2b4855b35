package slip

import (
	"context"
	"fmt"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
)

// Printer renders slips and prints them on a printer back end: set it as
// pinsede.Desk.Printer.
type Printer struct {
	Backend cups.Backend
}

var _ pinsede.SlipPrinter = Printer{}

// PrintSlip renders s, prints it on the back end, then zeroes the PDF.
func (p Printer) PrintSlip(ctx context.Context, s pinsede.Slip) error {
	if p.Backend == nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, pinsede.ErrNoPrinter)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, err)
	}
	pdf, err := Render(s)
	if err != nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, err)
	}
	defer clear(pdf)
	if err := p.Backend.Print(ctx, cups.Job{Title: "busta-" + s.Serial, PDF: pdf}); err != nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, err)
	}
	return nil
}
