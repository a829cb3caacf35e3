-- Version 3: credential generations, optimistic concurrency and one
-- namespace of identifiers.
-- users.generation replaces tokens_valid_after (store.User.Generation);
-- users.version is bumped by every write (compare-and-swap in UpdateUser).
-- user_identifiers holds every user's folded username and email, so that a
-- username can never equal another user's email (or username) whatever
-- the interleaving of writers: the primary key decides.
ALTER TABLE users ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users DROP COLUMN tokens_valid_after;
ALTER TABLE requests ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;

CREATE TABLE user_identifiers (
	ident   TEXT COLLATE "C" NOT NULL,
	user_id TEXT COLLATE "C" NOT NULL,
	CONSTRAINT user_identifiers_pkey PRIMARY KEY (ident),
	CONSTRAINT user_identifiers_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX user_identifiers_user_idx ON user_identifiers (user_id);
INSERT INTO user_identifiers (ident, user_id) SELECT username_fold, id FROM users ON CONFLICT DO NOTHING;
INSERT INTO user_identifiers (ident, user_id) SELECT email_fold, id FROM users WHERE email_fold <> '' ON CONFLICT DO NOTHING;
