-- Live sessions (issue 12): every end of a session, by whichever instance, tool or future code path wrote it,
-- is announced on the channel `auth_session_ended` with the payload "<session id> <final status>", so each API
-- instance can close the sockets bound to that session. NOTIFY is transactional: it is delivered on commit,
-- and never for a rolled-back change. A session deleted while still ACTIVE (a user deleted outright) is
-- announced as REVOKED.

CREATE FUNCTION "auth_notify_session_ended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('auth_session_ended', OLD.id::text || ' REVOKED');
    RETURN OLD;
  END IF;
  PERFORM pg_notify('auth_session_ended', NEW.id::text || ' ' || NEW.status::text);
  RETURN NEW;
END;
$$;

-- WHEN clauses keep every other write (lastUsedAt touches, renewals) free of any trigger call.
CREATE TRIGGER "sessions_ended_notify"
  AFTER UPDATE OF "status" ON "sessions"
  FOR EACH ROW
  WHEN (OLD."status" = 'ACTIVE' AND NEW."status" <> 'ACTIVE')
  EXECUTE FUNCTION "auth_notify_session_ended"();

CREATE TRIGGER "sessions_deleted_notify"
  AFTER DELETE ON "sessions"
  FOR EACH ROW
  WHEN (OLD."status" = 'ACTIVE')
  EXECUTE FUNCTION "auth_notify_session_ended"();
