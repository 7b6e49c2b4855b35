-- The audit chain anchored at centrale (central.AuditStore): the chains
-- admitted for each sede, every audit head kept (discarded_by: the reset
-- that discarded it, NULL while it binds), the heads refused (forks,
-- resolved_by: the reset that resolved it, NULL while open) and the
-- operators' resets.
CREATE TABLE audit_resets (
    id        bigserial PRIMARY KEY,
    sede      text NOT NULL,
    chain     bytea NOT NULL,
    to_seq    bigint NOT NULL,
    by_op     text NOT NULL,
    reason    text NOT NULL,
    at        timestamptz NOT NULL,
    discarded integer NOT NULL,
    resolved  integer NOT NULL
);

CREATE TABLE audit_chains (
    sede     text NOT NULL,
    chain    bytea NOT NULL,
    at       timestamptz NOT NULL,
    reset_id bigint REFERENCES audit_resets (id),
    PRIMARY KEY (sede, chain)
);

CREATE TABLE audit_heads (
    sede         text NOT NULL,
    chain        bytea NOT NULL,
    seq          bigint NOT NULL,
    hash         bytea NOT NULL,
    received     timestamptz NOT NULL,
    discarded_by bigint REFERENCES audit_resets (id),
    PRIMARY KEY (sede, chain, seq, hash)
);

CREATE TABLE audit_forks (
    id          bigserial PRIMARY KEY,
    sede        text NOT NULL,
    chain       bytea NOT NULL,
    seq         bigint NOT NULL,
    hash        bytea NOT NULL,
    reason      text NOT NULL,
    first_at    timestamptz NOT NULL,
    last_at     timestamptz NOT NULL,
    count       integer NOT NULL,
    resolved_by bigint REFERENCES audit_resets (id)
);
-- One open fork per head: a desk retrying counts on it.
CREATE UNIQUE INDEX audit_forks_open ON audit_forks (sede, chain, seq, hash) WHERE resolved_by IS NULL;
