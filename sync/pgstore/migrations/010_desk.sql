-- Desk identity: each desk PC of a sede has its own certificate, which
-- names the desk (sync/pki). Every event keeps the desk of the
-- certificate that pushed it, and the audit chains are admitted per
-- sede and desk: each desk's first chain on its first push. '' is the
-- desk of a certificate issued before desk ids, and of every row from
-- before this migration. (009 is left to another change.)
ALTER TABLE events ADD COLUMN desk text NOT NULL DEFAULT '';
ALTER TABLE audit_chains ADD COLUMN desk text NOT NULL DEFAULT '';
ALTER TABLE audit_resets ADD COLUMN desk text NOT NULL DEFAULT '';
ALTER TABLE audit_forks ADD COLUMN desk text NOT NULL DEFAULT '';
-- One open fork per head of a desk.
DROP INDEX audit_forks_open;
CREATE UNIQUE INDEX audit_forks_open ON audit_forks (sede, desk, chain, seq, hash) WHERE resolved_by IS NULL;
