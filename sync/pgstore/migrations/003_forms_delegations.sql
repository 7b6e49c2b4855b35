-- The forms archived with a credential (the MV35 the citizen signed), and
-- the delegations of the digital identity, whose rules hold across every
-- sede (central.applyDelegation).

-- One form of each kind per credential; the PDF is kept here only, not in
-- the event that carried it.
CREATE TABLE forms (
    credential_id text NOT NULL REFERENCES credentials (id),
    kind          text NOT NULL,
    pdf           bytea NOT NULL,
    archived_at   timestamptz NOT NULL,
    PRIMARY KEY (credential_id, kind)
);

CREATE TABLE delegations (
    id          text PRIMARY KEY,
    sede        text NOT NULL,
    form        text NOT NULL CHECK (form IN ('AA08', 'AA09', 'AA10')),
    delegante   text NOT NULL,
    delegato    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('active', 'revoked', 'expired')),
    accepted_at timestamptz NOT NULL,
    delegation  jsonb NOT NULL,
    CHECK (delegante <> delegato)
);
-- A delegante has at most one active delegation, whichever sede registered it.
CREATE UNIQUE INDEX delegations_one_per_delegante ON delegations (delegante) WHERE status = 'active';
CREATE INDEX delegations_active_by_delegato ON delegations (delegato) WHERE status = 'active';
