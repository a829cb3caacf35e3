-- Version 6: the change feed (store.ChangeFeed). Triggers announce every
-- change that may affect authentication with NOTIFY on the channel
-- latch_changes, delivered at commit, in commit order, to every listening
-- connection of the database. The payload is the schema, the kind and the
-- key, separated by the unit separator (chr(31)), so that stores on other
-- schemas of the same database ignore it.

CREATE FUNCTION latch_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	k TEXT := '';
BEGIN
	IF TG_ARGV[1] <> '' THEN
		IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
			k := to_jsonb(OLD) ->> TG_ARGV[1];
		ELSE
			k := to_jsonb(NEW) ->> TG_ARGV[1];
		END IF;
	END IF;
	PERFORM pg_notify('latch_changes', TG_TABLE_SCHEMA || chr(31) || TG_ARGV[0] || chr(31) || COALESCE(k, ''));
	RETURN NULL;
END
$$;

CREATE TRIGGER users_change_update AFTER UPDATE OF username, email, role, permissions, allowed_ips,
	disabled, password_hash, generation, version ON users
	FOR EACH ROW EXECUTE FUNCTION latch_notify_change('user', 'id');
CREATE TRIGGER users_change_delete AFTER DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION latch_notify_change('user', 'id');
CREATE TRIGGER api_tokens_change_update AFTER UPDATE OF id, user_id, digest, permissions, expires_at ON api_tokens
	FOR EACH ROW EXECUTE FUNCTION latch_notify_change('api_token', 'digest');
CREATE TRIGGER api_tokens_change_delete AFTER DELETE ON api_tokens
	FOR EACH ROW EXECUTE FUNCTION latch_notify_change('api_token', 'digest');
CREATE TRIGGER sessions_change AFTER UPDATE OR DELETE ON sessions
	FOR EACH ROW EXECUTE FUNCTION latch_notify_change('session', 'id');
CREATE TRIGGER revocations_change AFTER INSERT ON revocations
	FOR EACH ROW EXECUTE FUNCTION latch_notify_change('revocation', 'jti');
CREATE TRIGGER signing_keys_change AFTER INSERT OR DELETE ON signing_keys
	FOR EACH STATEMENT EXECUTE FUNCTION latch_notify_change('keys', '');
