-- Version 4: sessions and their refresh tokens (store.Sessions).
-- idle_timeout is in microseconds. ends_at is when the session stops being
-- live: the earlier of expires_at and last_used_at + idle_timeout, kept up
-- to date by every write to the session, so "not live at now" is
-- ends_at <= now, one range of an index.
-- A session's refresh tokens are kept, spent ones included (reuse
-- detection), until the session goes; (session_id, seq) is unique, so no
-- two rotations of one token can both insert its successor.

CREATE TABLE sessions (
	id           TEXT    NOT NULL PRIMARY KEY,
	user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL,
	idle_timeout INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	ends_at      INTEGER NOT NULL,
	auth_time    INTEGER NOT NULL,
	client_ip    TEXT    NOT NULL,
	generation   INTEGER NOT NULL,
	refresh_seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at, id);
CREATE INDEX sessions_ends_idx ON sessions (ends_at);

CREATE TABLE refresh_tokens (
	digest     TEXT    NOT NULL PRIMARY KEY,
	session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	spent_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX refresh_tokens_session_seq_uniq ON refresh_tokens (session_id, seq);
