-- Up Migration
-- Every change to a user row (token version, activity, role, erasure ...) is announced on
-- parlance_user_changes with the user's id, so each API process forgets its cached copy at once
-- (server/services/userCache.ts). A trigger catches every writer, raw SQL included.
CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parlance_user_changes', OLD.id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION notify_user_changed();

-- Down Migration
DROP TRIGGER users_changed ON users;
DROP FUNCTION notify_user_changed();
