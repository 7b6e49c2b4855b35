-- The epoch of the store (wire.Epoch, central.EpochStore): one row, made
-- here, from the newest change, and made anew by `centrale restored`
-- once the database is put back from a dump. A dump carries the epoch
-- of the database it was taken from.
CREATE TABLE store_epoch (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    id       text NOT NULL,
    from_seq bigint NOT NULL
);
INSERT INTO store_epoch (id, from_seq)
    SELECT md5(random()::text || clock_timestamp()::text), coalesce((SELECT max(seq) FROM changes), 0);
