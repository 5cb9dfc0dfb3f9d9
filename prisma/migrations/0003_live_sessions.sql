-- Up Migration
CREATE TYPE live_session_status AS ENUM ('ACTIVE', 'ENDED', 'PROCESSING', 'READY', 'FAILED');
CREATE TYPE audio_encoding AS ENUM ('PCM_S16LE', 'WEBM_OPUS', 'OGG_OPUS');

-- A live transcription session: audio arrives in numbered chunks (appendLiveAudio), is stored in
-- order and fed to a streaming engine; ending it enqueues aggregation into files.
CREATE TABLE live_sessions (
  id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Projects and prompts arrive with the projects work; no foreign keys yet.
  project_id text,
  prompt_id text,
  status live_session_status NOT NULL DEFAULT 'ACTIVE',
  provider provider NOT NULL,
  model text,
  language text,
  encoding audio_encoding NOT NULL,
  sample_rate integer NOT NULL,
  -- Seconds of audio applied so far (for Opus: decoded so far, so it may lag a little).
  received_seconds double precision NOT NULL DEFAULT 0,
  received_bytes bigint NOT NULL DEFAULT 0,
  -- The next chunk number to apply: chunks 0 .. next_seq - 1 have been applied in order.
  next_seq integer NOT NULL DEFAULT 0,
  last_audio_at timestamptz(3),
  -- The latest interim segment, only when it was too large to travel in a NOTIFY payload.
  interim jsonb,
  error text,
  -- Aggregation outputs (storage keys under sessions/<id>/), set when READY.
  source_key text,
  main_key text,
  light_key text,
  vtt_key text,
  duration_seconds double precision,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  ended_at timestamptz(3),
  processed_at timestamptz(3),
  CHECK (next_seq >= 0),
  CHECK (received_seconds >= 0)
);
CREATE INDEX live_sessions_owner_id_idx ON live_sessions (owner_id);
CREATE INDEX live_sessions_status_last_audio_at_idx ON live_sessions (status, last_audio_at);

-- Received audio, byte for byte, until aggregation has stored the files (then deleted).
CREATE TABLE live_audio_chunks (
  session_id text NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  bytes bytea NOT NULL,
  received_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seq),
  CHECK (seq >= 0)
);

-- Final transcript segments of a session (interim ones are only published, never stored).
CREATE TABLE live_segments (
  session_id text NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  start_seconds double precision NOT NULL,
  end_seconds double precision NOT NULL,
  text text NOT NULL,
  speaker text,
  words jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, idx)
);

-- Down Migration
DROP TABLE live_segments;
DROP TABLE live_audio_chunks;
DROP TABLE live_sessions;
DROP TYPE audio_encoding;
DROP TYPE live_session_status;
