-- Up Migration
-- rerunJob (README, "Speakers", "Running a job again"): a job made from another job's media links
-- back to it. The new job holds its own copy of the media, so either may be deleted, erased or
-- expired on its own; the link is cleared when the original goes.
ALTER TABLE jobs ADD COLUMN rerun_of_id text REFERENCES jobs (id) ON DELETE SET NULL;
CREATE INDEX jobs_rerun_of_id_idx ON jobs (rerun_of_id);

-- Down Migration
DROP INDEX IF EXISTS jobs_rerun_of_id_idx;
ALTER TABLE jobs DROP COLUMN IF EXISTS rerun_of_id;
