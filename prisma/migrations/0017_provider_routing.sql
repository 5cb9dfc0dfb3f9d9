-- Up Migration
-- Provider routing with fallback (README, "Provider routing and fallback").
-- A job and a live session try an ordered list of engines: `providers` is that list (the engines
-- able to honour the options, in order; jobs.provider stays the first one), `current_provider` the
-- engine in use (or, once finished, the last one used). A project may set a default order for the
-- jobs submitted into it (empty: none, the server's PROVIDER_ORDER applies).
ALTER TABLE jobs ADD COLUMN providers provider[] NOT NULL DEFAULT '{}';
ALTER TABLE jobs ADD COLUMN current_provider provider;
UPDATE jobs SET providers = ARRAY[provider], current_provider = provider;

ALTER TABLE live_sessions ADD COLUMN providers provider[] NOT NULL DEFAULT '{}';
ALTER TABLE live_sessions ADD COLUMN current_provider provider;
UPDATE live_sessions SET providers = ARRAY[provider], current_provider = provider;

ALTER TABLE projects ADD COLUMN provider_order provider[] NOT NULL DEFAULT '{}';

-- The engine that produced each segment; the rows of before this migration had one engine, the job's.
ALTER TABLE transcript_segments ADD COLUMN provider provider;
UPDATE transcript_segments s SET provider = j.provider FROM jobs j WHERE j.id = s.job_id;
ALTER TABLE live_segments ADD COLUMN provider provider;
UPDATE live_segments s SET provider = l.provider FROM live_sessions l WHERE l.id = s.session_id;

-- One row per finished chunk of a job: its range of the audio and the engine that transcribed it
-- (usage is billed per engine from these; written in the transaction that stores the chunk).
CREATE TABLE job_chunks (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  start_seconds double precision NOT NULL,
  end_seconds double precision NOT NULL,
  provider provider NOT NULL,
  PRIMARY KEY (job_id, idx)
);

-- What happened to a job's engines: skipped at submission, retried, switched to the next one.
CREATE TYPE job_event_kind AS ENUM ('PROVIDER_SKIPPED', 'PROVIDER_RETRIED', 'PROVIDER_SWITCHED');
CREATE TABLE job_events (
  id text PRIMARY KEY,
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  at timestamptz(3) NOT NULL DEFAULT now(),
  kind job_event_kind NOT NULL,
  from_provider provider,
  to_provider provider,
  reason text,
  chunk_index integer
);
CREATE INDEX job_events_job_id_at_idx ON job_events (job_id, at);

-- Usage: one record per engine a job used.
DROP INDEX usage_records_job_id_key;
CREATE UNIQUE INDEX usage_records_job_id_provider_key ON usage_records (job_id, provider);

-- Down Migration
DELETE FROM usage_records r USING usage_records o
  WHERE r.job_id IS NOT NULL AND r.job_id = o.job_id AND r.id > o.id;
DROP INDEX usage_records_job_id_provider_key;
CREATE UNIQUE INDEX usage_records_job_id_key ON usage_records (job_id);
DROP TABLE job_events;
DROP TYPE job_event_kind;
DROP TABLE job_chunks;
ALTER TABLE live_segments DROP COLUMN provider;
ALTER TABLE transcript_segments DROP COLUMN provider;
ALTER TABLE projects DROP COLUMN provider_order;
ALTER TABLE live_sessions DROP COLUMN current_provider;
ALTER TABLE live_sessions DROP COLUMN providers;
ALTER TABLE jobs DROP COLUMN current_provider;
ALTER TABLE jobs DROP COLUMN providers;
