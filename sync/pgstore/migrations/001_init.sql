-- The first schema of the central records.

-- Every event applied, once: the primary key makes a replay a duplicate.
CREATE TABLE events (
    id            text PRIMARY KEY,
    sede          text NOT NULL,
    kind          text NOT NULL,
    time          timestamptz NOT NULL,
    credential_id text NOT NULL,
    verdict       text NOT NULL,
    accepted_at   timestamptz NOT NULL,
    payload       jsonb NOT NULL
);

-- Credentials, with their hashes only. At most one active per codice fiscale.
CREATE TABLE credentials (
    id             text PRIMARY KEY,
    codice_fiscale text NOT NULL,
    sede           text NOT NULL,
    status         text NOT NULL CHECK (status IN ('active', 'revoked', 'superseded')),
    superseded_by  text NOT NULL DEFAULT '',
    failures       integer NOT NULL DEFAULT 0,
    new_pin_hash   text NOT NULL DEFAULT '',
    accepted_at    timestamptz NOT NULL,
    credential     jsonb NOT NULL
);
CREATE UNIQUE INDEX credentials_one_active ON credentials (codice_fiscale) WHERE status = 'active';
CREATE INDEX credentials_by_cf ON credentials (codice_fiscale, accepted_at DESC);

-- Changes that concern a sede, numbered in commit order (see addChange).
CREATE TABLE changes (
    seq     bigserial PRIMARY KEY,
    sede    text NOT NULL,
    payload jsonb NOT NULL
);
CREATE INDEX changes_by_sede ON changes (sede, seq);
