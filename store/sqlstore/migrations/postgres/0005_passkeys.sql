-- Version 5: passkeys (store.Passkeys).
-- credential_id is the WebAuthn credential ID, unique across users;
-- transports is a JSON list like the other lists. passkey_handles holds
-- each user's WebAuthn user handle, at most one per user (the primary key)
-- and never one for two users (the unique index).

CREATE TABLE passkeys (
	id                 TEXT COLLATE "C" NOT NULL,
	user_id            TEXT COLLATE "C" NOT NULL,
	credential_id      BYTEA   NOT NULL,
	public_key         BYTEA   NOT NULL,
	sign_count         BIGINT  NOT NULL,
	aaguid             BYTEA   NOT NULL,
	transports         TEXT    NOT NULL,
	backup_eligible    BOOLEAN NOT NULL,
	backup_state       BOOLEAN NOT NULL,
	attestation_format TEXT    NOT NULL,
	name               TEXT    NOT NULL,
	created_at         BIGINT  NOT NULL,
	last_used_at       BIGINT  NOT NULL,
	CONSTRAINT passkeys_pkey PRIMARY KEY (id),
	CONSTRAINT passkeys_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX passkeys_credential_id_uniq ON passkeys (credential_id);
CREATE INDEX passkeys_user_idx ON passkeys (user_id, created_at, id);

CREATE TABLE passkey_handles (
	user_id TEXT COLLATE "C" NOT NULL,
	handle  BYTEA NOT NULL,
	CONSTRAINT passkey_handles_pkey PRIMARY KEY (user_id),
	CONSTRAINT passkey_handles_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX passkey_handles_handle_uniq ON passkey_handles (handle);
