package sqlstore_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
	"github.com/latchkit/latch/store/storetest"
)

// hostSchema is a host application's own tables, named like Latch's (and
// one index like one of Latch's), with rows; latch_schema_version claims a
// version no Latch knows, so a store that read it would fail to open.
var hostSchema = []string{
	`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE UNIQUE INDEX users_username_fold_uniq ON users (name)`,
	`CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id))`,
	`CREATE INDEX sessions_user_idx ON sessions (user_id)`,
	`CREATE TABLE api_tokens (k TEXT PRIMARY KEY)`,
	`CREATE TABLE latch_schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)`,
	`INSERT INTO users (id, name) VALUES (1, 'host-alice'), (2, 'host-bob')`,
	`INSERT INTO sessions (token, user_id) VALUES ('s1', 1)`,
	`INSERT INTO api_tokens (k) VALUES ('k1'), ('k2'), ('k3')`,
	`INSERT INTO latch_schema_version (version, applied_at) VALUES (99, 0)`,
}

// hostTables are the host's tables in hostSchema.
var hostTables = []string{"users", "sessions", "api_tokens", "latch_schema_version"}

// hostState returns the host's rows, table by table, as text.
func hostState(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range hostTables {
		rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY 1`)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		fmt.Fprintln(&b, table, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			fmt.Fprintln(&b, vals...)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	return b.String()
}

// sqliteObjects returns the database's schema objects, "type name: sql".
func sqliteObjects(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, COALESCE(sql, '') FROM sqlite_schema`)
	require.NoError(t, err)
	defer rows.Close()
	objs := map[string]string{}
	for rows.Next() {
		var typ, name, text string
		require.NoError(t, rows.Scan(&typ, &name, &text))
		objs[name] = typ + ": " + text
	}
	require.NoError(t, rows.Err())
	return objs
}

// sqliteHost returns the path of a new SQLite database holding the host's
// tables. When t ends (after the stores opened later are closed) it
// checks that the host's objects and rows are as they were and that every
// other object's name starts with one of prefixes.
func sqliteHost(t *testing.T, prefixes ...string) string {
	t.Helper()
	path := sqltest.SQLitePath(t)
	db := openRaw(t, path)
	for _, stmt := range hostSchema {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	objs, rows := sqliteObjects(t, db), hostState(t, db)
	t.Cleanup(func() {
		after := sqliteObjects(t, db)
		for name, def := range objs {
			assert.Equal(t, def, after[name], "host object %s unchanged", name)
		}
		var latch int
		for name := range after {
			if _, ok := objs[name]; ok || strings.HasPrefix(name, "sqlite_") { // SQLite's own (autoindexes, sqlite_sequence)
				continue
			}
			latch++
			assert.True(t, slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }),
				"Latch's object %s has a prefix", name)
		}
		assert.Positive(t, latch)
		assert.Equal(t, rows, hostState(t, db), "host rows unchanged")
	})
	return path
}

func TestSQLiteTablePrefix(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return sqltest.OpenWith(t, sqliteHost(t, "latch_"), sqlstore.Options{TablePrefix: "latch_"})
	})
}

func TestSQLiteTablePrefixShared(t *testing.T) {
	t.Parallel()
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := sqliteHost(t, "latch_")
		o := sqlstore.Options{TablePrefix: "latch_"}
		return sqltest.OpenWith(t, path, o), sqltest.OpenWith(t, path, o)
	})
}

// TestSQLiteTablePrefixIndependent opens stores with two prefixes, and
// none, in one database file: each sees only its own rows.
func TestSQLiteTablePrefixIndependent(t *testing.T) {
	t.Parallel()
	t.Run("two prefixes beside the host", func(t *testing.T) {
		t.Parallel()
		path := sqliteHost(t, "a_", "b_")
		a := sqltest.OpenWith(t, path, sqlstore.Options{TablePrefix: "a_"})
		b := sqltest.OpenWith(t, path, sqlstore.Options{TablePrefix: "b_"})
		checkIndependent(t, a, b)
	})
	t.Run("none and latch_", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "latch.db")
		a := sqltest.Open(t, path)
		b := sqltest.OpenWith(t, path, sqlstore.Options{TablePrefix: "latch_"})
		checkIndependent(t, a, b)
		db := openRaw(t, path)
		for _, table := range []string{"latch_schema_version", "latch_latch_schema_version"} {
			var n int
			require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
			assert.Equal(t, sqlstore.SchemaVersion, n, table)
		}
	})
}

// checkIndependent writes the same user to a and b, then deletes it from
// a: b keeps it.
func checkIndependent(t *testing.T, a, b *sqlstore.Store) {
	t.Helper()
	ctx := t.Context()
	for _, s := range []*sqlstore.Store{a, b} {
		require.NoError(t, s.CreateUser(ctx, &store.User{ID: "u1", Username: "alice", Email: "alice@example.com"}))
		require.NoError(t, s.CreateAPIToken(ctx, &store.APIToken{ID: "t1", UserID: "u1", Name: "ci", Digest: "d1", Prefix: "p"}, 10))
	}
	require.NoError(t, a.DeleteUser(ctx, "u1"))
	_, err := a.User(ctx, "u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	u, err := b.UserByUsername(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, "u1", u.ID)
	tok, err := b.APITokenByDigest(ctx, "d1")
	require.NoError(t, err)
	assert.Equal(t, "t1", tok.ID)
}

func TestSQLiteTablePrefixReopenAndNew(t *testing.T) {
	t.Parallel()
	path := sqliteHost(t, "latch_")
	o := sqlstore.Options{TablePrefix: "latch_"}
	s := sqltest.OpenWith(t, path, o)
	require.NoError(t, s.CreateUser(t.Context(), &store.User{ID: "u1", Username: "alice"}))
	require.NoError(t, s.Close())

	c, err := sqlite.NewConnector(path + "?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate")
	require.NoError(t, err)
	db := sql.OpenDB(c)
	defer db.Close()
	s, err = sqlstore.NewWith(t.Context(), db, sqlstore.SQLite, o)
	require.NoError(t, err)
	u, err := s.UserByUsername(t.Context(), "alice")
	require.NoError(t, err)
	assert.Equal(t, "u1", u.ID)
	require.NoError(t, s.Close())
}

// postgresHost returns a DSN whose search_path selects a new schema
// holding the host's tables, and the name of a schema for Latch (dropped
// when t ends). When t ends, after the stores opened later are closed, it
// checks that the host's relations and rows are as they were.
func postgresHost(t *testing.T) (dsn, schema string) {
	t.Helper()
	dsn = sqltest.OpenPostgresSchema(t)
	schema = sqltest.PostgresSchemaName(t)
	db := openRaw(t, dsn)
	for _, stmt := range hostSchema {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	rels := func() []string {
		rows, err := db.Query(`SELECT c.relname || ' ' || c.relkind::text FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() ORDER BY 1`)
		require.NoError(t, err)
		defer rows.Close()
		var rels []string
		for rows.Next() {
			var r string
			require.NoError(t, rows.Scan(&r))
			rels = append(rels, r)
		}
		require.NoError(t, rows.Err())
		return rels
	}
	before, rows := rels(), hostState(t, db)
	t.Cleanup(func() {
		assert.Equal(t, before, rels(), "host relations unchanged")
		assert.Equal(t, rows, hostState(t, db), "host rows unchanged")
		var versions int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM `+schema+`.latch_schema_version`).Scan(&versions))
		assert.Equal(t, sqlstore.SchemaVersion, versions, "Latch's migrations are recorded in its schema")
	})
	return dsn, schema
}

func TestPostgresSchema(t *testing.T) {
	t.Parallel()
	sqltest.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		dsn, schema := postgresHost(t)
		return sqltest.OpenWith(t, dsn, sqlstore.Options{Schema: schema})
	})
}

func TestPostgresSchemaShared(t *testing.T) {
	t.Parallel()
	sqltest.PostgresDSN(t)
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn, schema := postgresHost(t)
		o := sqlstore.Options{Schema: schema}
		return sqltest.OpenWith(t, dsn, o), sqltest.OpenWith(t, dsn, o)
	})
}

func TestPostgresSchemaIndependent(t *testing.T) {
	t.Parallel()
	dsn, schema := postgresHost(t)
	other := sqltest.PostgresSchemaName(t)
	a := sqltest.OpenWith(t, dsn, sqlstore.Options{Schema: schema})
	b := sqltest.OpenWith(t, dsn, sqlstore.Options{Schema: other})
	checkIndependent(t, a, b)
}

// TestPostgresSchemaNew gives NewWith pools whose search_path selects the
// schema (accepted, the schema created) and another one (refused).
func TestPostgresSchemaNew(t *testing.T) {
	t.Parallel()
	dsn, schema := postgresHost(t)
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	wrong := stdlib.OpenDB(*cfg)
	defer wrong.Close()
	_, err = sqlstore.NewWith(t.Context(), wrong, sqlstore.Postgres, sqlstore.Options{Schema: schema})
	require.ErrorIs(t, err, sqlstore.ErrOptions)

	cfg.RuntimeParams["search_path"] = schema
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	s, err := sqlstore.NewWith(t.Context(), db, sqlstore.Postgres, sqlstore.Options{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, s.CreateUser(t.Context(), &store.User{ID: "u1", Username: "alice"}))
	require.NoError(t, s.Close())
}

func TestOptionsErrors(t *testing.T) {
	t.Parallel()
	sqlitePath := filepath.Join(t.TempDir(), "a.db")
	const pg = "postgres://u@127.0.0.1:1/db"
	tests := []struct {
		name string
		dsn  string
		o    sqlstore.Options
	}{
		{"prefix on postgres", pg, sqlstore.Options{TablePrefix: "latch_"}},
		{"schema on sqlite", sqlitePath, sqlstore.Options{Schema: "latch"}},
		{"upper case prefix", sqlitePath, sqlstore.Options{TablePrefix: "Latch_"}},
		{"prefix starting with a digit", sqlitePath, sqlstore.Options{TablePrefix: "1_"}},
		{"prefix with a quote", sqlitePath, sqlstore.Options{TablePrefix: `a"_`}},
		{"prefix with a space", sqlitePath, sqlstore.Options{TablePrefix: "a b"}},
		{"long prefix", sqlitePath, sqlstore.Options{TablePrefix: strings.Repeat("a", 33)}},
		{"reserved prefix", sqlitePath, sqlstore.Options{TablePrefix: "sqlite_"}},
		{"schema with a dot", pg, sqlstore.Options{Schema: "a.b"}},
		{"long schema", pg, sqlstore.Options{Schema: strings.Repeat("a", 64)}},
		{"reserved schema", pg, sqlstore.Options{Schema: "pg_latch"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlstore.OpenWith(t.Context(), tc.dsn, tc.o)
			require.ErrorIs(t, err, sqlstore.ErrOptions)
			require.Nil(t, s)
			d := sqlstore.SQLite
			if strings.HasPrefix(tc.dsn, "postgres") {
				d = sqlstore.Postgres
			}
			s, err = sqlstore.NewWith(t.Context(), &sql.DB{}, d, tc.o)
			require.ErrorIs(t, err, sqlstore.ErrOptions)
			require.Nil(t, s)
		})
	}
	_, err := sqlstore.NewWith(t.Context(), &sql.DB{}, sqlstore.Dialect(42), sqlstore.Options{})
	require.ErrorIs(t, err, sqlstore.ErrDialect)
}

// TestChangesUnderOptions checks the change feed of stores beside a host's
// tables: with a table prefix on SQLite (two handles on one file) and in a
// schema of its own on PostgreSQL (two handles on one schema).
func TestChangesUnderOptions(t *testing.T) {
	t.Parallel()
	t.Run("sqlite prefix", func(t *testing.T) {
		t.Parallel()
		storetest.RunChanges(t, func(t *testing.T) (store.Store, store.Store) {
			path := sqliteHost(t, "latch_")
			o := sqlstore.Options{TablePrefix: "latch_"}
			return sqltest.OpenWith(t, path, o), sqltest.OpenWith(t, path, o)
		})
	})
	t.Run("postgres schema", func(t *testing.T) {
		t.Parallel()
		sqltest.PostgresDSN(t)
		storetest.RunChanges(t, func(t *testing.T) (store.Store, store.Store) {
			dsn, schema := postgresHost(t)
			o := sqlstore.Options{Schema: schema}
			return sqltest.OpenWith(t, dsn, o), sqltest.OpenWith(t, dsn, o)
		})
	})
}
