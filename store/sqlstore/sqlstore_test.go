package sqlstore_test

import (
	"testing"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
	"github.com/latchkit/latch/store/storetest"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return sqltest.SQLite(t) })
}

// TestSQLiteMemory runs the suite on private in-memory databases (one
// connection each).
func TestSQLiteMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return sqltest.Open(t, ":memory:") })
}

// TestSQLiteShared races two Stores (two *sql.DB, standing for two
// processes) on one SQLite file.
func TestSQLiteShared(t *testing.T) {
	t.Parallel()
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := sqltest.SQLitePath(t)
		return sqltest.Open(t, path), sqltest.Open(t, path)
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	sqltest.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return sqltest.Postgres(t) })
}

// TestPostgresShared races two Stores on one PostgreSQL schema.
func TestPostgresShared(t *testing.T) {
	t.Parallel()
	sqltest.PostgresDSN(t)
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := sqltest.OpenPostgresSchema(t)
		return sqltest.Open(t, dsn), sqltest.Open(t, dsn)
	})
}

// eachDialect runs f in parallel subtests on a fresh SQLite file and a
// fresh PostgreSQL schema (skipped without LATCH_TEST_POSTGRES).
func eachDialect(t *testing.T, f func(t *testing.T, s *sqlstore.Store)) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return sqltest.SQLitePath(t) },
		"postgres": func(t *testing.T) string { return sqltest.OpenPostgresSchema(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, sqltest.Open(t, dsn(t)))
		})
	}
}

// TestChanges checks the change feed with two handles on one SQLite file
// (two processes), on one in-memory database and on one PostgreSQL schema.
func TestChanges(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		storetest.RunChanges(t, func(t *testing.T) (store.Store, store.Store) {
			path := sqltest.SQLitePath(t)
			return sqltest.Open(t, path), sqltest.Open(t, path)
		})
	})
	t.Run("sqlite-memory", func(t *testing.T) {
		t.Parallel()
		storetest.RunChanges(t, func(t *testing.T) (store.Store, store.Store) {
			s := sqltest.Open(t, ":memory:")
			return s, s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		sqltest.PostgresDSN(t)
		storetest.RunChanges(t, func(t *testing.T) (store.Store, store.Store) {
			dsn := sqltest.OpenPostgresSchema(t)
			return sqltest.Open(t, dsn), sqltest.Open(t, dsn)
		})
	})
}
