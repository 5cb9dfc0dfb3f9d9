-- Up Migration
CREATE TYPE job_status AS ENUM ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED');

CREATE TABLE jobs (
  id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id text,
  status job_status NOT NULL DEFAULT 'QUEUED',
  progress double precision NOT NULL DEFAULT 0,
  provider provider NOT NULL,
  model text,
  language text,
  detected_language text,
  diarize boolean NOT NULL DEFAULT false,
  translate_to text,
  filename text,
  source_url text,
  source_key text,
  source_bytes bigint,
  media_duration_seconds double precision,
  chunks_total integer,
  chunks_done integer NOT NULL DEFAULT 0,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  text text,
  translated_text text,
  idempotency_key text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  started_at timestamptz(3),
  completed_at timestamptz(3),
  CHECK (progress >= 0 AND progress <= 1)
);
CREATE UNIQUE INDEX jobs_owner_id_idempotency_key_key ON jobs (owner_id, idempotency_key);
CREATE INDEX jobs_owner_id_idx ON jobs (owner_id);
CREATE INDEX jobs_status_idx ON jobs (status);

CREATE TABLE transcript_segments (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  chunk_index integer NOT NULL,
  start_seconds double precision NOT NULL,
  end_seconds double precision NOT NULL,
  text text NOT NULL,
  speaker text,
  words jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (job_id, idx)
);
CREATE INDEX transcript_segments_job_id_chunk_index_idx ON transcript_segments (job_id, chunk_index);

CREATE TABLE uploads (
  id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  filename text,
  size bigint,
  received bigint NOT NULL DEFAULT 0,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  completed_at timestamptz(3),
  consumed_at timestamptz(3)
);
CREATE INDEX uploads_owner_id_idx ON uploads (owner_id);

CREATE TABLE usage_records (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id text,
  job_id text,
  provider provider NOT NULL,
  model text,
  audio_seconds double precision NOT NULL,
  cost_usd double precision NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX usage_records_job_id_key ON usage_records (job_id);
CREATE INDEX usage_records_user_id_created_at_idx ON usage_records (user_id, created_at);

-- Heartbeats of job-runner processes, so jobs locked by a runner that died (SIGKILL, power
-- loss) are unlocked for others within seconds rather than graphile-worker's 4-hour lock timeout.
CREATE TABLE runner_heartbeats (
  runner_id text PRIMARY KEY,
  worker_ids text[] NOT NULL DEFAULT '{}',
  seen_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE runner_heartbeats;
DROP TABLE usage_records;
DROP TABLE uploads;
DROP TABLE transcript_segments;
DROP TABLE jobs;
DROP TYPE job_status;
