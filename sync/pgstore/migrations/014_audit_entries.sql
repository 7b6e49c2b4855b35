-- The audit entries of the sede's desks (central.AuditEntryStore): each
-- desk's own acts, as it sent them, for the sede's audit search; and
-- where each chain's entries got to (central.EntriesTip). The search
-- reads a sede's days (audit_entries_by_day), or one operator's, one
-- action's or one citizen's days, newest first.
CREATE TABLE audit_entries (
	sede text NOT NULL,
	chain bytea NOT NULL,
	seq bigint NOT NULL,
	desk text NOT NULL,
	day date NOT NULL,
	at timestamptz NOT NULL,
	actor text NOT NULL,
	action text NOT NULL,
	subject text NOT NULL,
	hash bytea NOT NULL,
	entry json NOT NULL,
	PRIMARY KEY (sede, chain, seq)
);
CREATE INDEX audit_entries_by_day ON audit_entries (sede, day, at);
CREATE INDEX audit_entries_by_actor ON audit_entries (sede, actor, day, at);
CREATE INDEX audit_entries_by_action ON audit_entries (sede, action, day, at);
CREATE INDEX audit_entries_by_subject ON audit_entries (sede, subject, day, at) WHERE subject <> '';

CREATE TABLE audit_tips (
	sede text NOT NULL,
	chain bytea NOT NULL,
	seq bigint NOT NULL,
	hash bytea NOT NULL,
	proven bigint NOT NULL,
	PRIMARY KEY (sede, chain)
);
