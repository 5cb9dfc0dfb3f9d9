-- Up Migration
CREATE TYPE review_status AS ENUM ('PENDING', 'APPROVED', 'REJECTED');

-- Sessions recorded into a project go with it; a deleted prompt leaves its sessions without one.
UPDATE live_sessions s SET project_id = NULL WHERE project_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = s.project_id);
UPDATE live_sessions s SET prompt_id = NULL WHERE prompt_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = s.prompt_id);
ALTER TABLE live_sessions
  ADD CONSTRAINT live_sessions_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
  ADD CONSTRAINT live_sessions_prompt_id_fkey FOREIGN KEY (prompt_id) REFERENCES prompts (id) ON DELETE SET NULL;
CREATE INDEX live_sessions_project_id_idx ON live_sessions (project_id);

-- Keys the speakers' pseudonyms in dataset exports: stable per project, not derivable from user ids.
ALTER TABLE projects ADD COLUMN pseudonym_key text NOT NULL DEFAULT encode(sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex');

-- A live session recorded into a project, once aggregated: what reviewers judge. `checks` holds
-- the measurements taken at submission; `suspicion` orders the review queue (highest first).
CREATE TABLE recordings (
  id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  prompt_id text REFERENCES prompts (id) ON DELETE SET NULL,
  speaker_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  duration_seconds double precision NOT NULL,
  recognised_text text NOT NULL,
  checks jsonb NOT NULL,
  suspicion double precision NOT NULL,
  review_status review_status NOT NULL DEFAULT 'PENDING',
  review_note text,
  reviewed_by text REFERENCES users (id) ON DELETE SET NULL,
  reviewed_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (duration_seconds >= 0)
);
CREATE UNIQUE INDEX recordings_session_id_key ON recordings (session_id);
CREATE INDEX recordings_project_id_review_status_suspicion_idx ON recordings (project_id, review_status, suspicion DESC, id);
CREATE INDEX recordings_prompt_id_review_status_idx ON recordings (prompt_id, review_status);
CREATE INDEX recordings_speaker_id_idx ON recordings (speaker_id);

-- An archive of a project's approved recordings, written by the export_dataset task.
CREATE TABLE dataset_exports (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  requested_by text REFERENCES users (id) ON DELETE SET NULL,
  status job_status NOT NULL DEFAULT 'QUEUED',
  progress double precision NOT NULL DEFAULT 0,
  recordings integer NOT NULL DEFAULT 0,
  archive_key text,
  archive_bytes bigint,
  error text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  finished_at timestamptz(3),
  CHECK (progress >= 0 AND progress <= 1)
);
CREATE INDEX dataset_exports_project_id_idx ON dataset_exports (project_id);

-- Down Migration
DROP TABLE dataset_exports;
DROP TABLE recordings;
ALTER TABLE projects DROP COLUMN pseudonym_key;
DROP INDEX live_sessions_project_id_idx;
ALTER TABLE live_sessions DROP CONSTRAINT live_sessions_prompt_id_fkey, DROP CONSTRAINT live_sessions_project_id_fkey;
DROP TYPE review_status;
