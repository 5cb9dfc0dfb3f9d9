-- Up Migration
CREATE TYPE project_role AS ENUM ('OWNER', 'ADMIN', 'CONTRIBUTOR', 'REVIEWER');

CREATE TABLE projects (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text,
  created_by text REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE project_members (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role project_role NOT NULL,
  joined_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user_id_idx ON project_members (user_id);

-- Only the SHA-256 of an invitation token is kept; the token itself travels by email.
CREATE TABLE project_invitations (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  email text NOT NULL,
  role project_role NOT NULL,
  token_hash text NOT NULL,
  expires_at timestamptz(3) NOT NULL DEFAULT now() + interval '7 days',
  accepted_at timestamptz(3),
  accepted_by text REFERENCES users (id) ON DELETE SET NULL,
  invited_by text REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX project_invitations_token_hash_key ON project_invitations (token_hash);
CREATE INDEX project_invitations_project_id_email_idx ON project_invitations (project_id, email);
CREATE INDEX project_invitations_invited_by_created_at_idx ON project_invitations (invited_by, created_at);

CREATE TABLE prompts (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  text text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (char_length(text) BETWEEN 1 AND 500)
);
CREATE UNIQUE INDEX prompts_project_id_text_key ON prompts (project_id, text);

-- Every email the server sends, kept so admins can read (and forward) invitations when SMTP is
-- not configured or delivery failed. sent_at is set once SMTP accepted the message.
CREATE TABLE outbox_emails (
  id text PRIMARY KEY,
  "to" text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  sent_at timestamptz(3),
  error text,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

ALTER TABLE jobs
  ADD CONSTRAINT jobs_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
CREATE INDEX jobs_project_id_idx ON jobs (project_id);

-- Down Migration
DROP INDEX jobs_project_id_idx;
ALTER TABLE jobs DROP CONSTRAINT jobs_project_id_fkey;
DROP TABLE outbox_emails;
DROP TABLE prompts;
DROP TABLE project_invitations;
DROP TABLE project_members;
DROP TABLE projects;
DROP TYPE project_role;
