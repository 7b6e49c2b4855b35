-- Archived forms leave the JSON: a push carries each PDF as a binary part,
-- and the events table keeps the form's kind, SHA-256 and size only (in
-- the payload). The PDFs are kept as they come, out of line and not
-- compressed: a PDF's streams are compressed already, and pglz spent more
-- time trying than it saved (BENCHMARKS.md, "Draining the desk's real
-- outbox").
ALTER TABLE forms ALTER COLUMN pdf SET STORAGE EXTERNAL;
