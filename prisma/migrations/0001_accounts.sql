-- Up Migration
CREATE TYPE role AS ENUM ('USER', 'ADMIN');
CREATE TYPE provider AS ENUM ('LOCAL', 'OPENAI', 'DEEPGRAM');
CREATE TYPE api_key_scope AS ENUM ('READ', 'WRITE', 'ADMIN');

CREATE TABLE users (
  id text PRIMARY KEY,
  username text NOT NULL,
  email text,
  password_hash text,
  role role NOT NULL DEFAULT 'USER',
  is_active boolean NOT NULL DEFAULT true,
  oidc_issuer text,
  oidc_subject text,
  monthly_audio_minutes integer,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (monthly_audio_minutes IS NULL OR monthly_audio_minutes >= 0)
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_oidc_issuer_oidc_subject_key ON users (oidc_issuer, oidc_subject);

CREATE TABLE refresh_tokens (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id text NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz(3) NOT NULL,
  used_at timestamptz(3),
  revoked_at timestamptz(3)
);
CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL,
  scopes api_key_scope[] NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz(3),
  expires_at timestamptz(3),
  revoked_at timestamptz(3)
);
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

CREATE TABLE provider_keys (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider provider NOT NULL,
  name text NOT NULL,
  ciphertext bytea NOT NULL,
  nonce bytea NOT NULL,
  master_key_id text NOT NULL,
  last4 text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz(3)
);
CREATE UNIQUE INDEX provider_keys_user_id_provider_name_key ON provider_keys (user_id, provider, name);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  algorithm text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_ciphertext bytea NOT NULL,
  private_nonce bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  retired_at timestamptz(3)
);

CREATE TABLE login_throttles (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  window_start timestamptz(3) NOT NULL,
  blocked_until timestamptz(3)
);

-- Down Migration
DROP TABLE login_throttles;
DROP TABLE signing_keys;
DROP TABLE provider_keys;
DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TYPE api_key_scope;
DROP TYPE provider;
DROP TYPE role;
