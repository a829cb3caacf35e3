-- Latch schema, version 1 (SQLite).
-- Times are int64 Unix microseconds (the zero time.Time is its own value,
-- -62135596800000000); lists are JSON text ('null' for a nil list).
-- Usernames and emails are also stored folded (store.Fold) for uniqueness
-- and lookup.

CREATE TABLE users (
	id                 TEXT    NOT NULL PRIMARY KEY,
	username           TEXT    NOT NULL,
	username_fold      TEXT    NOT NULL,
	email              TEXT    NOT NULL,
	email_fold         TEXT    NOT NULL,
	email_verified     INTEGER NOT NULL,
	role               TEXT    NOT NULL,
	permissions        TEXT    NOT NULL,
	allowed_ips        TEXT    NOT NULL,
	disabled           INTEGER NOT NULL,
	password_hash      TEXT    NOT NULL,
	tokens_valid_after INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	last_login_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_username_fold_uniq ON users (username_fold);
CREATE UNIQUE INDEX users_email_fold_uniq ON users (email_fold) WHERE email_fold <> '';

-- Clustered on digest (WITHOUT ROWID): authentication by token is one
-- b-tree descent. The ID, used to list, touch and delete, has its own
-- unique index.
CREATE TABLE api_tokens (
	digest       TEXT    NOT NULL PRIMARY KEY,
	id           TEXT    NOT NULL,
	user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL,
	prefix       TEXT    NOT NULL,
	permissions  TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX api_tokens_id_uniq ON api_tokens (id);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at, id);

CREATE TABLE totp (
	user_id    TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret     BLOB    NOT NULL,
	algorithm  TEXT    NOT NULL,
	digits     INTEGER NOT NULL,
	period     INTEGER NOT NULL,
	last_step  INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE totp_pending (
	user_id    TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret     BLOB    NOT NULL,
	algorithm  TEXT    NOT NULL,
	digits     INTEGER NOT NULL,
	period     INTEGER NOT NULL,
	last_step  INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	digest  TEXT NOT NULL,
	PRIMARY KEY (user_id, digest)
) STRICT, WITHOUT ROWID;

CREATE TABLE requests (
	id                     TEXT    NOT NULL PRIMARY KEY,
	kind                   TEXT    NOT NULL,
	user_id                TEXT    REFERENCES users (id) ON DELETE CASCADE,
	email                  TEXT    NOT NULL,
	code_digest            TEXT    NOT NULL,
	attempts               INTEGER NOT NULL,
	email_verified         INTEGER NOT NULL,
	second_factor_verified INTEGER NOT NULL,
	created_at             INTEGER NOT NULL,
	expires_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX requests_user_idx ON requests (user_id);
CREATE INDEX requests_expires_idx ON requests (expires_at);

CREATE TABLE signing_keys (
	id         TEXT    NOT NULL PRIMARY KEY,
	sealed     BLOB    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE revocations (
	jti        TEXT    NOT NULL PRIMARY KEY,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX revocations_expires_idx ON revocations (expires_at);

CREATE TABLE counters (
	counter_key  TEXT    NOT NULL PRIMARY KEY,
	hits         INTEGER NOT NULL,
	reset_at     INTEGER NOT NULL,
	banned_until INTEGER NOT NULL
) STRICT;
