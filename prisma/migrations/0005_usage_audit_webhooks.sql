-- Up Migration

-- Usage records cover live sessions too: one record per session (session_id), one per file job (job_id).
-- Neither has a foreign key: usage stays when the job or session is deleted.
ALTER TABLE usage_records ADD COLUMN session_id text;
CREATE UNIQUE INDEX usage_records_session_id_key ON usage_records (session_id);
CREATE INDEX usage_records_created_at_idx ON usage_records (created_at);
CREATE INDEX usage_records_project_id_created_at_idx ON usage_records (project_id, created_at);

-- Reservations: queued and processing jobs of one owner (quota checks sum their durations).
CREATE INDEX jobs_owner_id_status_idx ON jobs (owner_id, status);

-- Token buckets shared by every API process: `tokens` left at `updated_at`, refilled at
-- limit / window per second up to `limit`.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Takes one token from the bucket `bucket_key` (capacity `max_tokens`, refilled over `window_seconds`).
-- Returns 0 when a token was taken, else the seconds until one is available (nothing is taken).
CREATE FUNCTION rate_limit_take(bucket_key text, max_tokens integer, window_seconds double precision)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
  rate double precision := max_tokens / window_seconds;
  available double precision;
BEGIN
  INSERT INTO rate_limits (key, tokens, updated_at) VALUES (bucket_key, max_tokens, clock_timestamp())
  ON CONFLICT (key) DO NOTHING;
  SELECT LEAST(max_tokens, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at)) * rate)
    INTO available FROM rate_limits WHERE key = bucket_key FOR UPDATE;
  IF available >= 1 THEN
    UPDATE rate_limits SET tokens = available - 1, updated_at = clock_timestamp() WHERE key = bucket_key;
    RETURN 0;
  END IF;
  UPDATE rate_limits SET tokens = available, updated_at = clock_timestamp() WHERE key = bucket_key;
  RETURN (1 - available) / rate;
END
$$;

-- The audit log: who did what to which object, when, in which request. Append-only: the trigger
-- below refuses UPDATE, DELETE and TRUNCATE, whoever asks. actor_id has no foreign key on purpose
-- (a foreign key action would have to update rows, and the entry outlives the user).
CREATE TABLE audit_log (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  actor_id text,
  action text NOT NULL,
  target_type text,
  target_id text,
  request_id text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX audit_log_seq_key ON audit_log (seq);
CREATE INDEX audit_log_actor_id_seq_idx ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action_seq_idx ON audit_log (action, seq);
CREATE INDEX audit_log_target_id_idx ON audit_log (target_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'raise_exception';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Webhook endpoints: a user's own, or a project's (project_id set; created by an OWNER/ADMIN).
-- The signing secret is sealed with AES-256-GCM under the master key, the owner's id as associated data.
CREATE TABLE webhook_endpoints (
  id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id text REFERENCES projects (id) ON DELETE CASCADE,
  url text NOT NULL,
  events text[] NOT NULL,
  secret_ciphertext bytea NOT NULL,
  secret_nonce bytea NOT NULL,
  master_key_id text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- Consecutive failed attempts; reset by a successful one.
  failure_count integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  last_attempt_at timestamptz(3),
  last_delivered_at timestamptz(3),
  disabled_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (failure_count >= 0)
);
CREATE INDEX webhook_endpoints_owner_id_idx ON webhook_endpoints (owner_id);
CREATE INDEX webhook_endpoints_project_id_idx ON webhook_endpoints (project_id);

-- One row per (event, endpoint): the exact body sent on every attempt, and how it went.
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'PENDING',
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  completed_at timestamptz(3),
  CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'SKIPPED'))
);
CREATE INDEX webhook_deliveries_endpoint_id_id_idx ON webhook_deliveries (endpoint_id, id);

-- Down Migration
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP FUNCTION rate_limit_take(text, integer, double precision);
DROP TABLE rate_limits;
DROP INDEX jobs_owner_id_status_idx;
DROP INDEX usage_records_project_id_created_at_idx;
DROP INDEX usage_records_created_at_idx;
DROP INDEX usage_records_session_id_key;
ALTER TABLE usage_records DROP COLUMN session_id;
