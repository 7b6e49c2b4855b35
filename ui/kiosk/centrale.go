package kiosk

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"

	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/sync/wire"
)

// CentraleSink takes the requests to the desks through the central
// records: it posts each one to centrale (POST /v1/tickets, with the
// kiosk's certificate), which hands it to the desks of the sede at their
// next pull. A retry of a ticket centrale holds already is no error.
type CentraleSink struct {
	Client *kioskpost.Client
}

var _ TicketSink = CentraleSink{}

// Submit posts s to centrale, bounded by the client's timeout.
func (c CentraleSink) Submit(ctx context.Context, s Submission) error {
	_, err := c.Client.Post(ctx, wire.Ticket{
		Code: s.Ticket.Code, Number: s.Ticket.Number, Service: s.Ticket.Service, Issued: s.Ticket.Issued,
		Language: s.Language, Request: s.Request,
	})
	return err
}

// FallbackSink offers a request to First and, when First fails, to Then:
// centrale first, the sede-local spool folder when centrale does not
// answer. The request is delivered when either takes it; it waits at the
// kiosk only when both fail.
type FallbackSink struct {
	First, Then TicketSink
	// firstSaid, set by New, hears First's answer to each request
	// delivered: nil when First took it, its refusal when Then did, so
	// that the kiosk tells its staff of a certificate refused though the
	// spool folder took the request.
	firstSaid func(error)
}

var _ TicketSink = FallbackSink{}

// Submit offers s to First, then to Then.
func (f FallbackSink) Submit(ctx context.Context, s Submission) error {
	err := f.First.Submit(ctx, s)
	if err == nil {
		f.said(nil)
		return nil
	}
	if err2 := f.Then.Submit(ctx, s); err2 != nil {
		return errors.Join(err, err2)
	}
	f.said(err)
	fyne.LogError("kiosk: centrale did not take ticket "+s.Ticket.Number+"; it went to the spool folder", err)
	return nil
}

// said passes First's answer to a request delivered to firstSaid, if set.
func (f FallbackSink) said(err error) {
	if f.firstSaid != nil {
		f.firstSaid(err)
	}
}
