-- Latch schema, version 1 (PostgreSQL).
-- Times are int64 Unix microseconds (the zero time.Time is its own value,
-- -62135596800000000); lists are JSON text ('null' for a nil list).
-- Usernames and emails are also stored folded (store.Fold) for uniqueness
-- and lookup. Keys that are ordered use COLLATE "C" so that ORDER BY is
-- byte order, whatever the database's default collation.

CREATE TABLE users (
	id                 TEXT COLLATE "C" NOT NULL,
	username           TEXT    NOT NULL,
	username_fold      TEXT COLLATE "C" NOT NULL,
	email              TEXT    NOT NULL,
	email_fold         TEXT COLLATE "C" NOT NULL,
	email_verified     BOOLEAN NOT NULL,
	role               TEXT    NOT NULL,
	permissions        TEXT    NOT NULL,
	allowed_ips        TEXT    NOT NULL,
	disabled           BOOLEAN NOT NULL,
	password_hash      TEXT    NOT NULL,
	tokens_valid_after BIGINT  NOT NULL,
	created_at         BIGINT  NOT NULL,
	updated_at         BIGINT  NOT NULL,
	last_login_at      BIGINT  NOT NULL,
	CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX users_username_fold_uniq ON users (username_fold);
CREATE UNIQUE INDEX users_email_fold_uniq ON users (email_fold) WHERE email_fold <> '';

CREATE TABLE api_tokens (
	id           TEXT COLLATE "C" NOT NULL,
	user_id      TEXT COLLATE "C" NOT NULL,
	name         TEXT   NOT NULL,
	prefix       TEXT   NOT NULL,
	digest       TEXT COLLATE "C" NOT NULL,
	permissions  TEXT   NOT NULL,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL,
	CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
	CONSTRAINT api_tokens_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX api_tokens_digest_uniq ON api_tokens (digest);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at, id);

CREATE TABLE totp (
	user_id    TEXT COLLATE "C" NOT NULL,
	secret     BYTEA  NOT NULL,
	algorithm  TEXT   NOT NULL,
	digits     BIGINT NOT NULL,
	period     BIGINT NOT NULL,
	last_step  BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	CONSTRAINT totp_pkey PRIMARY KEY (user_id),
	CONSTRAINT totp_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE totp_pending (
	user_id    TEXT COLLATE "C" NOT NULL,
	secret     BYTEA  NOT NULL,
	algorithm  TEXT   NOT NULL,
	digits     BIGINT NOT NULL,
	period     BIGINT NOT NULL,
	last_step  BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	CONSTRAINT totp_pending_pkey PRIMARY KEY (user_id),
	CONSTRAINT totp_pending_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE recovery_codes (
	user_id TEXT COLLATE "C" NOT NULL,
	digest  TEXT COLLATE "C" NOT NULL,
	CONSTRAINT recovery_codes_pkey PRIMARY KEY (user_id, digest),
	CONSTRAINT recovery_codes_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE requests (
	id                     TEXT COLLATE "C" NOT NULL,
	kind                   TEXT    NOT NULL,
	user_id                TEXT COLLATE "C",
	email                  TEXT    NOT NULL,
	code_digest            TEXT    NOT NULL,
	attempts               BIGINT  NOT NULL,
	email_verified         BOOLEAN NOT NULL,
	second_factor_verified BOOLEAN NOT NULL,
	created_at             BIGINT  NOT NULL,
	expires_at             BIGINT  NOT NULL,
	CONSTRAINT requests_pkey PRIMARY KEY (id),
	CONSTRAINT requests_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX requests_user_idx ON requests (user_id);
CREATE INDEX requests_expires_idx ON requests (expires_at);

CREATE TABLE signing_keys (
	id         TEXT COLLATE "C" NOT NULL,
	sealed     BYTEA  NOT NULL,
	created_at BIGINT NOT NULL,
	CONSTRAINT signing_keys_pkey PRIMARY KEY (id)
);

CREATE TABLE revocations (
	jti        TEXT COLLATE "C" NOT NULL,
	expires_at BIGINT NOT NULL,
	CONSTRAINT revocations_pkey PRIMARY KEY (jti)
);
CREATE INDEX revocations_expires_idx ON revocations (expires_at);

CREATE TABLE counters (
	counter_key  TEXT COLLATE "C" NOT NULL,
	hits         BIGINT NOT NULL,
	reset_at     BIGINT NOT NULL,
	banned_until BIGINT NOT NULL,
	CONSTRAINT counters_pkey PRIMARY KEY (counter_key)
);
