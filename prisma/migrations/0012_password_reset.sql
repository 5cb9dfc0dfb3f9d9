-- Up Migration
-- Passwords (README, "Passwords: reset, change, breached list").
-- token_version: every access token carries the version current when it was issued (claim `ver`);
-- a password reset or change bumps it, so every access token issued before stops working at once.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- One row per password reset asked for an existing account. The token is made by the worker task that
-- mails it (so no secret ever sits in a job payload), and only its SHA-256 is kept. `email` is the
-- address the link went to: a reset proves that address only, not whatever the account's address is later.
CREATE TABLE password_resets (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  token_hash text UNIQUE,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz(3) NOT NULL,
  sent_at timestamptz(3),
  used_at timestamptz(3)
);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);

-- Down Migration
DROP TABLE password_resets;
ALTER TABLE users DROP COLUMN token_version;
