-- Up Migration
-- A job's translation is a step of its own after the transcript: its failure fails only the
-- translation (the job stays COMPLETED with its transcript), and it can be retried alone.
CREATE TYPE translation_status AS ENUM ('PENDING', 'COMPLETED', 'FAILED');
ALTER TABLE jobs
  ADD COLUMN translation_status translation_status,
  ADD COLUMN translation_error text;
UPDATE jobs SET translation_status = 'COMPLETED' WHERE translate_to IS NOT NULL AND translated_text IS NOT NULL;

-- Down Migration
ALTER TABLE jobs DROP COLUMN translation_error, DROP COLUMN translation_status;
DROP TYPE translation_status;
