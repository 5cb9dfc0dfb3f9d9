-- Up Migration
-- Passkeys (WebAuthn credentials) and the challenges that register and use them (README, "Passkeys").
CREATE TABLE passkeys (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- base64url, as the browser reports it; unique across accounts (an authenticator makes a new one per registration)
  credential_id text NOT NULL,
  public_key bytea NOT NULL,
  -- the authenticator's signature counter (uint32): an assertion must raise it unless both are 0
  counter bigint NOT NULL DEFAULT 0,
  transports text[] NOT NULL DEFAULT '{}',
  device_type text NOT NULL,
  backed_up boolean NOT NULL DEFAULT false,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz(3),
  CHECK (device_type IN ('singleDevice', 'multiDevice')),
  CHECK (counter >= 0)
);
CREATE UNIQUE INDEX passkeys_credential_id_key ON passkeys (credential_id);
CREATE INDEX passkeys_user_id_idx ON passkeys (user_id);

-- One row per ceremony started; only a hash of the challenge is kept. Deleted when used (single use)
-- and refused after expires_at.
CREATE TABLE passkey_challenges (
  id text PRIMARY KEY,
  challenge_hash text NOT NULL,
  purpose text NOT NULL,
  -- registration and second factor: whose ceremony it is; sign-in with a passkey alone: nobody yet
  user_id text REFERENCES users (id) ON DELETE CASCADE,
  -- second factor: the SHA-256 of the login challenge this passkey step completes
  login_challenge_hash text,
  expires_at timestamptz(3) NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (purpose IN ('registration', 'signIn', 'secondFactor')),
  CHECK ((purpose = 'signIn') = (user_id IS NULL)),
  CHECK ((purpose = 'secondFactor') = (login_challenge_hash IS NOT NULL))
);
CREATE UNIQUE INDEX passkey_challenges_challenge_hash_key ON passkey_challenges (challenge_hash);
CREATE INDEX passkey_challenges_expires_at_idx ON passkey_challenges (expires_at);
CREATE INDEX passkey_challenges_user_id_idx ON passkey_challenges (user_id);

-- Down Migration
DROP TABLE passkey_challenges;
DROP TABLE passkeys;
