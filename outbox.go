package pinsede

import (
	"encoding/json"
	"fmt"
)

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

// OutboxEntry is an event waiting in the outbox as a push sends it: its
// JSON as the outbox keeps it (json.Marshal of the Event), undecoded, so
// that the push sends those bytes as they are.
type OutboxEntry struct {
	// Seq orders the outbox, as OutboxItem.Seq.
	Seq uint64
	// ID is the event's ID.
	ID string
	// JSON is the event, json.Marshal of its Event.
	JSON []byte
	// Form is the PDF the event names, as OutboxItem.Form.
	Form []byte
}

// Event decodes the entry's event.
func (e OutboxEntry) Event() (Event, error) {
	var ev Event
	if err := json.Unmarshal(e.JSON, &ev); err != nil {
		return Event{}, fmt.Errorf("outbox event %d (%s): %w", e.Seq, e.ID, err)
	}
	return ev, nil
}
