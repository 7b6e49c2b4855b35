-- Event ids are made at each sede, so they are unique per sede only: the
-- same id from another sede is another event, to be applied, not a
-- duplicate.
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD PRIMARY KEY (sede, id);
