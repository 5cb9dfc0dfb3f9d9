-- Up Migration
-- Corrections of a finished transcript: transcript_segments hold the latest text and words, each
-- save is a numbered revision with the segment's text and words before and after it (so the engine's
-- output is what the first revision of each segment holds as "before"), and jobs.revision is the
-- latest number (0: the engine's output), the version clients send back to save (optimistic concurrency).
ALTER TABLE jobs ADD COLUMN revision integer NOT NULL DEFAULT 0;

CREATE TABLE transcript_revisions (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  author_id text REFERENCES users (id) ON DELETE SET NULL,
  segment_idx integer NOT NULL,
  before_text text NOT NULL,
  after_text text NOT NULL,
  before_words jsonb NOT NULL DEFAULT '[]',
  after_words jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, number)
);
CREATE INDEX transcript_revisions_author_id_idx ON transcript_revisions (author_id);

-- Names given to a job's speakers ("Speaker 1" -> "Alice"); every export and the API show them.
CREATE TABLE job_speakers (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  speaker text NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (job_id, speaker)
);

-- Down Migration
DROP TABLE job_speakers;
DROP TABLE transcript_revisions;
ALTER TABLE jobs DROP COLUMN revision;
