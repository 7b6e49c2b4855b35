-- The sede's records on every desk: an event of a desk that centrale
-- accepts goes to the sede's other desks as a 'sede.event' change. The
-- change keeps the event by reference (its id, under the change's sede):
-- the event, with the citizen's record an issue carries, is kept once,
-- in events, and a pull joins it by the events' primary key (sede, id).
-- NULL for every other change.
ALTER TABLE changes ADD COLUMN event_id text;
