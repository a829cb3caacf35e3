-- Version 3: credential generations, optimistic concurrency and one
-- namespace of identifiers.
-- users.generation replaces tokens_valid_after (store.User.Generation);
-- users.version is bumped by every write (compare-and-swap in UpdateUser).
-- user_identifiers holds every user's folded username and email, so that a
-- username can never equal another user's email (or username) whatever
-- the interleaving of writers: the primary key decides.
ALTER TABLE users ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users DROP COLUMN tokens_valid_after;
ALTER TABLE requests ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE user_identifiers (
	ident   TEXT NOT NULL PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX user_identifiers_user_idx ON user_identifiers (user_id);
INSERT OR IGNORE INTO user_identifiers (ident, user_id) SELECT username_fold, id FROM users;
INSERT OR IGNORE INTO user_identifiers (ident, user_id) SELECT email_fold, id FROM users WHERE email_fold <> '';
