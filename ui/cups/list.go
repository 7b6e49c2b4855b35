package cups

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Printer is a CUPS queue as [ListPrinters] finds it.
type Printer struct {
	// Name is the queue's name, as lpstat -p lists it and Queue.Name takes.
	Name string
	// Info is the description an administrator gave the queue; may be "".
	Info string
	// State is the queue's state: idle, printing or stopped.
	State PrinterState
	// Accepting tells whether the queue accepts jobs.
	Accepting bool
	// Reasons are the printer-state-reasons other than "none".
	Reasons []string
}

// PrinterState is the state of a CUPS queue (RFC 8011 5.4.12).
type PrinterState int

// The states of a queue.
const (
	PrinterIdle       PrinterState = 3
	PrinterProcessing PrinterState = 4
	PrinterStopped    PrinterState = 5
)

// String names the state.
func (s PrinterState) String() string {
	switch s {
	case PrinterIdle:
		return "idle"
	case PrinterProcessing:
		return "processing"
	case PrinterStopped:
		return "stopped"
	}
	return fmt.Sprintf("PrinterState(%d)", int(s))
}

// Key returns the message key that tells the user the state:
// print.queue.idle, print.queue.processing, print.queue.stopped.
func (s PrinterState) Key() string { return "print.queue." + s.String() }

// Ready reports whether a document sent to the queue now would print:
// it accepts jobs, is not stopped, and no reason stops it (the same
// checks Queue.Print makes before it sends a job).
func (p Printer) Ready() bool {
	if !p.Accepting || p.State == PrinterStopped {
		return false
	}
	for _, r := range p.Reasons {
		if !strings.HasSuffix(r, "-warning") {
			return false
		}
	}
	return true
}

// maxPrinters bounds a listing: a desk PC has a handful of queues, a print
// server that has more is cut here (and its answer by maxAnswerBytes).
const maxPrinters = 500

// ListPrinters returns the queues of the CUPS server (as Queue.Server:
// "" for the local one), sorted by name, with CUPS-Get-Printers over the
// connection that Queue.Print uses. A failure is a *pinsede.Problem with
// key KeyNoCUPS wrapping ErrNoCUPS.
func ListPrinters(ctx context.Context, server string) ([]Printer, error) {
	cl := newClient(Queue{Server: server}, "/")
	r := &ippRequest{op: opCUPSGetPrinters, id: 1}
	r.add(tagCharset, "attributes-charset", "utf-8")
	r.add(tagLanguage, "attributes-natural-language", "en")
	r.add(tagName, "requesting-user-name", cl.user)
	r.addInt(tagInteger, "limit", maxPrinters)
	r.add(tagKeyword, "requested-attributes", "printer-name", "printer-info", "printer-state",
		"printer-state-reasons", "printer-is-accepting-jobs")
	res, err := cl.do(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	switch res.status {
	case statusOK, 0x0001, 0x0002:
	case statusNotFound: // cupsd answers so when it has no queue at all
		return nil, nil
	default:
		return nil, cl.c.fail(ErrNoCUPS, fmt.Errorf("cups-get-printers: ipp status %#04x", res.status))
	}
	var ps []Printer
	for _, g := range res.groups {
		if g.tag != tagPrinter {
			continue
		}
		a := &ippResponse{attrs: g.attrs}
		names := a.strings("printer-name")
		if len(names) == 0 || !queueName(names[0]) {
			continue
		}
		p := Printer{Name: names[0]}
		if info := a.strings("printer-info"); len(info) > 0 {
			p.Info = info[0]
		}
		state, _ := a.int("printer-state")
		p.State = PrinterState(state)
		p.Accepting, _ = a.bool("printer-is-accepting-jobs")
		for _, r := range a.strings("printer-state-reasons") {
			if r != "none" {
				p.Reasons = append(p.Reasons, r)
			}
		}
		ps = append(ps, p)
		if len(ps) == maxPrinters {
			break
		}
	}
	slices.SortFunc(ps, func(a, b Printer) int { return strings.Compare(a.Name, b.Name) })
	return ps, nil
}
