-- The kiosks' tickets, each with the request the citizen pre-filled, kept
-- until the end of the day it was issued (Store.WipeTickets).
CREATE TABLE tickets (
    sede      text NOT NULL,
    code      text NOT NULL,
    issued    timestamptz NOT NULL,
    stored_at timestamptz NOT NULL,
    called_at timestamptz,
    ticket    jsonb NOT NULL,
    PRIMARY KEY (sede, code)
);
CREATE INDEX tickets_by_issued ON tickets (issued);

-- The ChangeTicket records that still carry a request: the wipe finds them
-- without reading every change.
CREATE INDEX changes_ticket_requests ON changes (seq)
    WHERE payload->>'kind' = 'ticket.submitted' AND payload->'ticket' ? 'request';
