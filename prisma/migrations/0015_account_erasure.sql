-- Up Migration
-- Account erasure (README, "Deleting your account"). A user's own rows go with the user (ON DELETE
-- CASCADE); usage records and audit rows stay, their reference to the user replaced by a stable
-- pseudonym ("deleted:<hash>") in the erasure's transaction.

-- Usage records outlive the user: no foreign key, so user_id can hold the pseudonym afterwards (totals
-- per user keep adding up). Only erasure deletes users, and it rewrites these rows first.
ALTER TABLE usage_records DROP CONSTRAINT usage_records_user_id_fkey;

-- The audit log stays append-only, with one exception: inside the transaction that erases a user
-- (which sets parlance.erasing_user to that user's id, transaction-local), a row may have its
-- actor_id or target_id changed from that id to a pseudonym and its details rewritten; nothing else.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  erasing text := current_setting('parlance.erasing_user', true);
BEGIN
  IF TG_OP = 'UPDATE' AND erasing IS NOT NULL AND erasing <> ''
     AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.action = OLD.action
     AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
     AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
     AND NEW.created_at = OLD.created_at
     AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR (OLD.actor_id = erasing AND NEW.actor_id LIKE 'deleted:%'))
     AND (NEW.target_id IS NOT DISTINCT FROM OLD.target_id OR (OLD.target_id = erasing AND NEW.target_id LIKE 'deleted:%'))
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'raise_exception';
END
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'raise_exception';
END
$$;
ALTER TABLE usage_records ADD CONSTRAINT usage_records_user_id_fkey
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;
