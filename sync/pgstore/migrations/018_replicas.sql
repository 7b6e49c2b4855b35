-- The replicas of centrale serving this database (central.Replica):
-- each publishes the settings that must agree, and when it was last
-- seen, for the others to compare (server.Server.CheckReplicas).
CREATE TABLE replicas (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    fingerprint text NOT NULL,
    settings    text NOT NULL,
    seen        timestamptz NOT NULL DEFAULT now()
);
