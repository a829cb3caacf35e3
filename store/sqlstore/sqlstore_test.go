package sqlstore_test

import (
	"testing"

	"github.com/latchkit/latch/store"
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
