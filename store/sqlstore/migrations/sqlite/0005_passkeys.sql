-- Version 5: passkeys (store.Passkeys).
-- credential_id is the WebAuthn credential ID, unique across users;
-- transports is a JSON list like the other lists. passkey_handles holds
-- each user's WebAuthn user handle, at most one per user (the primary key)
-- and never one for two users (the unique index).

CREATE TABLE passkeys (
	id                 TEXT    NOT NULL PRIMARY KEY,
	user_id            TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	credential_id      BLOB    NOT NULL,
	public_key         BLOB    NOT NULL,
	sign_count         INTEGER NOT NULL,
	aaguid             BLOB    NOT NULL,
	transports         TEXT    NOT NULL,
	backup_eligible    INTEGER NOT NULL,
	backup_state       INTEGER NOT NULL,
	attestation_format TEXT    NOT NULL,
	name               TEXT    NOT NULL,
	created_at         INTEGER NOT NULL,
	last_used_at       INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX passkeys_credential_id_uniq ON passkeys (credential_id);
CREATE INDEX passkeys_user_idx ON passkeys (user_id, created_at, id);

CREATE TABLE passkey_handles (
	user_id TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	handle  BLOB NOT NULL
) STRICT;
CREATE UNIQUE INDEX passkey_handles_handle_uniq ON passkey_handles (handle);
