package sqltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
)

// EnvPostgres is the environment variable holding the PostgreSQL DSN
// (a postgres:// URL) the PostgreSQL tests run against.
const EnvPostgres = "LATCH_TEST_POSTGRES"

// SkipMessage is what PostgreSQL tests say when they skip.
const SkipMessage = EnvPostgres + " not set; skipping PostgreSQL suite"

// SQLite returns a Store on a new SQLite file in t's temporary directory,
// closed when t ends.
func SQLite(t testing.TB) store.Store {
	t.Helper()
	return Open(t, SQLitePath(t))
}

// SQLitePath returns the path of a new SQLite database file in t's
// temporary directory (the file is created by the first Open).
func SQLitePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "latch.db")
}

// Postgres returns a Store on a fresh schema of the LATCH_TEST_POSTGRES
// database, closed (and the schema dropped) when t ends. It skips t when
// the variable is unset.
func Postgres(t testing.TB) store.Store {
	t.Helper()
	return Open(t, OpenPostgresSchema(t))
}

// Open opens a Store on dsn and closes it when t ends (a second Close by
// the test is harmless).
func Open(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	return OpenWith(t, dsn, sqlstore.Options{})
}

// OpenWith opens a Store on dsn with o and closes it when t ends.
func OpenWith(t testing.TB, dsn string, o sqlstore.Options) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlstore.OpenWith(ctx, dsn, o)
	if err != nil {
		t.Fatalf("sqltest: open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("sqltest: close: %v", err)
		}
	})
	return s
}

// PostgresDSN returns the LATCH_TEST_POSTGRES DSN, or skips t with
// SkipMessage when it is unset. Stores opened on it directly share the
// database's default schema with every other test; prefer
// OpenPostgresSchema.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip(SkipMessage)
	}
	return dsn
}

// OpenPostgresSchema creates a schema with a random name in the
// LATCH_TEST_POSTGRES database and returns a DSN whose search_path selects
// it; open it as many times as needed. The schema is dropped when t ends,
// after the stores opened later in the test are closed. It skips t when
// the variable is unset.
func OpenPostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresDSN(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("sqltest: %s must be a postgres:// URL", EnvPostgres)
	}
	schema := PostgresSchemaName(t)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("sqltest: connect to %s: %v", EnvPostgres, err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("sqltest: create schema: %v", err)
	}

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresSchemaName returns a new random schema name, latch_t_<random>,
// for [sqlstore.Options.Schema], without creating the schema; whatever
// creates it, the schema is dropped when t ends, after the stores opened
// later in the test are closed. It skips t when LATCH_TEST_POSTGRES is
// unset.
func PostgresSchemaName(t testing.TB) string {
	t.Helper()
	base := PostgresDSN(t)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	schema := "latch_t_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("sqltest: connect to drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("sqltest: drop schema %s: %v", schema, err)
		}
	})
	return schema
}
