-- Up Migration
-- Retention: finished jobs and sessions older than their project's (or the server's) retention are
-- deleted with their files; a legal hold on the job or its project keeps them.
ALTER TABLE jobs ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
ALTER TABLE projects
  ADD COLUMN legal_hold boolean NOT NULL DEFAULT false,
  ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);

-- What each housekeeping sweep removed, for operators (`housekeepingSweeps`); the newest are kept.
CREATE TABLE housekeeping_sweeps (
  id text PRIMARY KEY,
  started_at timestamptz(3) NOT NULL DEFAULT now(),
  finished_at timestamptz(3),
  removed jsonb NOT NULL DEFAULT '{}',
  error text
);
CREATE INDEX housekeeping_sweeps_started_at_idx ON housekeeping_sweeps (started_at);
CREATE INDEX uploads_created_at_idx ON uploads (created_at) WHERE consumed_at IS NULL;
CREATE INDEX jobs_finished_idx ON jobs (completed_at) WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED');

-- Down Migration
DROP INDEX jobs_finished_idx;
DROP INDEX uploads_created_at_idx;
DROP TABLE housekeeping_sweeps;
ALTER TABLE projects DROP COLUMN retention_days, DROP COLUMN legal_hold;
ALTER TABLE jobs DROP COLUMN legal_hold;
