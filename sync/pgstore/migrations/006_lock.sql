-- The wrong-PIN lock of a credential (central.Lock): its temporary locks,
-- the end of the last one, the permanent lock, the last check counted and
-- the last unlock. failures keeps counting the checks since the last right
-- PIN, lock, unlock or reset.
ALTER TABLE credentials ADD COLUMN lock jsonb NOT NULL DEFAULT '{}';
