-- Version 6: the change feed (store.ChangeFeed). Triggers record every
-- change that may affect authentication in latch_changes, in the same
-- transaction as the change; SQLite commits one writer at a time, so seq
-- order is commit order, and every process sharing the file reads the rows
-- after the last seq it saw. Rows older than ten minutes are pruned by
-- DeleteExpiredRevocations. at is in Unix seconds.

CREATE TABLE latch_changes (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT    NOT NULL,
	key  TEXT    NOT NULL,
	at   INTEGER NOT NULL
) STRICT;
CREATE INDEX latch_changes_at_idx ON latch_changes (at);

CREATE TRIGGER users_change_update AFTER UPDATE OF username, email, role, permissions, allowed_ips,
	disabled, password_hash, generation, version ON users
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('user', NEW.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER users_change_delete AFTER DELETE ON users
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('user', OLD.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER api_tokens_change_update AFTER UPDATE OF id, user_id, digest, permissions, expires_at ON api_tokens
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('api_token', OLD.digest, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER api_tokens_change_delete AFTER DELETE ON api_tokens
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('api_token', OLD.digest, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER sessions_change_update AFTER UPDATE ON sessions
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('session', OLD.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER sessions_change_delete AFTER DELETE ON sessions
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('session', OLD.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER revocations_change_insert AFTER INSERT ON revocations
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('revocation', NEW.jti, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER signing_keys_change_insert AFTER INSERT ON signing_keys
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('keys', '', CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER signing_keys_change_delete AFTER DELETE ON signing_keys
BEGIN
	INSERT INTO latch_changes (kind, key, at) VALUES ('keys', '', CAST(strftime('%s', 'now') AS INTEGER));
END;
