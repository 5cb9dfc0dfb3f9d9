-- Up Migration
-- Redaction (issue 17): the kinds a job is redacted for (its own and its project's policy at
-- submission), per segment the spans found and the redacted text and words (the original text stays
-- in place for those who may read it), and a project's policy: kinds for every job of the project,
-- mandatory (everyone but the project's OWNERs reads only redacted text) or not.
CREATE TYPE redaction_kind AS ENUM ('EMAIL', 'PHONE', 'CARD_NUMBER', 'SSN', 'URL', 'NUMBER');
ALTER TABLE jobs ADD COLUMN redact redaction_kind[] NOT NULL DEFAULT '{}';
ALTER TABLE transcript_segments ADD COLUMN redaction jsonb;
ALTER TABLE projects
  ADD COLUMN redact redaction_kind[] NOT NULL DEFAULT '{}',
  ADD COLUMN redaction_mandatory boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT projects_redaction_mandatory_needs_kinds CHECK (NOT redaction_mandatory OR cardinality(redact) > 0);

-- Down Migration
ALTER TABLE projects DROP CONSTRAINT projects_redaction_mandatory_needs_kinds, DROP COLUMN redaction_mandatory, DROP COLUMN redact;
ALTER TABLE transcript_segments DROP COLUMN redaction;
ALTER TABLE jobs DROP COLUMN redact;
DROP TYPE redaction_kind;
