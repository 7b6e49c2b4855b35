-- The overview of the sedi (central.OverviewStore: the status page and
-- `centrale sedi`), kept as the pushes and pulls come so that it never
-- reads the credentials or the events whole.

-- One row per desk of a sede: its last push and pull, the cursor of its
-- last pull, the events of its pushes rejected.
CREATE TABLE desk_activity (
    sede          text NOT NULL,
    desk          text NOT NULL,
    last_push     timestamptz,
    last_pull     timestamptz,
    pull_cursor   bigint NOT NULL DEFAULT 0,
    rejected      bigint NOT NULL DEFAULT 0,
    last_rejected timestamptz,
    last_reason   text NOT NULL DEFAULT '',
    PRIMARY KEY (sede, desk)
);

-- The PINs issued per day (in Italy) and sede, added to by each push.
CREATE TABLE issued_daily (
    day    date NOT NULL,
    sede   text NOT NULL,
    issued bigint NOT NULL,
    PRIMARY KEY (day, sede)
);

-- When a credential's lock ends: 'infinity' for a permanent one, NULL for
-- none. The lock's times are written by Go with their offset, so the
-- cast does not depend on the session's time zone: immutable in fact.
CREATE FUNCTION lock_end(l jsonb) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN (l->>'permanent')::boolean THEN 'infinity'::timestamptz
                ELSE (l->>'until')::timestamptz END;

-- The credentials with a lock recorded, by its end: those locked now are
-- one range of it.
CREATE INDEX credentials_locked ON credentials (lock_end(lock) DESC, id)
    WHERE lock ? 'until' OR lock ? 'permanent';

-- What the events already held say (once, reading them whole).
INSERT INTO desk_activity (sede, desk, last_push)
    SELECT sede, desk, max(accepted_at) FROM events GROUP BY sede, desk;
INSERT INTO issued_daily (day, sede, issued)
    SELECT (time AT TIME ZONE 'Europe/Rome')::date, sede, count(*) FROM events
    WHERE kind = 'credential.issued' AND verdict <> 'duplicate' GROUP BY 1, 2;
