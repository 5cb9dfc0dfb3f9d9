-- Up Migration
-- Email verification (README, "Email verification"). A user's address counts as verified from
-- email_verified_at on; accounts created before this migration start unverified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz(3);

-- Single-use verification links: only the SHA-256 of the token is kept, with the address it was sent
-- to (a token proves that address only, not whatever the account's address is later).
CREATE TABLE email_verification_tokens (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz(3) NOT NULL,
  used_at timestamptz(3)
);
CREATE INDEX email_verification_tokens_user_id_idx ON email_verification_tokens (user_id);

-- Down Migration
DROP TABLE email_verification_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
