package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema migrations, one directory per dialect,
// named NNNN_description.sql and applied in numeric order.
//
//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in order. Versions start at 1
// and have no gaps.
func (d Dialect) migrations() ([]migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: migrations: bad file name %q", e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlstore: migrations: %s out of sequence", m.name)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this package migrates databases to.
const SchemaVersion = 6

// migrate brings the schema up to date in one transaction that excludes
// every other migrator of the same database: PostgreSQL takes a
// transaction-level advisory lock (keyed by the current schema, or
// Options.Schema, which it creates), SQLite
// begins with BEGIN IMMEDIATE (the writer's _txlock), which takes the
// database's write lock.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := s.dialect.migrations()
	if err != nil {
		return err
	}
	if len(ms) != SchemaVersion {
		return fmt.Errorf("sqlstore: migrations: have %d, want %d", len(ms), SchemaVersion)
	}
	err = s.tx(ctx, func(c conn) error {
		if s.dialect == Postgres {
			if err := s.lockSchema(ctx, c); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, `CREATE TABLE IF NOT EXISTS latch_schema_version (
	version    INTEGER NOT NULL PRIMARY KEY,
	applied_at BIGINT  NOT NULL
)`); err != nil {
			return err
		}
		var current int
		if err := c.row(ctx, `SELECT COALESCE(MAX(version), 0) FROM latch_schema_version`).Scan(&current); err != nil {
			return err
		}
		if current > len(ms) {
			return fmt.Errorf("%w: database has version %d, this package knows %d", ErrSchemaTooNew, current, len(ms))
		}
		for _, m := range ms[current:] {
			if _, err := c.exec(ctx, m.sql); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if _, err := c.exec(ctx, `INSERT INTO latch_schema_version (version, applied_at) VALUES ($1, $2)`,
				m.version, time.Now().UnixMicro()); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
		}
		return nil
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrSchemaTooNew), errors.Is(err, ErrOptions):
		return err
	case ctx.Err() != nil:
		return fmt.Errorf("sqlstore: migrate: %w", ctx.Err())
	}
	return fmt.Errorf("sqlstore: migrate: %w", err)
}

// lockSchema takes the PostgreSQL migration lock of the store's schema
// and, with Options.Schema, creates the schema if it is missing and checks
// that the connection uses it.
func (s *Store) lockSchema(ctx context.Context, c conn) error {
	if s.schema == "" {
		_, err := c.exec(ctx, `SELECT pg_advisory_xact_lock(1818326131, hashtext(COALESCE(current_schema(), '')))`)
		return err
	}
	// The same key as above once the schema exists and is current.
	if _, err := c.exec(ctx, `SELECT pg_advisory_xact_lock(1818326131, hashtext($1))`, s.schema); err != nil {
		return err
	}
	// Look before creating: CREATE SCHEMA IF NOT EXISTS needs the CREATE
	// privilege on the database even when the schema exists.
	var exists bool
	if err := c.row(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := c.exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+quoteIdent(s.schema)); err != nil {
			return err
		}
	}
	var current sql.NullString
	if err := c.row(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return err
	}
	if current.String != s.schema {
		return fmt.Errorf("%w: the connection's search_path selects schema %q, not %q", ErrOptions, current.String, s.schema)
	}
	return nil
}
