package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// dialectDSNs returns a fresh SQLite file and a fresh PostgreSQL schema (if
// configured), by name.
func dialectDSNs(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		f(t, sqltest.SQLitePath(t))
	})
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		f(t, sqltest.OpenPostgresSchema(t))
	})
}

// openRaw opens a plain *sql.DB on dsn, for looking behind the store.
func openRaw(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	if strings.HasPrefix(dsn, "postgres://") {
		cfg, err := pgx.ParseConfig(dsn)
		require.NoError(t, err)
		db = stdlib.OpenDB(*cfg)
	} else {
		c, err := sqlite.NewConnector(dsn + "?_busy_timeout=5000")
		require.NoError(t, err)
		db = sql.OpenDB(c)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestOpenConcurrentMigrations(t *testing.T) {
	t.Parallel()
	dialectDSNs(t, func(t *testing.T, dsn string) {
		const n = 8
		stores := make([]*sqlstore.Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = sqlstore.Open(t.Context(), dsn)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i], "Open %d", i)
			t.Cleanup(func() { assert.NoError(t, stores[i].Close()) })
		}
		// Every handle sees the others' writes.
		for i, s := range stores {
			require.NoError(t, s.CreateUser(t.Context(), &store.User{ID: fmt.Sprint(i), Username: fmt.Sprint("user", i)}))
		}
		for _, s := range stores {
			users, _, err := s.ListUsers(t.Context(), 100, "")
			require.NoError(t, err)
			assert.Len(t, users, n)
		}
		var versions, latest int
		db := openRaw(t, dsn)
		require.NoError(t, db.QueryRow(`SELECT COUNT(*), MAX(version) FROM latch_schema_version`).Scan(&versions, &latest))
		assert.Equal(t, sqlstore.SchemaVersion, versions, "each migration recorded once")
		assert.Equal(t, sqlstore.SchemaVersion, latest)
	})
}

func TestOpenSchemaTooNew(t *testing.T) {
	t.Parallel()
	dialectDSNs(t, func(t *testing.T, dsn string) {
		s := sqltest.Open(t, dsn)
		require.NoError(t, s.Close())
		db := openRaw(t, dsn)
		_, err := db.Exec(`INSERT INTO latch_schema_version (version, applied_at) VALUES ($1, 0)`, sqlstore.SchemaVersion+1)
		require.NoError(t, err)
		_, err = sqlstore.Open(t.Context(), dsn)
		require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
	})
}

func TestOpenReopenKeepsData(t *testing.T) {
	t.Parallel()
	dialectDSNs(t, func(t *testing.T, dsn string) {
		s := sqltest.Open(t, dsn)
		require.NoError(t, s.CreateUser(t.Context(), &store.User{ID: "u1", Username: "a"}))
		require.NoError(t, s.Close())
		s = sqltest.Open(t, dsn)
		_, err := s.User(t.Context(), "u1")
		require.NoError(t, err)
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	tests := []struct {
		name string
		ctx  context.Context
		dsn  string
		want error
	}{
		{"empty", context.Background(), "", sqlstore.ErrDSN},
		{"query only", context.Background(), "?_busy_timeout=1", sqlstore.ErrDSN},
		{"bad query", context.Background(), filepath.Join(dir, "a.db") + "?%zz", sqlstore.ErrDSN},
		{"bad postgres", context.Background(), "postgres://%zz", sqlstore.ErrDSN},
		{"simple protocol", context.Background(), "postgres://u@127.0.0.1:1/db?default_query_exec_mode=simple_protocol", sqlstore.ErrDSN},
		{"cancelled", cancelled, filepath.Join(dir, "b.db"), context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlstore.Open(tc.ctx, tc.dsn)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, s)
		})
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	t.Parallel()
	s, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "no", "such", "dir", "a.db"))
	require.Error(t, err)
	require.Nil(t, s)
}

func TestOpenDoesNotLeakPassword(t *testing.T) {
	t.Parallel()
	_, err := sqlstore.Open(t.Context(), "postgres://user:hunter2-secret@[::1/db")
	require.ErrorIs(t, err, sqlstore.ErrDSN)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := sqlstore.New(t.Context(), nil, sqlstore.SQLite)
	require.ErrorIs(t, err, sqlstore.ErrDSN)
	_, err = sqlstore.New(t.Context(), &sql.DB{}, sqlstore.Dialect(42))
	require.ErrorIs(t, err, sqlstore.ErrDialect)

	c, err := sqlite.NewConnector(sqltest.SQLitePath(t) + "?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate&_journal_mode=WAL")
	require.NoError(t, err)
	db := sql.OpenDB(c)
	defer db.Close()
	s, err := sqlstore.New(t.Context(), db, sqlstore.SQLite)
	require.NoError(t, err)
	assert.Equal(t, sqlstore.SQLite, s.Dialect())
	require.NoError(t, s.CreateUser(t.Context(), &store.User{ID: "u1", Username: "a"}))
	require.NoError(t, s.Close())
	require.NoError(t, db.Ping(), "Close leaves the caller's *sql.DB open")
	_, err = s.User(t.Context(), "u1")
	require.ErrorIs(t, err, sqlstore.ErrClosed)
}

func TestDialectString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "sqlite", sqlstore.SQLite.String())
	assert.Equal(t, "postgres", sqlstore.Postgres.String())
	assert.Equal(t, "unknown", sqlstore.Dialect(0).String())
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	for _, dsn := range []string{
		filepath.Join(dir, "plain.db"),
		"file:" + filepath.Join(dir, "uri.db") + "?_busy_timeout=1000",
		"file://" + filepath.Join(dir, "authority.db"),
	} {
		s := sqltest.Open(t, dsn)
		require.NoError(t, s.CreateUser(t.Context(), &store.User{ID: "u1", Username: "a"}))
	}
	for _, name := range []string{"plain.db", "plain.db-wal", "uri.db", "authority.db"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}
}
