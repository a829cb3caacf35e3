// Package sqlstore is the SQL backend of [store.Store]: SQLite, the
// embedded default, and PostgreSQL, for several service instances sharing
// one database. It is one implementation over database/sql with a small
// dialect layer.
//
// Open a store with a DSN; the schema is created or migrated on the way:
//
//	s, err := sqlstore.Open(ctx, "/var/lib/latch/latch.db")                       // SQLite file
//	s, err := sqlstore.Open(ctx, "postgres://latch@db.internal/latch?sslmode=verify-full") // PostgreSQL
//	defer s.Close()
//
// A host that already has a pool passes it to [New] with its [Dialect].
// [OpenWith] and [NewWith] take [Options] that put Latch's tables beside
// the host's own in one database (see Sharing a database).
//
// # Drivers
//
// SQLite goes through modernc.org/sqlite (pure Go, no cgo). Open sets WAL
// journaling, synchronous=NORMAL, a 5 s busy timeout, foreign keys and
// BEGIN IMMEDIATE for write transactions, and splits the database into one
// writer connection and a few read-only reader connections, so writers in
// one process queue in Go instead of spinning on the file lock and readers
// never wait for writers. PostgreSQL goes through
// github.com/jackc/pgx/v5/stdlib with the extended query protocol (cached
// prepared statements); the simple protocol is refused. Any pgx connection
// parameter may be given in the URL, including search_path to place the
// tables in a schema (or see Options.Schema).
//
// # Schema and migrations
//
// The schema lives in embedded SQL files, one directory per dialect
// (migrations/sqlite, migrations/postgres), applied in order at Open and
// recorded in the latch_schema_version table. Migration runs in one
// transaction that excludes other migrators (a transaction-level advisory
// lock on PostgreSQL, the write lock on SQLite), so processes that start
// together against a new database are safe. A database migrated by a newer
// version gives [ErrSchemaTooNew].
//
// Times are stored as int64 Unix microseconds (exact, and the same in both
// dialects); permission and IP lists as JSON text; usernames and emails
// also in their [store.FoldIdentifier] form under unique indexes. Every
// lookup the interfaces offer is one read of an index: token digest,
// folded username and email, request ID, session ID, refresh-token digest,
// passkey credential ID and user handle, and the user_id of every table
// that belongs to a user (whose foreign keys cascade on delete, as refresh
// tokens' do from their session). Each session keeps when it stops being
// live (ends_at), so expired sessions are deleted by a range of an index.
//
// # Sharing a database
//
// A host may keep Latch's tables in the database that holds its own, even
// one with its own users or sessions table:
//
//	s, err := sqlstore.OpenWith(ctx, "/var/lib/app/app.db", sqlstore.Options{TablePrefix: "latch_"})
//	s, err := sqlstore.OpenWith(ctx, "postgres://app@db.internal/app", sqlstore.Options{Schema: "latch"})
//
// On PostgreSQL, Options.Schema names the schema holding every Latch
// object (created if missing, with the CREATE privilege on the database);
// each connection's search_path is that schema alone, so Latch neither
// sees nor touches the host's tables, and its migrations are recorded and
// locked per schema. On SQLite, where a database has one namespace,
// Options.TablePrefix is put before the name of every table, index and
// trigger Latch creates (latch_users, latch_users_username_fold_uniq,
// latch_latch_schema_version). The names are read from the embedded
// migration files, and every statement the store runs, migrations and
// trigger bodies included, is rewritten once when first used: each such
// name, as a whole identifier outside string literals and comments, gets
// the prefix. Stores with different prefixes, or schemas, in one database
// are independent. Each option belongs to its dialect (a prefix on
// PostgreSQL or a schema on SQLite is refused with [ErrOptions]):
// PostgreSQL's schemas already separate every kind of object, functions
// included, without rewriting SQL.
//
// # Atomicity
//
// Each atomic operation of the store contracts is one statement or one
// transaction: consuming a recovery code and deleting a request are a
// DELETE whose affected-row count tells the one winner; advancing a TOTP
// step is an UPDATE ... WHERE last_step < step; a failed request attempt
// is an UPDATE ... RETURNING followed by the DELETE at the maximum in the
// same transaction; a hit is one INSERT ... ON CONFLICT DO UPDATE ...
// RETURNING; the API-token, passkey and session caps count (or delete
// the oldest) and insert after locking the owner's row (SELECT ... FOR
// UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite). A refresh-token
// rotation reads the token, its session and user in one statement, then
// swaps the session's refresh_seq with a conditional UPDATE (one
// statement with the token writes on PostgreSQL), so of concurrent
// rotations of one token exactly one changes the session; the others read
// again and find the token spent. Recording a passkey use is an UPDATE
// ... WHERE sign_count = old; a passkey user handle is set by one INSERT
// whose primary key (one per user) and unique index (one user per handle)
// decide. Transactions that lose a lock race (SQLITE_BUSY, PostgreSQL
// serialization failures and deadlocks) are retried from the start, so
// callers never see those errors.
//
// # Errors
//
// Constraint violations become [store.ErrUsernameTaken],
// [store.ErrEmailTaken] or [store.ErrConflict]; a missing parent row and
// sql.ErrNoRows become [store.ErrNotFound]. Records are checked with the
// store.Validate* helpers before any write and refused with
// [store.ErrInvalid], never truncated. Lookups by a value that could never
// have been stored (invalid UTF-8, a NUL byte, over the size limit) give
// ErrNotFound without a query. After Close every method returns
// [ErrClosed].
//
// # Security
//
// The store never sees a secret in the clear (see package store): tokens,
// recovery codes and request codes arrive as digests of high-entropy
// secrets and are looked up through indexes, where timing reveals nothing
// about a secret. Every value reaches the database as a bound parameter;
// SQL text is never built from input. A new SQLite file is created with
// mode 0600, and SQLite gives its -wal and -shm files the same mode. Open
// never quotes a PostgreSQL DSN in an error, so it cannot leak the password.
//
// # Tests
//
// Package [github.com/latchkit/latch/store/sqlstore/sqltest] opens
// throw-away databases: SQLite files in a test's temporary directory and
// PostgreSQL schemas in the database named by LATCH_TEST_POSTGRES.
package sqlstore
