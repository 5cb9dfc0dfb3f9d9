-- Up Migration
-- Outputs (issue 16): a Google key kind for translation, the translation engine a job uses, and
-- sentiment per segment and per job as a step of its own after the transcript (like translation:
-- its failure fails only the sentiment, and it can be run again alone).
-- A new enum value may not be used in the transaction that adds it; nothing here uses it.
ALTER TYPE provider ADD VALUE IF NOT EXISTS 'GOOGLE';
CREATE TYPE translation_engine AS ENUM ('CHAT', 'GOOGLE');
CREATE TYPE analysis_status AS ENUM ('PENDING', 'COMPLETED', 'FAILED');
CREATE TYPE sentiment_label AS ENUM ('POSITIVE', 'NEUTRAL', 'NEGATIVE');
ALTER TABLE jobs
  ADD COLUMN translation_engine translation_engine,
  ADD COLUMN sentiment_requested boolean NOT NULL DEFAULT false,
  ADD COLUMN sentiment_status analysis_status,
  ADD COLUMN sentiment_error text,
  ADD COLUMN sentiment sentiment_label,
  ADD COLUMN sentiment_score double precision;
ALTER TABLE transcript_segments
  ADD COLUMN sentiment sentiment_label,
  ADD COLUMN sentiment_score double precision;

-- Down Migration
-- (PostgreSQL cannot drop an enum value: 'GOOGLE' stays in provider.)
ALTER TABLE transcript_segments DROP COLUMN sentiment_score, DROP COLUMN sentiment;
ALTER TABLE jobs
  DROP COLUMN sentiment_score,
  DROP COLUMN sentiment,
  DROP COLUMN sentiment_error,
  DROP COLUMN sentiment_status,
  DROP COLUMN sentiment_requested,
  DROP COLUMN translation_engine;
DROP TYPE sentiment_label;
DROP TYPE analysis_status;
DROP TYPE translation_engine;
