// Package cups is the apps' one printing stack: it hands a finished PDF to
// the CUPS spooler over IPP and follows the job until it is printed. The
// desk prints its slips and forms with it, the kiosk its tickets. It knows
// nothing of the documents: ui/slip and ui/ticket render them.
//
// # Basics
//
// A [Backend] takes a finished PDF and returns once the printer has printed
// it, or with the reason it could not. [Queue] prints on a CUPS queue over
// IPP and follows the job to its end; [DevFolder] is the back end for
// development: it writes each PDF to a folder.
//
// # Caveats
//
// The PDF of a PIN slip holds the plaintext PIN. A Backend must not keep
// it, log it or write it anywhere that outlives the job: the caller (for a
// slip, slip.Printer) zeroes the buffer as soon as Print returns.
// DevFolder breaks that rule on purpose, and is therefore only for
// development: it is enabled by an explicit flag (sportello -dev-print,
// chiosco -ticket-dir), and the desk shows a red banner while it is in use.
//
// CUPS cannot print without a copy: cupsd keeps the document in its spool
// (/var/spool/cups/d*) while the job runs, and by default for a day after.
// Configure it with PreserveJobFiles No (scripts/cups-setup.sh and the
// "Printing" section of README.md say how). The HTTP transport that
// carries the PDF to cupsd copies pieces of it into buffers of its own,
// which are left to the garbage collector.
package cups

import "context"

// Backend prints a finished PDF.
type Backend interface {
	// Print prints job and returns when the printer has printed it (or,
	// for a back end that cannot know, accepted it). It must not keep
	// job.PDF after it returns: the caller may zero it.
	Print(ctx context.Context, job Job) error
}

// Job is a document to print.
type Job struct {
	// Title names the job in the printer queue. It carries no personal
	// data: for a slip, it is "busta-" and the slip's serial number; for a
	// kiosk ticket, "ticket-", the day and the queue number.
	Title string
	PDF   []byte
}
