// Package printer prints the sealed-envelope PIN slips: [SlipPrinter]
// renders a slip with ui/slip and hands the PDF to a [Backend].
//
// # Basics
//
// A Backend takes a finished PDF and returns once the printer has printed
// it, or with the reason it could not. [CUPS] prints on a CUPS queue over
// IPP and follows the job to its end; [DevFolder] is the back end for
// development: it writes each PDF to a folder.
//
// # Caveats
//
// The PDF of a slip holds the plaintext PIN. A Backend must not keep it,
// log it or write it anywhere that outlives the job: SlipPrinter zeroes the
// buffer as soon as Print returns. DevFolder breaks that rule on purpose,
// and is therefore only for development: it is enabled by an explicit
// -dev-print flag, and the desk shows a red banner while it is in use.
//
// CUPS cannot print without a copy: cupsd keeps the document in its spool
// (/var/spool/cups/d*) while the job runs, and by default for a day after.
// Configure it with PreserveJobFiles No (scripts/cups-setup.sh and the
// "Printing" section of README.md say how). The HTTP transport that
// carries the PDF to cupsd copies pieces of it into buffers of its own,
// which are left to the garbage collector.
package printer

import (
	"context"
	"fmt"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/slip"
)

// Backend prints a finished PDF.
type Backend interface {
	// Print prints job and returns when the printer has printed it (or,
	// for a back end that cannot know, accepted it). It must not keep
	// job.PDF after it returns: the caller zeroes it.
	Print(ctx context.Context, job Job) error
}

// Job is a document to print.
type Job struct {
	// Title names the job in the printer queue. It carries no personal
	// data: for a slip, it is "busta-" and the slip's serial number.
	Title string
	PDF   []byte
}

// SlipPrinter renders slips with ui/slip and prints them on a Backend.
type SlipPrinter struct {
	Backend Backend
}

var _ pinsede.SlipPrinter = SlipPrinter{}

// PrintSlip renders s, prints it on the back end, then zeroes the PDF.
func (p SlipPrinter) PrintSlip(ctx context.Context, s pinsede.Slip) error {
	if p.Backend == nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, pinsede.ErrNoPrinter)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, err)
	}
	pdf, err := slip.Render(s)
	if err != nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, err)
	}
	defer clear(pdf)
	if err := p.Backend.Print(ctx, Job{Title: "busta-" + s.Serial, PDF: pdf}); err != nil {
		return fmt.Errorf("print slip %s: %w", s.Serial, err)
	}
	return nil
}
