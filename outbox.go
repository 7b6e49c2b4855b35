package pinsede

// OutboxItem is an event waiting in the outbox, with its place in the queue.
type OutboxItem struct {
	// Seq orders the outbox: events are sent in increasing Seq. Pass it to
	// Acknowledge once the central records have taken the event.
	Seq   uint64
	Event Event
	// Form is the PDF of Event.Form, kept beside the event (the event
	// names it by SHA-256 and size; its Form.PDF is nil); nil for an event
	// without a form.
	Form []byte
}
