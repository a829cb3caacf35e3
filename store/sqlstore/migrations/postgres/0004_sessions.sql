-- Version 4: sessions and their refresh tokens (store.Sessions).
-- idle_timeout is in microseconds. ends_at is when the session stops being
-- live: the earlier of expires_at and last_used_at + idle_timeout, kept up
-- to date by every write to the session, so "not live at now" is
-- ends_at <= now, one range of an index.
-- A session's refresh tokens are kept, spent ones included (reuse
-- detection), until the session goes; (session_id, seq) is unique, so no
-- two rotations of one token can both insert its successor.

CREATE TABLE sessions (
	id           TEXT COLLATE "C" NOT NULL,
	user_id      TEXT COLLATE "C" NOT NULL,
	created_at   BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL,
	idle_timeout BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	ends_at      BIGINT NOT NULL,
	auth_time    BIGINT NOT NULL,
	client_ip    TEXT   NOT NULL,
	generation   BIGINT NOT NULL,
	refresh_seq  BIGINT NOT NULL,
	CONSTRAINT sessions_pkey PRIMARY KEY (id),
	CONSTRAINT sessions_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at, id);
CREATE INDEX sessions_ends_idx ON sessions (ends_at);

CREATE TABLE refresh_tokens (
	digest     TEXT COLLATE "C" NOT NULL,
	session_id TEXT COLLATE "C" NOT NULL,
	seq        BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	spent_at   BIGINT NOT NULL,
	CONSTRAINT refresh_tokens_pkey PRIMARY KEY (digest),
	CONSTRAINT refresh_tokens_session_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX refresh_tokens_session_seq_uniq ON refresh_tokens (session_id, seq);
