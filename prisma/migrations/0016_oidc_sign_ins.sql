-- Up Migration
-- Web sign-in through an external OIDC issuer (README, "Signing in through an external OIDC issuer").
-- One row per attempt. /auth/oidc/<key>/start writes the state (SHA-256 of it; the browser holds the
-- state itself in a cookie too), the nonce and the PKCE verifier; the callback claims the row once
-- (returned_at, the verifier erased) and, for a verified identity, records the user and the SHA-256 of
-- a one-time completion code that the web app exchanges for a session (completeOidcSignIn sets
-- completed_at); amr keeps the ID token's authentication methods for that session (REQUIRE_ADMIN_MFA
-- reads them as it reads an external access token's). Rows live minutes: each start deletes those older
-- than a day.
CREATE TABLE oidc_sign_ins (
  id text PRIMARY KEY,
  issuer_key text NOT NULL,
  state_hash text NOT NULL UNIQUE,
  nonce text NOT NULL,
  code_verifier text,
  expires_at timestamptz(3) NOT NULL,
  returned_at timestamptz(3),
  user_id text REFERENCES users (id) ON DELETE CASCADE,
  completion_hash text UNIQUE,
  completion_expires_at timestamptz(3),
  amr text[] NOT NULL DEFAULT '{}',
  completed_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX oidc_sign_ins_user_id_idx ON oidc_sign_ins (user_id);
CREATE INDEX oidc_sign_ins_created_at_idx ON oidc_sign_ins (created_at);

-- Down Migration
DROP TABLE oidc_sign_ins;
