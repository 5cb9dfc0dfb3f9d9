-- Up Migration
-- Vocabulary and context (issue 17): sets of terms owned by a user (private) or by a project (its
-- roles), a project's default sets, and on each job the terms and context prompt it was submitted
-- with (a snapshot: editing a set later does not change a job) and what each engine applied.
CREATE TABLE vocabulary_sets (
  id text PRIMARY KEY,
  owner_id text REFERENCES users (id) ON DELETE CASCADE,
  project_id text REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  terms text[] NOT NULL DEFAULT '{}',
  project_default boolean NOT NULL DEFAULT false,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CHECK ((owner_id IS NULL) <> (project_id IS NULL)),
  CHECK (char_length(name) BETWEEN 1 AND 100),
  CHECK (cardinality(terms) <= 500),
  CHECK (NOT project_default OR project_id IS NOT NULL)
);
CREATE INDEX vocabulary_sets_owner_id_idx ON vocabulary_sets (owner_id);
CREATE INDEX vocabulary_sets_project_id_idx ON vocabulary_sets (project_id);

ALTER TABLE jobs
  ADD COLUMN vocabulary_terms text[] NOT NULL DEFAULT '{}',
  ADD COLUMN context_prompt text,
  ADD COLUMN vocabulary_applied jsonb;

-- Down Migration
ALTER TABLE jobs
  DROP COLUMN vocabulary_applied,
  DROP COLUMN context_prompt,
  DROP COLUMN vocabulary_terms;
DROP TABLE vocabulary_sets;
