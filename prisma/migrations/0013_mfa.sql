-- Up Migration
-- Two-factor authentication (README, "Two-factor authentication (TOTP)").
-- A user's TOTP secret, sealed under the master key with the user's id as associated data. It counts
-- as a second factor once confirmed; last_time_step is the newest time step a code was accepted for,
-- so a code cannot be replayed within its window.
CREATE TABLE totp_credentials (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  ciphertext bytea NOT NULL,
  nonce bytea NOT NULL,
  master_key_id text NOT NULL,
  confirmed_at timestamptz(3),
  last_time_step bigint,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Single-use recovery codes, stored as SHA-256 of the (high-entropy) code.
CREATE TABLE recovery_codes (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL UNIQUE,
  used_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_id_idx ON recovery_codes (user_id);

-- The second step of a login: a short-lived, single-use challenge (hashed), bound to the user and
-- the client address; `failures` wrong codes burn it.
CREATE TABLE login_challenges (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  client_address text NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  expires_at timestamptz(3) NOT NULL,
  consumed_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX login_challenges_user_id_idx ON login_challenges (user_id);

-- How the login that started a refresh-token family was authenticated ("pwd", "otp", "mfa", ...):
-- access tokens minted from the family carry it as their `amr` claim.
ALTER TABLE refresh_tokens ADD COLUMN amr text[] NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE refresh_tokens DROP COLUMN amr;
DROP TABLE login_challenges;
DROP TABLE recovery_codes;
DROP TABLE totp_credentials;
