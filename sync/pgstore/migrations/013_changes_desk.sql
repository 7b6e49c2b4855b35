-- A desk is not sent its own events: a 'sede.event' change names, in
-- desk, the desk whose event it carries (NULL for every other change), so
-- that the status page counts the changes waiting for each desk, leaving
-- its own out, from the index alone.
ALTER TABLE changes ADD COLUMN desk text;
UPDATE changes SET desk = payload->>'desk' WHERE event_id IS NOT NULL;
CREATE INDEX changes_by_sede_desk ON changes (sede, seq) INCLUDE (desk);
DROP INDEX changes_by_sede;
ALTER INDEX changes_by_sede_desk RENAME TO changes_by_sede;
