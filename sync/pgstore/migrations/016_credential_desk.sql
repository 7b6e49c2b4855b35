-- The desk of its sede that issued a credential (central.Record.Desk): a
-- desk whose older issue the active credential supersedes is told which
-- desk issued the newer one. '' for the credentials issued before.
ALTER TABLE credentials ADD COLUMN desk text NOT NULL DEFAULT '';
