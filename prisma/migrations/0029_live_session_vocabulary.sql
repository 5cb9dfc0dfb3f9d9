-- Up Migration
-- Live sessions take vocabulary as jobs do (0021_vocabulary.sql): the terms and context prompt the
-- session was started with (a snapshot of its sets) and what each engine applied.
ALTER TABLE live_sessions
  ADD COLUMN vocabulary_terms text[] NOT NULL DEFAULT '{}',
  ADD COLUMN context_prompt text,
  ADD COLUMN vocabulary_applied jsonb;

-- Down Migration
ALTER TABLE live_sessions
  DROP COLUMN vocabulary_applied,
  DROP COLUMN context_prompt,
  DROP COLUMN vocabulary_terms;
