-- Up Migration
-- Summaries and questions (issue 17): a job's summary (its text, key points and action items, each
-- point with the transcript segments and time ranges it comes from) made as a step of its own after
-- the transcript, and the chat endpoint's usage (tokens and estimated cost per job and purpose).
CREATE TYPE summary_status AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED');
ALTER TABLE jobs
  ADD COLUMN summary_requested boolean NOT NULL DEFAULT false,
  ADD COLUMN summary_status summary_status,
  ADD COLUMN summary_error text;

-- One per job, replaced whole by each successful run. key_points and action_items are JSON arrays
-- of {text, segments: [index], ranges: [{start, end}]}.
CREATE TABLE job_summaries (
  job_id text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  text text NOT NULL,
  key_points jsonb NOT NULL DEFAULT '[]',
  action_items jsonb NOT NULL DEFAULT '[]',
  model text,
  revision integer NOT NULL DEFAULT 0,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Chat usage beside the audio usage of usage_records (whose unique keys and audio_seconds keep their
-- meaning): one row per chat run (a summary, a question, a translation, a sentiment analysis). Like
-- usage_records it outlives its job and user (no foreign keys; erasure pseudonymises user_id).
CREATE TYPE chat_purpose AS ENUM ('SUMMARY', 'QUESTION', 'TRANSLATION', 'SENTIMENT');
CREATE TABLE chat_usage_records (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  project_id text,
  job_id text,
  purpose chat_purpose NOT NULL,
  provider provider NOT NULL,
  model text,
  requests integer NOT NULL DEFAULT 0,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cost_usd double precision NOT NULL DEFAULT 0,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX chat_usage_records_user_id_created_at_idx ON chat_usage_records (user_id, created_at);
CREATE INDEX chat_usage_records_project_id_created_at_idx ON chat_usage_records (project_id, created_at);
CREATE INDEX chat_usage_records_created_at_idx ON chat_usage_records (created_at);
CREATE INDEX chat_usage_records_job_id_idx ON chat_usage_records (job_id);

-- Down Migration
DROP TABLE chat_usage_records;
DROP TYPE chat_purpose;
DROP TABLE job_summaries;
ALTER TABLE jobs DROP COLUMN summary_error, DROP COLUMN summary_status, DROP COLUMN summary_requested;
DROP TYPE summary_status;
